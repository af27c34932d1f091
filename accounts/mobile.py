"""The verified mobile number: SMS notices go to it, and only once a code sent to it was entered.

A number is read with ``phonenumbers`` as a Turkish or an Azerbaijani number, in international
(+90 532 …, 0090 …, +994 50 …, 00994 …) or national form (0532 …, 050 …), and kept in E.164
(+905321234567). Only mobile numbers of those two countries are accepted: a landline or a
service number cannot receive an SMS, and the portal's provider sends to TR and AZ only.

Entering a number sends a 6-digit one-time code to it by SMS, through the outbox like every
other notice but to the number being verified (``notify_phone``): the code is what proves the
number is the person's. Only a keyed hash of the code is kept (``MobileCode``); it is valid
``CODE_VALID_MINUTES`` minutes and for ``MAX_WRONG_TRIES`` wrong tries, and codes are sent at
most once every ``RESEND_SECONDS`` seconds and ``MAX_CODES_PER_DAY`` times in 24 hours per
person (counted in the database, so every web process counts the same). A verified number stays
in use until another number is verified in its place or it is removed.

The outbox learns the verified number through ``verified_mobile``, which accounts registers
with it at start-up (``AccountsConfig.ready``): the outbox imports no account model.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import phonenumbers
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.kinds import NoticeKind, register
from notifications.services import notify_phone

from .models import MobileCode, Profile, User

REGIONS = ("TR", "AZ")
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
CODE_DIGITS = 6
CODE_VALID_MINUTES = 10
MAX_WRONG_TRIES = 5
RESEND_SECONDS = 60
MAX_CODES_PER_DAY = 5

MOBILE_CODE = register(
    NoticeKind(
        code="mobile_code",
        label=gettext_lazy("Mobile number verification code"),
        in_inbox=False,
        sms=gettext_lazy(
            "%(code)s is your code for the student permit portal. It is valid for %(minutes)s "
            "minutes. Do not give it to anyone."
        ),
    )
)


class MobileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading a number ----------------------------------------------------------------------


def _parsed(raw: str) -> phonenumbers.PhoneNumber | None:
    """The first valid reading of ``raw`` as a Turkish, then an Azerbaijani number.

    The national forms do not overlap: a Turkish mobile has 10 digits after the 0, an
    Azerbaijani one 9, so at most one reading of a national number is valid.
    """
    for region in REGIONS:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def mobile_parse(raw: str) -> str:
    """``raw`` as an E.164 mobile number of Türkiye or Azerbaijan; ``MobileError`` otherwise."""
    number = _parsed(raw.strip()[:40]) if raw and raw.strip() else None
    if number is None:
        raise MobileError(
            _(
                "This is not a phone number we can read. Write it with the country code, for "
                "example +90 532 123 45 67 or +994 50 123 45 67."
            )
        )
    if phonenumbers.region_code_for_number(number) not in REGIONS:
        raise MobileError(
            _("Only mobile numbers of Türkiye (+90) and Azerbaijan (+994) can receive our SMS.")
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise MobileError(
            _(
                "This is not a mobile number (it looks like a landline or a service number). "
                "SMS can only go to a mobile number."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_display(e164: str) -> str:
    """+905321234567 as people write it: +90 532 123 45 67."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- selectors -----------------------------------------------------------------------------


def _verified(user_id: Any) -> QuerySet[Profile]:
    return Profile.objects.filter(user_id=user_id, mobile_verified_at__isnull=False).exclude(
        mobile=""
    )


def verified_mobile(user: Any) -> str | None:
    """The user's verified mobile number in E.164, or None (one query). The outbox's resolver."""
    number: str | None = _verified(user.pk).values_list("mobile", flat=True).first()
    return number


def verified_mobile_of(user_id_field: str) -> Subquery:
    """``verified_mobile`` in SQL, for the user whose id is at ``user_id_field`` of the outer
    query: what the set-based sweeps (notifications.bulk) send SMS to."""
    return Subquery(_verified(OuterRef(user_id_field)).values("mobile")[:1])


def _newest_code(user: User) -> MobileCode | None:
    return MobileCode.objects.filter(user=user).order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class MobileState:
    verified: str  # E.164, or ""
    pending: str  # the number a code was sent to and not yet entered, or ""
    pending_expired: bool
    resend_in_seconds: int  # 0: a new code may be sent now (within the daily limit)


def mobile_state(user: User) -> MobileState:
    profile = Profile.objects.filter(user=user).first()
    verified = profile.mobile if profile and profile.mobile_verified_at else ""
    newest = _newest_code(user)
    now = timezone.now()
    pending = newest if newest is not None and newest.used_at is None else None
    wait = 0
    if newest is not None:
        wait = max(
            0, int((newest.created_at + timedelta(seconds=RESEND_SECONDS) - now).total_seconds())
        )
    return MobileState(
        verified=verified,
        pending=pending.number if pending else "",
        pending_expired=bool(
            pending and (pending.expires_at <= now or pending.wrong_tries >= MAX_WRONG_TRIES)
        ),
        resend_in_seconds=wait,
    )


