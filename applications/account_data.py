"""Everything the portal holds about a student, to take away (KVKK access right) or to delete.

Both cover the person's cases, so they live here, above the apps whose records they gather,
rather than in ``accounts``, which knows nothing of cases.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import PROFILE_FIELDS, AccountError
from cases.registry import student_sides
from notifications.models import ChannelPreference

from .models import Application
from .selectors import STUDENT_EVENT_KINDS
from .services import draft_purge


def _application_record(application: Application) -> dict[str, Any]:
    fields = {
        field.name: getattr(application, field.attname)
        for field in Application._meta.concrete_fields
        if field.name
        not in {"applicant", "assignee", "university", "province", "policy_version", "extends"}
        # Derived for officers' search (keyed hashes, folded text): not data about the person.
        and field.name not in {"search_text", *Application.HASHED_FIELDS.values()}
    }
    # An extension names the permit it extends by its number, as the student knows it.
    fields["extends"] = application.extends.number if application.extends else None
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
    enrolment = getattr(application, "enrolment", None)
    fields["enrolment_confirmation"] = (
        None
        if enrolment is None
        else {
            "number": enrolment.number,
            "status": enrolment.status,
            "level": enrolment.level,
            "field": enrolment.field,
            "programme_start": enrolment.programme_start,
            "programme_end": enrolment.programme_end,
            "decline_reason": enrolment.decline_reason,
            "answered_at": enrolment.answered_at,
        }
    )
    fields["university_document_checks"] = list(
        application.precheck_rounds.values(
            "state", "returned_documents", "note", "created_at", "decided_at"
        )
    )
    permit = getattr(application, "permit", None)
    if permit is not None:
        fields["permit"] = {
            "number": permit.number,
            "valid_from": permit.valid_from,
            "valid_to": permit.valid_to,
            "extends": permit.extends.number if permit.extends else None,
            "status": permit.status,
            "card": _card_record(getattr(permit, "card", None)),
        }
    return fields


def _card_record(card: Any) -> dict[str, Any] | None:
    """The permit card's journey by post, as the student's dashboard shows it."""
    if card is None:
        return None
    return {
        name: getattr(card, name)
        for name in (
            "status",
            "ordered_at",
            "printed_on",
            "posted_on",
            "tracking_number",
            "delivered_on",
            "returned_on",
            "collected_on",
            "fee_amount",
            "fee_paid_at",
        )
    } | {"collection_office": str(card.collection_province) if card.collection_province else None}


def account_export(*, user: User) -> bytes:
    """Everything the portal holds about ``user``: data.json plus their documents, zipped."""
    profile = getattr(user, "profile", None)
    record: dict[str, Any] = {
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
            "mobile": profile.mobile,
            "mobile_verified_at": profile.mobile_verified_at,
        },
        # How each kind of notice reaches the student, where they chose (e-mail, SMS, both).
        "notice_channels": list(
            ChannelPreference.objects.filter(user=user).order_by("kind").values("kind", "channels")
        ),
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
        # Every other kind of case the student has (reports...), as each kind gives it.
        for side in student_sides():
            key, records, files = side.personal_data(user)
            record[key] = records
            for path, stored in files:
                with stored.open("rb") as handle:
                    archive.writestr(path, handle.read())
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
        # (A report is made only about a permit, so it implies a submitted application.)
        raise AccountError(
            _(
                "Your account cannot be deleted because you have submitted an application. "
                "The migration authority keeps submitted applications as the law requires."
            )
        )
    for application_id in user.applications.values_list("pk", flat=True):
        draft_purge(application_id=application_id)
    user.delete()
