"""Writing notices into the outbox, inside the transaction of the change that causes them.

This is the one way in for every app: a recipient, a kind (registered in ``kinds.py``), a
context for its sentences, a deduplication key, and optionally the record the notice is about
(an application, a permit...), which the outbox keeps as a generic reference without knowing
what it is.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .kinds import ACCOUNT
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
    about: models.Model | None = None,
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
            "about_type": ContentType.objects.get_for_model(about) if about is not None else None,
            "about_id": about.pk if about is not None else None,
            "context": context or {},
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification, created


def notify_user(
    *,
    user: Any,
    kind: str,
    context: dict[str, Any],
    dedupe_key: str,
    about: models.Model | None = None,
) -> bool:
    """A notice to a user at their address and in their language; True when it is new."""
    _notification, created = notification_create(
        kind=kind,
        to_email=user.email,
        language=user.preferred_language,
        recipient=user,
        about=about,
        context=context,
        dedupe_key=dedupe_key,
    )
    return created


def notify_account_email(
    *, to_email: str, language: str, subject: str, text: str, html: str
) -> Notification:
    """Account emails (verification, password reset) travel through the same outbox."""
    notification, _created = notification_create(
        kind=ACCOUNT,
        to_email=to_email,
        language=language,
        context={"subject": subject, "text": text, "html": html},
        dedupe_key=f"account:{uuid.uuid4()}",
    )
    return notification
