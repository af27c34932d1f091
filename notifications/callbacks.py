"""The SMS provider's delivery reports: signed, recent, and about a message we sent.

The provider POSTs JSON to ``/notifications/sms/status/``::

    {"message_id": "<the id it gave>", "status": "delivered", "timestamp": 1796283000}

with ``X-SMS-Signature: <hex HMAC-SHA256 of the raw body under SMS_CALLBACK_SECRET>`` (a
``sha256=`` prefix is accepted). The signature is compared in constant time; the timestamp
(Unix seconds, inside the signed body) must be within five minutes of our clock, so a
recorded report cannot be played back later; a report that arrives after a later one (or an
"accepted" after "delivered") changes nothing, so reports out of order cannot move a row back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification

SIGNATURE_HEADER = "X-SMS-Signature"
MAX_AGE = timedelta(minutes=5)

# The provider's words → ours. "sent"/"queued" mean it is on its way, as when it was accepted.
STATUSES = {
    "accepted": Notification.DeliveryStatus.ACCEPTED,
    "queued": Notification.DeliveryStatus.ACCEPTED,
    "sent": Notification.DeliveryStatus.ACCEPTED,
    "delivered": Notification.DeliveryStatus.DELIVERED,
    "undelivered": Notification.DeliveryStatus.UNDELIVERED,
    "failed": Notification.DeliveryStatus.UNDELIVERED,
    "rejected": Notification.DeliveryStatus.UNDELIVERED,
    "expired": Notification.DeliveryStatus.EXPIRED,
}


class CallbackRefused(Exception):
    """Not from the provider, or not now (bad signature, stale timestamp): 403."""


class CallbackInvalid(Exception):
    """Signed, but not a report we understand: 400."""


class CallbackUnknownMessage(Exception):
    """Signed and well formed, about no message of ours: 404."""


def signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _check_signature(body: bytes, given: str) -> None:
    secret = settings.SMS_CALLBACK_SECRET
    if not secret:
        raise CallbackRefused("SMS_CALLBACK_SECRET is not set: no report can be trusted.")
    given = given.strip().removeprefix("sha256=")
    # As bytes: compare_digest refuses str with other than ASCII, which anyone can send.
    if not hmac.compare_digest(signature(body, secret).encode(), given.encode()):
        raise CallbackRefused("The signature does not match.")


def _report(body: bytes) -> tuple[str, str, datetime]:
    try:
        data: Any = json.loads(body)
        message_id = data["message_id"]
        status = STATUSES[str(data["status"]).lower()]
        timestamp = float(data["timestamp"])
        at = datetime.fromtimestamp(timestamp, tz=UTC)
    except (ValueError, KeyError, TypeError, OverflowError, OSError) as exc:
        raise CallbackInvalid(f"Not a delivery report: {exc}") from exc
    if not isinstance(message_id, str) or not message_id:
        raise CallbackInvalid("The report names no message.")
    return message_id, status, at


def _supersedes(status: str, at: datetime, notification: Notification) -> bool:
    """A final status (delivered, undelivered, expired) replaces "accepted" whatever the clocks
    say; "accepted" never replaces a final one; between two finals the later report wins."""
    final = status != Notification.DeliveryStatus.ACCEPTED
    current = notification.delivery_status
    if not current or notification.delivery_status_at is None:
        return True
    current_final = current != Notification.DeliveryStatus.ACCEPTED
    if final != current_final:
        return final
    return at >= notification.delivery_status_at


@transaction.atomic
def sms_delivery_report_record(*, body: bytes, signature_header: str) -> Notification:
    """Check a delivery report and record its status on the row it is about."""
    _check_signature(body, signature_header)
    message_id, status, at = _report(body)
    if abs(timezone.now() - at) > MAX_AGE:
        raise CallbackRefused("The report's timestamp is not within five minutes.")
    notification = (
        Notification.objects.select_for_update()
        .filter(channel=Notification.Channel.SMS, provider_message_id=message_id)
        .first()
    )
    if notification is None:
        raise CallbackUnknownMessage(message_id)
    if _supersedes(status, at, notification):
        notification.delivery_status = status
        notification.delivery_status_at = at
        notification.save(update_fields=["delivery_status", "delivery_status_at"])
    return notification