# --- services ------------------------------------------------------------------------------


def _code_hash(user: User, number: str, code: str) -> str:
    # Keyed (SECRET_KEY): six digits are a million possibilities, too few for a plain hash.
    return salted_hmac(
        "accounts.mobile.code", f"{user.pk}:{number}:{code}", algorithm="sha256"
    ).hexdigest()


def _code_send(*, user: User, number: str) -> MobileCode:
    """A new code for ``number``, within the limits; the SMS goes through the outbox."""
    now = timezone.now()
    today = MobileCode.objects.filter(user=user, created_at__gt=now - timedelta(days=1))
    newest = today.order_by("-created_at").first()
    if newest is not None and newest.created_at > now - timedelta(seconds=RESEND_SECONDS):
        wait = (
            int((newest.created_at + timedelta(seconds=RESEND_SECONDS) - now).total_seconds()) + 1
        )
        raise MobileError(
            ngettext(
                "A code was sent a moment ago. You can ask for another one in %(seconds)d second.",
                "A code was sent a moment ago. You can ask for another one in %(seconds)d seconds.",
                wait,
            )
            % {"seconds": wait}
        )
    if today.count() >= MAX_CODES_PER_DAY:
        raise MobileError(
            _(
                "You have asked for %(count)d codes in the last 24 hours, the most we send. "
                "Please try again tomorrow."
            )
            % {"count": MAX_CODES_PER_DAY}
        )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = MobileCode.objects.create(
        user=user,
        number=number,
        code_hash=_code_hash(user, number, code),
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_VALID_MINUTES),
    )
    notify_phone(
        kind=MOBILE_CODE,
        to_phone=number,
        language=user.preferred_language,
        recipient=user,
        dedupe_key=f"mobile-code:{row.pk}",
        sealed={"code": code, "minutes": str(CODE_VALID_MINUTES)},
        send_before=row.expires_at,
    )
    return row


@transaction.atomic
def mobile_set(*, user: User, raw: str) -> MobileCode:
    """Read the number the person entered and send a code to it; nothing is saved if the number
    is refused or a code cannot be sent yet (``MobileError`` says why)."""
    number = mobile_parse(raw)
    # One person's requests one after another: the limits count rows this would add.
    profile = Profile.objects.select_for_update().get(user=user)
    if profile.mobile == number and profile.mobile_verified_at is not None:
        raise MobileError(_("This number is already verified."))
    return _code_send(user=user, number=number)


@transaction.atomic
def mobile_code_resend(*, user: User) -> MobileCode:
    """Another code for the number waiting to be verified, within the same limits."""
    Profile.objects.select_for_update().get(user=user)
    newest = _newest_code(user)
    if newest is None or newest.used_at is not None:
        raise MobileError(_("Enter your mobile number first."))
    return _code_send(user=user, number=newest.number)


@transaction.atomic
def _code_check(*, user: User, code: str) -> str:
    """Check ``code`` against the newest code; "" when it verified the number, else why not.

    Returns instead of raising, so that a wrong try is counted: the transaction commits.
    """
    profile = Profile.objects.select_for_update().get(user=user)
    newest = _newest_code(user)
    if newest is None or newest.used_at is not None:
        return _("No code is waiting to be entered. Enter your mobile number to get one.")
    if newest.wrong_tries >= MAX_WRONG_TRIES:
        return _("The code was entered wrongly too many times. Ask for a new code.")
    now = timezone.now()
    if newest.expires_at <= now:
        return _("This code has expired. Ask for a new code.")
    if not constant_time_compare(_code_hash(user, newest.number, code), newest.code_hash):
        newest.wrong_tries += 1
        newest.save(update_fields=["wrong_tries"])
        left = MAX_WRONG_TRIES - newest.wrong_tries
        if left == 0:
            return _(
                "The code is wrong. It was entered wrongly too many times: ask for a new code."
            )
        return ngettext(
            "The code is wrong. You can try %(left)d more time.",
            "The code is wrong. You can try %(left)d more times.",
            left,
        ) % {"left": left}
    newest.used_at = now
    newest.save(update_fields=["used_at"])
    profile.mobile = newest.number
    profile.mobile_verified_at = now
    profile.save(update_fields=["mobile", "mobile_verified_at"])
    return ""


def mobile_verify(*, user: User, code: str) -> None:
    """Verify the number waiting with the code sent to it; ``MobileError`` if it is not right."""
    code = "".join(code.split())
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise MobileError(_("Enter the 6 digits of the code we sent you."))
    error = _code_check(user=user, code=code)
    if error:
        raise MobileError(error)


@transaction.atomic
def mobile_remove(*, user: User) -> None:
    """No SMS any more: the verified number is forgotten (notices come by e-mail)."""
    profile = Profile.objects.select_for_update().get(user=user)
    profile.mobile = ""
    profile.mobile_verified_at = None
    profile.save(update_fields=["mobile", "mobile_verified_at"])
    MobileCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
