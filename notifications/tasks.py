"""Delivery of outbox rows. Each row is claimed before it is sent, so a task that runs twice
(redelivery after a lost acknowledgement, the minute sweep racing the first attempt) sends once.

Two ways in. A notice written on its own (``notify_user``) queues ``send_notification(id)``;
in a worker that task claims a batch of due rows at once, its own first. Many rows (a nightly
sweep, the minute sweep) are queued a few hundred ids to a message (``enqueue_listed``), and
``send_notifications(ids)`` claims those of them still due, a batch at a time. A batch goes on
the worker thread's open connection (one SMTP session; for SMS one HTTP keep-alive session, in
``sms/http.py``). Each row's outcome is committed on its own right after its send, so a worker
that dies mid-batch has sent no row twice: the rows it had not reached stay "sending" until the
minute sweep frees them (STUCK_AFTER).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from smtplib import SMTPServerDisconnected
from typing import Any

from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutdown
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.db.models import F
from django.utils import timezone

from .emails import build_email
from .models import Notification
from .sms.base import SmsRefused
from .sms.delivery import sms_send
from .sms.text import SEALED, SEND_BEFORE

logger = logging.getLogger(__name__)

# A row left in "sending" this long belongs to a worker that died mid-send.
STUCK_AFTER = timedelta(minutes=10)
# Rows one task claims (NOTIFICATION_BATCH_SIZE overrides it): enough that the claim and the
# task cost little per row, few enough that a batch takes a second or so.
BATCH_SIZE = 50
# The sends of many rows (a sweep's, the minute sweep's) are queued this many to a message.
ENQUEUE_BATCH = 200
# A batch that has run this long gives back what it has not reached: far from the task's time
# limit (120 s) and from STUCK_AFTER, even when every send waits for its time-out.
BATCH_SECONDS = 30.0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the first, second, third ... failed attempt."""
    return timedelta(seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def deliver(notification_id: int) -> bool:
    """Send one row if it is due and nobody else has claimed it; True when it was sent now.

    E-mail rows go through Django's mail connection, SMS rows through the SMS backend; both
    are claimed, retried and given up the same way.
    """
    # The claim records its time in next_attempt_at: the sweep's STUCK_AFTER counts from the
    # claim, not from when the row became due (a row overdue after an outage is not stuck).
    notification = _claim(notification_id, timezone.now())
    if notification is None:
        return False
    return _attempt(notification)


def deliver_batch(first: int | None = None, *, limit: int | None = None) -> bool:
    """Claim up to ``limit`` due rows, ``first`` among them if it is still due, and send them
    one by one; True when ``first`` was sent now."""
    rows = claim_batch(timezone.now(), limit=limit or batch_size(), first=first)
    sent = _send_claimed(rows, started=time.monotonic())
    return first is not None and first in sent


def deliver_listed(notification_ids: list[int]) -> int:
    """Send these rows, those still due and not claimed by anyone else, claimed a batch at a
    time; returns how many were sent now. What one batch leaves (past BATCH_SECONDS in all)
    stays pending for the minute sweep."""
    started = time.monotonic()
    sent = 0
    size = batch_size()
    for start in range(0, len(notification_ids), size):
        if time.monotonic() - started > BATCH_SECONDS:
            break
        rows = claim_batch(timezone.now(), limit=size, ids=notification_ids[start : start + size])
        sent += len(_send_claimed(rows, started=started))
    return sent


def _send_claimed(rows: list[Notification], *, started: float) -> set[int]:
    """Send claimed rows in turn, each outcome committed on its own; the ids sent now. Rows
    not reached by BATCH_SECONDS after ``started``, or after a send that raised, go back."""
    sent: set[int] = set()
    for index, row in enumerate(rows):
        if time.monotonic() - started > BATCH_SECONDS:
            _release(rows[index:])
            break
        try:
            if _attempt(row):
                sent.add(row.pk)
        except BaseException:
            # This row's outcome is unknown (it stays "sending" for the sweep); the rest were
            # never tried and need not wait for it.
            _release(rows[index + 1 :])
            raise
    return sent


def batch_size() -> int:
    return int(getattr(settings, "NOTIFICATION_BATCH_SIZE", BATCH_SIZE))


def _attempt(notification: Notification) -> bool:
    """Send a claimed row and commit the outcome: sent, retried later, or failed for good."""
    if _too_late(notification, timezone.now()):
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


def claim_batch(
    now: datetime, *, limit: int, first: int | None = None, ids: list[int] | None = None
) -> list[Notification]:
    """Take up to ``limit`` due pending rows in one statement: ``first`` first if it is due,
    then the oldest due; or, given ``ids``, those of them that are due, and no others.

    SKIP LOCKED: rows another claimer is taking at this moment are left to it, so concurrent
    batches neither share a row nor wait for each other.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    params = {
        "first": first or 0,  # no row has id 0
        "others": 0 if ids is not None else limit - 1 if first else limit,
        "ids": list(ids or ())[:limit],
        "now": now,
        "pending": Notification.State.PENDING,
        "sending": Notification.State.SENDING,
    }
    due = f"FROM {table} WHERE state = %(pending)s AND next_attempt_at <= %(now)s"
    rows = Notification.objects.raw(
        f"WITH mine AS (SELECT id {due} AND (id = %(first)s OR id = ANY(%(ids)s)) "  # noqa: S608 (our own table name) # nosec B608
        "FOR UPDATE SKIP LOCKED), "
        f"others AS (SELECT id {due} AND id <> %(first)s "
        "ORDER BY next_attempt_at LIMIT %(others)s FOR UPDATE SKIP LOCKED) "
        f"UPDATE {table} SET state = %(sending)s, attempts = attempts + 1, "
        "next_attempt_at = %(now)s "
        "WHERE id IN (SELECT id FROM mine UNION ALL SELECT id FROM others) RETURNING *",
        params,
    )
    return sorted(rows, key=lambda row: (row.pk != first, row.pk))


def _release(rows: list[Notification]) -> None:
    """Give back claimed rows that were never tried: due again at once, the attempt uncounted."""
    if not rows:
        return
    Notification.objects.filter(
        pk__in=[row.pk for row in rows], state=Notification.State.SENDING
    ).update(
        state=Notification.State.PENDING,
        attempts=F("attempts") - 1,
        next_attempt_at=timezone.now(),
    )


# One mail connection per worker thread (a process of the prefork pool has one), kept open
# between sends: a new SMTP session per email costs more than the email. Reopened when the
# settings change, the server hung up, or a send failed; keyed by the process too, so a forked
# child never writes on its parent's socket.
_mail: dict[int, tuple[tuple[Any, ...], BaseEmailBackend]] = {}
_mail_lock = threading.Lock()


def _mail_settings() -> tuple[Any, ...]:
    return (
        os.getpid(),
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", None),
        getattr(settings, "EMAIL_PORT", None),
        getattr(settings, "EMAIL_HOST_USER", None),
        getattr(settings, "EMAIL_USE_TLS", None),
        getattr(settings, "EMAIL_USE_SSL", None),
    )


def _mail_connection() -> BaseEmailBackend:
    key = _mail_settings()
    held = _mail.get(threading.get_ident())
    if held is not None and held[0] == key:
        return held[1]
    _mail_close()
    backend: BaseEmailBackend = get_connection(fail_silently=False)
    backend.open()
    with _mail_lock:
        _mail[threading.get_ident()] = (key, backend)
    return backend


def _close(held: tuple[tuple[Any, ...], BaseEmailBackend]) -> None:
    if held[0][0] != os.getpid():
        return  # the parent's socket: the parent closes it
    try:
        held[1].close()
    except Exception:  # already gone: nothing to close
        logger.debug("Closing the mail connection failed", exc_info=True)


def _mail_close() -> None:
    with _mail_lock:
        held = _mail.pop(threading.get_ident(), None)
    if held is not None:
        _close(held)


def mail_close_all(**_signal: Any) -> None:
    """Close every thread's mail connection: at the worker (or pool process) shutdown."""
    with _mail_lock:
        held = list(_mail.values())
        _mail.clear()
    for item in held:
        _close(item)


worker_process_shutdown.connect(mail_close_all, weak=False, dispatch_uid="notifications.mail")
worker_shutdown.connect(mail_close_all, weak=False, dispatch_uid="notifications.mail.worker")


def _send(message: EmailMessage) -> None:
    message.connection = _mail_connection()
    try:
        message.send()
    except SMTPServerDisconnected:
        # The server closed the idle connection: one new session, then failures count.
        _mail_close()
        message.connection = _mail_connection()
        try:
            message.send()
        except Exception:
            _mail_close()
            raise
    except Exception:
        _mail_close()
        raise


# Celery ships no type information: its task decorator is untyped.
@shared_task(bind=True, acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def send_notification(self: Any, notification_id: int) -> bool:
    """This row, and in a worker a batch of other due rows with it; True when this row was
    sent now. Run eagerly (a web request without a broker), this row only."""
    if self.request.is_eager or self.request.called_directly:
        return deliver(notification_id)
    return deliver_batch(notification_id)


@shared_task(acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]  # as above
def send_notifications(notification_ids: list[int]) -> int:
    """These rows (the sweeps queue a few hundred to a message), each sent once by whoever
    claims it first; returns how many this task sent."""
    return deliver_listed([int(pk) for pk in notification_ids])


def enqueue_listed(ids: Iterable[int]) -> int:
    """Queue the sends of ``ids``, ENQUEUE_BATCH to a message; returns how many were queued.

    A message per row cost more than the statement that wrote them all (about half a
    millisecond each, and a task run each): ``send_notifications`` takes a list, claims its
    due rows a batch at a time and sends each once, as ``send_notification`` does for one. At
    the first failure the rest are left: their rows stay pending and the minute sweep sends
    them, as for a notice whose enqueue failed; so does a row of a message whose worker died
    (it is claimed again once stuck).
    """
    pending = list(ids)
    queued = 0
    for start in range(0, len(pending), ENQUEUE_BATCH):
        batch = pending[start : start + ENQUEUE_BATCH]
        try:
            send_notifications.delay(batch)
        except Exception:  # broker down: the rows stay pending and the minute sweep sends them
            logger.warning(
                "Broker unavailable; %s notifications wait for the sweep.", len(pending) - queued
            )
            break
        queued += len(batch)
    return queued


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
    return enqueue_listed(due.order_by("next_attempt_at", "pk").iterator())
