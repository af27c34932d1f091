"""Writing notices into the outbox, inside the transaction of the change that causes them.

This is the one way in for every app: a recipient, a kind (registered in ``kinds.py``), a
context for its sentences, a deduplication key, and optionally the record the notice is about
(an application, a permit...), which the outbox keeps as a generic reference without knowing
what it is.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction

from core import crypto

from .channels import delivery_for
from .kinds import ACCOUNT
from .models import Notification
from .sms.text import SEALED, SEND_BEFORE

logger = logging.getLogger(__name__)


def _enqueue(notification_id: int) -> None:
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:  # broker down: the row stays pending and the minute sweep sends it
        logger.warning("Broker unavailable; notification %s waits for the sweep.", notification_id)


def _write(notification: Notification) -> bool:
    """Insert the row unless its ``dedupe_key`` exists; enqueue its send after the commit.

    One ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id``: no savepoint, and two
    transactions writing the same key concurrently end with one row (the second waits for the
    first, then inserts nothing). True when this call wrote it.
    """
    using = router.db_for_write(Notification)
    connection = connections[using]
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(notification, add=True), connection)
        for field in fields
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} "  # noqa: S608 (our own table and columns) # nosec B608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote('dedupe_key')}) DO NOTHING RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    notification.pk = row[0]
    notification._state.adding = False
    notification._state.db = using
    pk = notification.pk
    transaction.on_commit(lambda: _enqueue(pk), using=using)
    return True


def _row(
    *,
    kind: str,
    language: str,
    dedupe_key: str,
    channel: str = Notification.Channel.EMAIL,
    to_email: str = "",
    to_phone: str = "",
    # An instance of AUTH_USER_MODEL, which the outbox may not import (the model field types
    # it as accounts' User).
    recipient: Any = None,
    about: models.Model | None = None,
    context: dict[str, Any] | None = None,
    in_inbox: bool = True,
) -> Notification:
    return Notification(
        kind=kind,
        channel=channel,
        to_email=to_email,
        to_phone=to_phone,
        language=language,
        recipient=recipient,
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=about.pk if about is not None else None,
        context=context or {},
        dedupe_key=dedupe_key,
        in_inbox=in_inbox,
    )


def notification_create(
    *,
    kind: str,
    language: str,
    dedupe_key: str,
    to_email: str = "",
    to_phone: str = "",
    channel: str = Notification.Channel.EMAIL,
    recipient: AbstractBaseUser | None = None,
    about: models.Model | None = None,
    context: dict[str, Any] | None = None,
    in_inbox: bool = True,
) -> tuple[Notification, bool]:
    """Add a notice on one channel to the outbox once per ``dedupe_key``; it is sent after the
    commit. Returns the row and whether it is new, as ``get_or_create`` does.
    """
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    notification = _row(
        kind=kind,
        language=language,
        dedupe_key=dedupe_key,
        channel=channel,
        to_email=to_email,
        to_phone=to_phone,
        recipient=recipient,
        about=about,
        context=context,
        in_inbox=in_inbox,
    )
    if not _write(notification):  # written meanwhile by another transaction
        return Notification.objects.get(dedupe_key=dedupe_key), False
    return notification, True


def sms_dedupe_key(dedupe_key: str) -> str:
    """The SMS row's key: the notice's own key is its e-mail row's."""
    return f"{dedupe_key}:sms"


def notify_user(
    *,
    user: Any,
    kind: str,
    context: dict[str, Any],
    dedupe_key: str,
    about: models.Model | None = None,
) -> bool:
    """A notice to a user in their language, on the channels they chose; True when it is new.

    By e-mail to their address, and by SMS to their verified mobile number when the kind has an
    SMS text and their choice (or the kind's default) says so: one outbox row per channel,
    delivered and retried alike. The notice is one notice in the inbox: its e-mail row, or its
    SMS row when it goes by SMS only. Once per ``dedupe_key`` whatever the channels: a change of
    choice does not send a notice again on the other channel.
    """
    sms_key = sms_dedupe_key(dedupe_key)
    if Notification.objects.filter(dedupe_key__in=(dedupe_key, sms_key)).exists():
        return False
    delivery = delivery_for(user=user, kind=kind)
    common: dict[str, Any] = {
        "kind": kind,
        "language": user.preferred_language,
        "recipient": user,
        "about": about,
        "context": context,
    }
    if delivery.email:
        email = _row(**common, dedupe_key=dedupe_key, to_email=user.email)
        if not _write(email):
            return False  # another transaction wrote this notice meanwhile, with its channels
    if delivery.phone:
        sms = _row(
            **common,
            dedupe_key=sms_key,
            channel=Notification.Channel.SMS,
            to_phone=delivery.phone,
            in_inbox=not delivery.email,
        )
        if not _write(sms) and not delivery.email:
            return False
    return True


def notify_phone(
    *,
    kind: str,
    to_phone: str,
    language: str,
    dedupe_key: str,
    recipient: AbstractBaseUser | None = None,
    sealed: dict[str, str] | None = None,
    send_before: datetime | None = None,
) -> Notification:
    """An SMS to a number that need not be verified (the code that verifies it), via the outbox.

    ``sealed`` values fill the SMS text only: they are stored encrypted (``core.crypto``) and
    erased from the row once it is sent or has failed. After ``send_before`` the row is not sent
    any more (a code that has expired is no use) and is marked failed.
    """
    context: dict[str, Any] = {}
    if sealed:
        context[SEALED] = {name: crypto.encrypt(value) for name, value in sealed.items()}
    if send_before is not None:
        context[SEND_BEFORE] = send_before.isoformat()
    notification, _created = notification_create(
        kind=kind,
        channel=Notification.Channel.SMS,
        to_phone=to_phone,
        language=language,
        recipient=recipient,
        context=context,
        dedupe_key=dedupe_key,
        in_inbox=False,
    )
    return notification


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
