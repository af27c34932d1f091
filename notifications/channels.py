"""Which channels a notice takes: e-mail, SMS, or both.

The outbox knows no account model, so it cannot look up anyone's mobile number itself: the app
that keeps verified numbers registers, once at start-up, a function that gives a user's verified
number in E.164 or None (``register_phone_resolver``, called by accounts' ``AppConfig.ready``).
Without one registered, nobody has a number and everything goes by e-mail.

The person's choice per kind of notice is a ``ChannelPreference`` row; without a row the kind's
default holds: e-mail and SMS for the kinds that matter most (``sms_by_default``), e-mail for the
others. A kind without an SMS text, and every kind for someone without a verified number, goes
by e-mail only: a notice is never dropped because its SMS cannot go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .kinds import NoticeKind, notice_kind, notice_kinds
from .models import ChannelPreference

PhoneResolver = Callable[[Any], str | None]

_phone_resolver: PhoneResolver | None = None


def register_phone_resolver(resolver: PhoneResolver | None) -> None:
    """Set the function that gives a user's verified mobile number (E.164) or None."""
    global _phone_resolver
    _phone_resolver = resolver


def verified_phone(user: Any) -> str | None:
    if _phone_resolver is None or user is None:
        return None
    return _phone_resolver(user) or None


# --- selectors -----------------------------------------------------------------------------


def sms_kinds() -> list[NoticeKind]:
    """The kinds a person may choose SMS for: those with an SMS text that are notices about
    their cases (account messages and verification codes are not a matter of choice)."""
    kinds = [kind for kind in notice_kinds() if kind.sms and kind.in_inbox]
    return sorted(kinds, key=lambda kind: not kind.sms_by_default)  # the important ones first


def default_channels(kind: NoticeKind | None) -> str:
    if kind is None or not kind.sms or not kind.in_inbox:
        return ChannelPreference.Channels.EMAIL
    return (
        ChannelPreference.Channels.BOTH if kind.sms_by_default else ChannelPreference.Channels.EMAIL
    )


def chosen_channels(user: Any) -> dict[str, str]:
    """Every SMS kind's code → the person's choice, or the kind's default (one query)."""
    stored = dict(ChannelPreference.objects.filter(user=user).values_list("kind", "channels"))
    return {kind.code: stored.get(kind.code, default_channels(kind)) for kind in sms_kinds()}


@dataclass(frozen=True)
class Delivery:
    """Where a new notice goes: by e-mail or not, and the number for its SMS (None: no SMS)."""

    email: bool
    phone: str | None = None


EMAIL_ONLY = Delivery(email=True)


def delivery_for(*, user: Any, kind: str) -> Delivery:
    """The channels of a new notice of ``kind`` to ``user``.

    No query for a kind without SMS; one (the number) for someone without a verified number;
    two otherwise (the number, then the choice).
    """
    registered = notice_kind(kind)
    if registered is None or not registered.sms or not registered.in_inbox:
        return EMAIL_ONLY
    phone = verified_phone(user)
    if phone is None:
        return EMAIL_ONLY
    choice = (
        ChannelPreference.objects.filter(user=user, kind=kind)
        .values_list("channels", flat=True)
        .first()
    ) or default_channels(registered)
    if choice == ChannelPreference.Channels.EMAIL:
        return EMAIL_ONLY
    return Delivery(email=choice == ChannelPreference.Channels.BOTH, phone=phone)


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def channel_preferences_set(*, user: Any, choices: dict[str, str]) -> dict[str, str]:
    """Store the person's choice for each SMS kind; unknown kinds and channels are ignored.

    A choice equal to the kind's default is stored too: a later change of the default does not
    override what the person chose.
    """
    valid = set(ChannelPreference.Channels.values)
    codes = {kind.code for kind in sms_kinds()}
    for code, channels in choices.items():
        if code in codes and channels in valid:
            ChannelPreference.objects.update_or_create(
                user=user, kind=code, defaults={"channels": channels}
            )
    return chosen_channels(user)
