"""The outbox's other due rows, kept out of a delivery benchmark while it runs."""

from __future__ import annotations

# Far enough that no claim of the run takes them.
_ASIDE_UNTIL_DAYS = 3650


def set_aside_other_due_notices() -> list[int]:
    """Rows due that are not the run's (the notices the sweeps' benchmark just wrote, for one):
    a worker claims every due row with its own, so they would be sent in the run and counted
    as its rate. They wait until the run is over (``bring_back``)."""
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import Notification

    due = Notification.objects.filter(state=Notification.State.PENDING).exclude(
        dedupe_key__startswith="bench-"
    )
    ids = list(due.values_list("pk", flat=True))
    later = timezone.now() + timedelta(days=_ASIDE_UNTIL_DAYS)
    Notification.objects.filter(pk__in=ids).update(next_attempt_at=later)
    return ids


def bring_back(ids: list[int]) -> None:
    from django.utils import timezone

    from notifications.models import Notification

    Notification.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
