"""Sending one SMS row of the outbox through the configured backend."""

from __future__ import annotations

import hashlib

from django.conf import settings

from ..models import Notification
from .base import SmsMessage, get_backend
from .text import sms_text


def idempotency_key(notification: Notification) -> str:
    """The same for every attempt at this row, and for no other row."""
    return hashlib.sha256(f"{notification.pk}:{notification.dedupe_key}".encode()).hexdigest()[:40]


def sms_send(notification: Notification) -> str:
    """Send the row's SMS; returns the provider's message id. Raises ``SmsError`` (retry) or
    ``SmsRefused`` (fail now)."""
    message = SmsMessage(
        to=notification.to_phone,
        text=sms_text(notification),
        sender=settings.SMS_SENDER,
        idempotency_key=idempotency_key(notification),
    )
    return get_backend().send(message)
