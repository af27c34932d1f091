"""Account services: consent to the data-protection notice, the profile, the language, and the
authenticator app of accounts made by commands. The export of a person's data and the deletion
of an account cover their cases too, so they live with the cases (``applications.account_data``).
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Profile, User

if TYPE_CHECKING:
    from allauth.mfa.models import Authenticator

# Bump when the notice's content changes; acceptance of an older version is asked again.
PRIVACY_NOTICE_VERSION = "2026-11"

PROFILE_FIELDS = ("surname", "given_names", "date_of_birth", "phone", "fin")


class AccountError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def has_current_consent(user: User) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.privacy_notice_version == PRIVACY_NOTICE_VERSION


@transaction.atomic
def privacy_notice_accept(*, user: User) -> Profile:
    profile, _created = Profile.objects.select_for_update().get_or_create(
        user=user,
        defaults={
            "privacy_notice_version": PRIVACY_NOTICE_VERSION,
            "privacy_notice_accepted_at": timezone.now(),
        },
    )
    if profile.privacy_notice_version != PRIVACY_NOTICE_VERSION:
        profile.privacy_notice_version = PRIVACY_NOTICE_VERSION
        profile.privacy_notice_accepted_at = timezone.now()
        profile.save(update_fields=["privacy_notice_version", "privacy_notice_accepted_at"])
    return profile


@transaction.atomic
def profile_update(*, user: User, data: dict[str, Any], preferred_language: str) -> Profile:
    """Save the profile fields; the form has validated them."""
    profile = Profile.objects.select_for_update().get(user=user)
    for name in PROFILE_FIELDS:
        setattr(profile, name, data[name])
    profile.full_clean()
    profile.save()
    user.preferred_language = preferred_language
    user.save(update_fields=["preferred_language"])
    return profile


def preferred_language_set(*, user: User, language: str) -> None:
    """Remember the language chosen in the header: pages and emails follow it."""
    if language not in dict(settings.LANGUAGES) or user.preferred_language == language:
        return
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def email_mark_verified(*, user: User) -> None:
    """Record the account's address as verified (demo and staff accounts made by commands)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def totp_secret_normalise(secret: str) -> str:
    """The base32 secret as authenticator apps and allauth expect it: upper case, no spaces.

    Raises ``ValueError`` for anything that is not base32 of a whole number of bytes.
    """
    normalised = "".join(secret.split()).upper()
    try:
        decoded = base64.b32decode(normalised)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{secret!r} is not a base32 secret (A-Z and 2-7, length 8n)") from exc
    if len(decoded) < 10:
        raise ValueError("A TOTP secret needs at least 80 bits (16 base32 characters).")
    return normalised


@transaction.atomic
def totp_authenticator_set(*, user: User, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with this known base32 ``secret``, and recovery codes.

    For accounts made by commands (the demo officer and supervisor), whose secret is printed so
    a person can add it to their app; everyone else sets up their app on the portal's page,
    where allauth generates the secret. Idempotent: an existing authenticator is given this
    secret if it had another one, and recovery codes are made only if there are none.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.utils import decrypt, encrypt

    secret = totp_secret_normalise(secret)
    authenticator = (
        Authenticator.objects.select_for_update()
        .filter(user_id=user.pk, type=Authenticator.Type.TOTP)
        .first()
    )
    if authenticator is None:
        authenticator = Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
        )
    elif decrypt(authenticator.data["secret"]) != secret:
        authenticator.data = {**authenticator.data, "secret": encrypt(secret)}
        authenticator.save(update_fields=["data"])
    RecoveryCodes.activate(user)
    return authenticator
