"""Account services: consent to the data-protection notice, the profile, export and deletion,
and the authenticator app of accounts made by commands."""

from __future__ import annotations

import base64
import binascii
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import STUDENT_EVENT_KINDS
from applications.services import draft_purge

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


def _application_record(application: Application) -> dict[str, Any]:
    fields = {
        field.name: getattr(application, field.attname)
        for field in Application._meta.concrete_fields
        if field.name not in {"applicant", "assignee", "university", "province", "policy_version"}
        # Derived for officers' search (keyed hashes, folded text): not data about the person.
        and field.name not in {"search_text", *Application.HASHED_FIELDS.values()}
    }
    fields["university"] = str(application.university) if application.university else None
    fields["province"] = str(application.province) if application.province else None
    fields["policy_version"] = (
        application.policy_version.number if application.policy_version else None
    )
    fields["status_label"] = application.get_status_display()
    fields["documents"] = [
        {
            "kind": doc.kind,
            "original_name": doc.original_name,
            "content_type": doc.content_type,
            "size": doc.size,
            "sha256": doc.sha256,
            "uploaded_at": doc.uploaded_at,
            "current": doc.is_current,
            "review": doc.review,
            "review_reason": doc.review_reason,
            "file_in_archive": f"documents/{application.pk}/{doc.pk}-{doc.original_name}",
        }
        for doc in application.documents.all()
    ]
    fields["events"] = [
        {
            "when": event.created_at,
            "kind": event.kind,
            "from": event.from_status,
            "to": event.to_status,
            "note": event.note,
        }
        for event in application.events.filter(kind__in=STUDENT_EVENT_KINDS)
    ]
    fields["information_requests"] = list(
        application.info_requests.values(
            "message", "document_kinds", "due_date", "state", "response", "responded_at"
        )
    )
    fields["messages"] = [
        {"when": m.created_at, "from_me": m.sender_id == application.applicant_id, "body": m.body}
        for m in application.messages.all()
    ]
    permit = getattr(application, "permit", None)
    if permit is not None:
        fields["permit"] = {
            "number": permit.number,
            "valid_from": permit.valid_from,
            "valid_to": permit.valid_to,
        }
    return fields


def account_export(*, user: User) -> bytes:
    """Everything the portal holds about ``user``: data.json plus their documents, zipped."""
    profile = getattr(user, "profile", None)
    record = {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "profile": None
        if profile is None
        else {
            "privacy_notice_version": profile.privacy_notice_version,
            "privacy_notice_accepted_at": profile.privacy_notice_accepted_at,
            **{name: getattr(profile, name) for name in PROFILE_FIELDS},
        },
        "applications": [],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        applications = user.applications.select_related(
            "university", "province", "policy_version"
        ).order_by("created_at")
        for application in applications:
            entry = _application_record(application)
            record["applications"].append(entry)
            for doc, meta in zip(application.documents.all(), entry["documents"], strict=True):
                with doc.file.open("rb") as handle:
                    archive.writestr(meta["file_in_archive"], handle.read())
            permit = getattr(application, "permit", None)
            if permit is not None and permit.letter:
                with permit.letter.open("rb") as handle:
                    archive.writestr(f"letters/{permit.number}.pdf", handle.read())
        archive.writestr(
            "data.json",
            json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
    return buffer.getvalue()


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account and its drafts; refused once anything has been submitted.

    A submitted application is an administrative record the authority must keep.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.applications.filter(submitted_at__isnull=False).exists():
        raise AccountError(
            _(
                "Your account cannot be deleted because you have submitted an application. "
                "The migration authority keeps submitted applications as the law requires."
            )
        )
    for application_id in user.applications.values_list("pk", flat=True):
        draft_purge(application_id=application_id)
    user.delete()


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
