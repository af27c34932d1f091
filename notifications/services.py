"""Writing notices into the outbox, inside the transaction of the change that causes them."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationEvent, Status

from .models import Notification

logger = logging.getLogger(__name__)


def _enqueue(notification_id: int) -> None:
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:  # broker down: the row stays pending and the minute sweep sends it
        logger.warning("Broker unavailable; notification %s waits for the sweep.", notification_id)


def notification_create(
    *,
    kind: str,
    to_email: str,
    language: str,
    dedupe_key: str,
    recipient: AbstractBaseUser | None = None,
    application: Application | None = None,
    context: dict[str, Any] | None = None,
) -> tuple[Notification, bool]:
    """Add a notice to the outbox once per ``dedupe_key``; it is sent after the commit.

    Returns the row and whether it is new, as ``get_or_create`` does.
    """
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "kind": kind,
            "to_email": to_email,
            "language": language,
            "recipient": recipient,
            "application": application,
            "context": context or {},
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification, created


def notify_applicant(
    *, application: Application, kind: str, context: dict[str, Any], dedupe_key: str
) -> bool:
    """A notice to the application's student, in their language; True when it is new."""
    student = application.applicant
    _notification, created = notification_create(
        kind=kind,
        to_email=student.email,
        language=student.preferred_language,
        recipient=student,
        application=application,
        context=context,
        dedupe_key=dedupe_key,
    )
    return created


# The notice a student gets for each status change; a status without one sends nothing.
STATUS_NOTICES = {
    (Status.DRAFT, Status.SUBMITTED): Notification.Kind.SUBMITTED,
    (Status.SUBMITTED, Status.UNDER_REVIEW): Notification.Kind.UNDER_REVIEW,
    (Status.UNDER_REVIEW, Status.INFO_REQUESTED): Notification.Kind.INFO_REQUESTED,
    (Status.INFO_REQUESTED, Status.UNDER_REVIEW): Notification.Kind.INFO_PROVIDED,
    (Status.UNDER_REVIEW, Status.APPROVED): Notification.Kind.APPROVED,
    (Status.UNDER_REVIEW, Status.REJECTED): Notification.Kind.REJECTED,
}


def applicant_context(application: Application) -> dict[str, Any]:
    """What every notice to the student names: the reference and the application's page."""
    return {
        "reference": application.reference or "",
        "path": reverse("application-detail", args=[application.pk]),
    }


def _dated_context(application: Application) -> dict[str, Any]:
    return applicant_context(application) | {"date": timezone.localdate().isoformat()}


def notify_status_change(*, application: Application, event: ApplicationEvent) -> None:
    kind = STATUS_NOTICES.get((event.from_status, event.to_status))
    if kind is None and event.to_status == Status.WITHDRAWN and application.submitted_at:
        kind = Notification.Kind.WITHDRAWN
    if kind is None:
        return
    context = _dated_context(application) | {
        key: value for key, value in event.data.items() if isinstance(value, str | int)
    }
    if kind == Notification.Kind.INFO_REQUESTED:
        context["message"] = event.note
    if kind == Notification.Kind.SUBMITTED:
        notify_passport_too_short(application=application, today=timezone.localdate())
    notify_applicant(
        application=application, kind=kind, context=context, dedupe_key=f"event:{event.pk}"
    )


# After the first notice, a too-short passport is brought up again every this many days.
PASSPORT_REPEAT_DAYS = 30


def notify_passport_too_short(*, application: Application, today: date) -> bool:
    """Tell the student their passport is too short for the whole-programme permit.

    Once at submission (or when new passport details are still too short), then once per
    PASSPORT_REPEAT_DAYS counted from submission; the key carries the passport's expiry date, so
    updating the passport starts over and the same period never sends twice.
    """
    expiry, required = application.passport_expiry_date, application.passport_required_until
    if not (expiry and required and expiry < required and application.submitted_at):
        return False
    submitted = timezone.localdate(application.submitted_at)
    period = max((today - submitted).days, 0) // PASSPORT_REPEAT_DAYS
    return notify_applicant(
        kind=Notification.Kind.PASSPORT_TOO_SHORT,
        application=application,
        context=_dated_context(application)
        | {
            "passport_expiry": expiry.isoformat(),
            "required_until": required.isoformat(),
            "margin_days": application.policy_version.passport_margin_days,
        },
        dedupe_key=f"passport-short:{application.pk}:{expiry.isoformat()}:{period}",
    )


def notify_message(*, application: Application, sender: AbstractBaseUser, message_id: int) -> None:
    """Tell the other side of the thread: the student, or the assigned officer."""
    if sender.pk == application.applicant_id:
        recipient = application.assignee
        path = reverse("officer-review", args=[application.pk])
    else:
        recipient = application.applicant
        path = reverse("application-detail", args=[application.pk])
    if recipient is None:
        return
    notification_create(
        kind=Notification.Kind.MESSAGE,
        to_email=recipient.email,
        language=recipient.preferred_language,
        recipient=recipient,
        application=application,
        context={"reference": application.reference or "", "path": path},
        dedupe_key=f"message:{message_id}",
    )


def notify_account_email(
    *, to_email: str, language: str, subject: str, text: str, html: str
) -> Notification:
    """Account emails (verification, password reset) travel through the same outbox."""
    notification, _created = notification_create(
        kind=Notification.Kind.ACCOUNT,
        to_email=to_email,
        language=language,
        context={"subject": subject, "text": text, "html": html},
        dedupe_key=f"account:{uuid.uuid4()}",
    )
    return notification
