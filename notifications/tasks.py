"""Delivery of outbox rows. Each row is claimed before it is sent, so a task that runs twice
(redelivery after a lost acknowledgement, the minute sweep racing the first attempt) sends once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .emails import build_email
from .models import Notification

logger = logging.getLogger(__name__)

# A row left in "sending" this long belongs to a worker that died mid-send.
STUCK_AFTER = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the first, second, third ... failed attempt."""
    return timedelta(seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def deliver(notification_id: int) -> bool:
    """Send one row if it is due and nobody else has claimed it; True when it was sent now."""
    now = timezone.now()
    # The claim records its time in next_attempt_at: the sweep's STUCK_AFTER counts from the
    # claim, not from when the row became due (a row overdue after an outage is not stuck).
    claimed = Notification.objects.filter(
        pk=notification_id, state=Notification.State.PENDING, next_attempt_at__lte=now
    ).update(state=Notification.State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        build_email(notification).send()
    except Exception as exc:  # any SMTP or rendering failure: retry later, then give up
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.state = Notification.State.FAILED
            logger.error("Notification %s failed for good: %s", notification.pk, exc)
        else:
            notification.state = Notification.State.PENDING
            notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
        notification.save(update_fields=["state", "last_error", "next_attempt_at"])
        return False
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["state", "sent_at", "last_error"])
    return True


@shared_task(acks_late=True, ignore_result=True)
def send_notification(notification_id: int) -> bool:
    return deliver(notification_id)


@shared_task(ignore_result=True)
def requeue_due_notifications() -> int:
    """Every minute (beat): enqueue what is due, so a broker outage delays but loses nothing."""
    now = timezone.now()
    stuck = Notification.objects.filter(
        state=Notification.State.SENDING, next_attempt_at__lt=now - STUCK_AFTER
    )
    # A row whose sends keep killing their worker must end, like any other failing row.
    stuck.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).update(
        state=Notification.State.FAILED, last_error="The worker stopped while sending."
    )
    stuck.update(state=Notification.State.PENDING)
    due = Notification.objects.filter(
        state=Notification.State.PENDING, next_attempt_at__lte=now
    ).values_list("pk", flat=True)
    count = 0
    for notification_id in due.iterator():
        send_notification.delay(notification_id)
        count += 1
    return count


@shared_task(ignore_result=True)
def sweep_inactive_drafts_task() -> dict[str, int]:
    """Daily (beat): remind owners of inactive drafts, then delete the expired ones."""
    from .sweeps import sweep_inactive_drafts

    return sweep_inactive_drafts()


@shared_task(ignore_result=True)
def sweep_passports_task() -> dict[str, int]:
    """Daily (beat): passports too short for an open application, or expiring for a holder."""
    from .sweeps import sweep_passports

    return sweep_passports()


@shared_task(ignore_result=True)
def sweep_permits_task() -> dict[str, int]:
    """Daily (beat): permits ending in 60, 30 and 7 days."""
    from .sweeps import sweep_permits

    return sweep_permits()


@shared_task(ignore_result=True)
def sweep_info_requests_task() -> dict[str, int]:
    """Daily (beat): information requests due soon, and overdue ones to the officer."""
    from .sweeps import sweep_info_requests

    return sweep_info_requests()


@shared_task(ignore_result=True)
def digest_task() -> dict[str, int]:
    """Daily (beat): the supervisors' digest of applications past the internal target."""
    from .sweeps import sweep_supervisor_digest

    return sweep_supervisor_digest()
