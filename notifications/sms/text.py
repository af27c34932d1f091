"""What an SMS says: the kind's SMS text in the recipient's language, then a link to the portal.

Personal data stays out by construction: the text is filled from the notice's reference and a
card's PTT tracking number only (``SMS_VALUES``; and, for a verification code, from the row's
sealed values), never from the rest of its context, so a name, a message or a passport number
in the context cannot reach an SMS. The link is the portal's address (``PUBLIC_BASE_URL``) and
the notice's ``path``, appended at the end; an SMS text has no ``%(link)s``.

Length: at most two concatenated segments, so a message costs at most two SMS. An SMS whose
every character is in the GSM 03.38 alphabet (English) counts in GSM-7 (160 in one segment,
153 per segment of a longer one, so 306; the extension characters ``€[]{}|^~\\`` count two);
any other character (Azerbaijani ə, Turkish ı, ş, ğ) makes the whole SMS UCS-2 (70 in one, 67
per segment, so 134). A text too long for the link is cut at a word and ends in "...", the link
kept whole.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from core import crypto

from ..content import _Blank, _fill
from ..kinds import notice_kind
from ..models import Notification
from .base import SmsRefused

# Context keys of an SMS row: values for the text only, encrypted, erased once delivered; and
# the time after which the row is no use (an expired code).
SEALED = "sealed"
# The only values of a notice's context an SMS may carry: codes, not facts about a person.
SMS_VALUES = ("reference", "tracking_number")
SEND_BEFORE = "send_before"

MAX_SEGMENTS = 2
ELLIPSIS = "..."

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")


def gsm_septets(text: str) -> int | None:
    """The length in GSM-7 septets, or None if a character is not in the GSM alphabet."""
    count = 0
    for char in text:
        if char in GSM_BASIC:
            count += 1
        elif char in GSM_EXTENSION:
            count += 2
        else:
            return None
    return count


def sms_length(text: str) -> tuple[str, int, int]:
    """``(encoding, length, the most that fits in MAX_SEGMENTS)`` for ``text``."""
    septets = gsm_septets(text)
    if septets is not None:
        return "gsm-7", septets, 160 if MAX_SEGMENTS == 1 else 153 * MAX_SEGMENTS
    units = len(text.encode("utf-16-le")) // 2
    return "ucs-2", units, 70 if MAX_SEGMENTS == 1 else 67 * MAX_SEGMENTS


def fits(text: str) -> bool:
    _encoding, length, limit = sms_length(text)
    return length <= limit


def compose(text: str, link: str = "") -> str:
    """``text`` and ``link`` within the length limit: the text cut at a word if it must be."""
    text = " ".join(text.split())
    tail = f" {link}" if link else ""
    if fits(text + tail):
        return text + tail
    words = text.split(" ")
    while words:
        words.pop()
        candidate = " ".join(words).rstrip(".,;:") + ELLIPSIS + tail
        if fits(candidate):
            return candidate
    # Not even the link fits (a very long address): the text alone, cut.
    return compose(text) if link else text[: sms_length(text)[2]]


def _sealed(context: dict[str, Any]) -> dict[str, str]:
    try:
        return {name: crypto.decrypt(token) for name, token in context.get(SEALED, {}).items()}
    except crypto.DecryptionFailed as exc:
        raise SmsRefused("A sealed value of this SMS cannot be decrypted.") from exc


def sms_text(notification: Notification) -> str:
    """The SMS of an outbox row, in the row's language (the recipient's)."""
    kind = notice_kind(notification.kind)
    if kind is None or not kind.sms:
        raise SmsRefused(f"The kind {notification.kind!r} has no SMS text.")
    context = notification.context or {}
    params = _Blank({name: context.get(name, "") for name in SMS_VALUES} | _sealed(context))
    with translation.override(notification.language):
        text = _fill(kind.sms, params)
    path = context.get("path")
    link = (
        f"{settings.PUBLIC_BASE_URL}{path}"
        if isinstance(path, str) and path.startswith("/")
        else ""
    )
    return compose(text, link)
