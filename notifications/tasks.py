"""Delivery of outbox rows. Each row is claimed before it is sent, so a task that runs twice
(redelivery after a lost acknowledgement, the minute sweep racing the first attempt) sends once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from smtplib import SMTPServerDisconnected
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from .emails import build_email
from .models import Notification
from .sms.base import SmsRefused
from .sms.delivery import sms_send
from .sms.text import SEALED, SEND_BEFORE

logger = logging.getLogger(__name__)

# A row left in "sending" this long belongs to a worker that died mid-send.
STUCK_AFTER = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the first, second, third ... failed attempt."""
    return timedelta(seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def deliver(notification_id: int) -> bool:
    """Send one row if it is due and nobody else has claimed it; True when it was sent now.

    E-mail rows go through Django's mail connection, SMS rows through the SMS backend; both
    are claimed, retried and given up the same way.
    """
    now = timezone.now()
    # The claim records its time in next_attempt_at: the sweep's STUCK_AFTER counts from the
    # claim, not from when the row became due (a row overdue after an outage is not stuck).
    notification = _claim(notification_id, now)
    if notification is None:
        return False
    if _too_late(notification, now):
        notification.state = Notification.State.FAILED
        notification.last_error = "Not sent: no use after its send-before time."
        _finish(notification, "state", "last_error")
        return False
    message_id = ""
    try:
        if notification.channel == Notification.Channel.SMS:
            message_id = sms_send(notification)
        else:
            _send(build_email(notification))
    except Exception as exc:  # any SMTP, SMS or rendering failure: retry later, then give up
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if (
            isinstance(exc, SmsRefused)
            or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        ):
            notification.state = Notification.State.FAILED
            logger.error("Notification %s failed for good: %s", notification.pk, exc)
        else:
            notification.state = Notification.State.PENDING
            notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
        _finish(notification, "state", "last_error", "next_attempt_at")
        return False
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    fields = ["state", "sent_at", "last_error"]
    if message_id:
        notification.provider_message_id = message_id
        notification.delivery_status = Notification.DeliveryStatus.ACCEPTED
        notification.delivery_status_at = notification.sent_at
        fields += ["provider_message_id", "delivery_status", "delivery_status_at"]
    _finish(notification, *fields)
    return True


def _too_late(notification: Notification, now: datetime) -> bool:
    send_before = (notification.context or {}).get(SEND_BEFORE)
    return isinstance(send_before, str) and datetime.fromisoformat(send_before) < now


def _finish(notification: Notification, *fields: str) -> None:
    """Save the attempt's outcome; a row that is done (sent or failed) loses its sealed values
    (a verification code), which only its sending needed."""
    update = list(fields)
    done = notification.state in (Notification.State.SENT, Notification.State.FAILED)
    if done and SEALED in (notification.context or {}):
        notification.context = {k: v for k, v in notification.context.items() if k != SEALED}
        update.append("context")
    notification.save(update_fields=update)


def _claim(notification_id: int, now: datetime) -> Notification | None:
    """Take a due pending row for this process: one UPDATE … RETURNING, so two deliveries of
    the same task cannot both have it, and the row comes back without a second query."""
    table = Notification._meta.db_table
    rows = Notification.objects.raw(
        f"UPDATE {table} SET state = %s, attempts = attempts + 1, next_attempt_at = %s "  # noqa: S608 (our own table name) # nosec B608
        "WHERE id = %s AND state = %s AND next_attempt_at <= %s RETURNING *",
        [Notification.State.SENDING, now, notification_id, Notification.State.PENDING, now],
    )
    return next(iter(rows), None)


# One mail connection per worker process, kept open between sends (a new SMTP session per
# email costs more than the email); reopened when the settings change or the server hung up.
_mail: tuple[tuple[Any, ...], BaseEmailBackend] | None = None


def _mail_settings() -> tuple[Any, ...]:
    return (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", None),
        getattr(settings, "EMAIL_PORT", None),
        getattr(settings, "EMAIL_HOST_USER", None),
        getattr(settings, "EMAIL_USE_TLS", None),
        getattr(settings, "EMAIL_USE_SSL", None),
    )


def _mail_connection() -> BaseEmailBackend:
    global _mail
    key = _mail_settings()
    if _mail is not None and _mail[0] == key:
        return _mail[1]
    _mail_close()
    connection: BaseEmailBackend = get_connection(fail_silently=False)
    connection.open()
    _mail = (key, connection)
    return connection


def _mail_close() -> None:
    global _mail
    if _mail is not None:
        try:
            _mail[1].close()
        except Exception:  # already gone: nothing to close
            logger.debug("Closing the mail connection failed", exc_info=True)
        _mail = None


def _send(message: EmailMessage) -> None:
    message.connection = _mail_connection()
    try:
        message.send()
    except SMTPServerDisconnected:
        # The server closed the idle connection: one new session, then failures count.
        _mail_close()
        message.connection = _mail_connection()
        message.send()
    except Exception:
        _mail_close()
        raise


# Celery ships no type information: its task decorator is untyped.
@shared_task(acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def send_notification(notification_id: int) -> bool:
    return deliver(notification_id)


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # as above
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
