"""Student-side services that change an application without changing its status.

Status changes live in ``workflow.py`` and ``decisions.py``; these services use the same
lock-and-version discipline so two tabs cannot overwrite each other silently.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import day_start
from documents.models import Document
from documents.validation import (
    CleanFile,
    check_application_quota,
    random_storage_name,
    validate_upload,
)
from rules import eligibility
from rules.policies import eligibility_evaluate

from .models import OPEN_STATUSES, Application, ApplicationEvent, Message, Status
from .notices import notify_message, notify_passport_too_short
from .permissions import can_view_application
from .precheck_flow import last_returned_round
from .sections import Section
from .selectors import open_info_request
from .workflow import (
    NotPermitted,
    WorkflowError,
    application_rule_input,
    check_version,
    require_applicant,
)

DOCUMENT_KIND_CODES = frozenset(code for code, _label in eligibility.DOCUMENT_KINDS)


def _lock_own(application_id: int, actor: User) -> Application:
    application = Application.objects.select_for_update().get(pk=application_id)
    require_applicant(application, actor)
    return application


@transaction.atomic
def application_update_section(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    section: Section,
    values: dict[str, Any],
) -> Application:
    """Save one step of a draft. The step form has validated ``values``."""
    application = _lock_own(application_id, actor)
    check_version(application, expected_version=expected_version)
    if application.status != Status.DRAFT:
        raise WorkflowError(_("A submitted application can no longer be edited."))
    for name in section.fields:
        if name in values:
            setattr(application, name, values[name])
    application.full_clean(exclude=["applicant"])
    application.version += 1
    application.save()
    return application


def _replaceable_kinds(application: Application) -> frozenset[str] | None:
    """Kinds the applicant may change now; None means every kind (a draft)."""
    if application.status == Status.DRAFT:
        return None
    if application.status == Status.INFO_REQUESTED:
        request = open_info_request(application)
        if request is not None:
            # "other" lets the student add an explanation the officer did not foresee.
            return frozenset([*request.document_kinds, "other"])
    if application.status == Status.RETURNED:
        returned = last_returned_round(application)
        if returned is not None:
            return frozenset([*returned.returned_documents, "other"])
    return frozenset()


def _ensure_may_change(application: Application, kind: str) -> None:
    allowed = _replaceable_kinds(application)
    if allowed is not None and kind not in allowed:
        raise WorkflowError(
            _(
                "Documents can be changed only while the application is a draft, or when an "
                "information request or your university asks for them."
            )
        )


@transaction.atomic
def document_upload(
    *, application_id: int, actor: User, kind: str, uploaded: UploadedFile
) -> Document:
    """Validate and store a document; a rejected file stores nothing (UploadRejected)."""
    if kind not in DOCUMENT_KIND_CODES:
        raise WorkflowError(_("Choose what kind of document this is."))
    application = _lock_own(application_id, actor)
    _ensure_may_change(application, kind)
    document = _store_document(application, kind=kind, clean=validate_upload(uploaded), actor=actor)
    Application.objects.filter(pk=application.pk).update(version=application.version + 1)
    return document


def _store_document(
    application: Application, *, kind: str, clean: CleanFile, actor: User
) -> Document:
    """Keep a validated file as the current document of its kind (the caller holds the lock).

    Raises UploadRejected, storing nothing, if the application's current documents would
    exceed ``APPLICATION_MAX_BYTES`` together (the one this file replaces not counted).
    """
    previous = None
    if kind != "other":
        previous = application.documents.filter(kind=kind, is_current=True).first()
    kept = application.documents.filter(is_current=True)
    if previous is not None:
        kept = kept.exclude(pk=previous.pk)
    check_application_quota(
        kept_bytes=kept.aggregate(total=Coalesce(Sum("size"), 0))["total"], clean=clean
    )
    if previous is not None:
        if application.status == Status.DRAFT:
            # A draft's earlier file is not evidence of anything: keep no copy of it.
            _delete_document(previous)
        else:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
    document = Document(
        application=application,
        kind=kind,
        original_name=clean.original_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=actor,
    )
    # Stored under our own random name: FieldFile.save would prefix upload_to a second time.
    document.file.name = document.file.storage.save(
        random_storage_name(clean), ContentFile(clean.content)
    )
    try:
        document.save()
        if application.status != Status.DRAFT:
            ApplicationEvent.objects.create(
                application=application,
                kind=ApplicationEvent.Kind.DOCUMENT_UPLOADED,
                actor=actor,
                data={
                    "kind": kind,
                    "document": document.pk,
                    "replaces": getattr(previous, "pk", None),
                },
            )
    except BaseException:
        # The row will not exist, so neither may the file.
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def application_passport_update(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    passport_number: str,
    issue_date: date,
    expiry_date: date,
    identity_page: UploadedFile,
) -> Application:
    """A renewed passport, reported while the application is being considered.

    The new identity page replaces the old one (which is kept as evidence), the rules are
    evaluated again on the original evaluation date, and a passport that is still too short is
    reported to the student at once.
    """
    application = _lock_own(application_id, actor)
    check_version(application, expected_version=expected_version)
    if application.status not in OPEN_STATUSES:
        raise WorkflowError(
            _(
                "Passport details can be changed here only while the application is being "
                "considered."
            )
        )
    clean = validate_upload(identity_page)
    previous_expiry = application.passport_expiry_date
    application.passport_number = passport_number
    application.passport_issue_date = issue_date
    application.passport_expiry_date = expiry_date
    application.full_clean(exclude=["applicant"])
    on = application.evaluated_on or timezone.localdate()
    outcome, version = eligibility_evaluate(inputs=application_rule_input(application, on=on))
    application.eligibility_outcome = outcome.to_dict()
    application.passport_required_until = outcome.passport_required_until
    application.policy_version = version
    application.version += 1
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.PASSPORT_UPDATED,
        actor=actor,
        data={
            "previous_expiry": previous_expiry.isoformat() if previous_expiry else None,
            "expiry": expiry_date.isoformat(),
            "passport_ok": outcome.passport_ok,
        },
    )
    notify_passport_too_short(application=application, today=timezone.localdate())
    # Last, so nothing after the file is stored can fail and leave it behind.
    _store_document(application, kind="passport_identity_page", clean=clean, actor=actor)
    return application


def _delete_document(document: Document) -> None:
    file = document.file
    document.delete()
    transaction.on_commit(lambda: file.delete(save=False))


@transaction.atomic
def document_delete(*, document_id: int, actor: User) -> None:
    document = Document.objects.select_related("application").get(pk=document_id)
    application = _lock_own(document.application_id, actor)
    _ensure_may_change(application, document.kind)
    request = open_info_request(application)
    if application.status != Status.DRAFT and (
        request is None or document.uploaded_at < request.created_at
    ):
        raise WorkflowError(
            _("A document the officer has already seen cannot be deleted; upload a new one.")
        )
    _delete_document(document)
    Application.objects.filter(pk=application.pk).update(version=application.version + 1)


@transaction.atomic
def message_send(*, application_id: int, actor: User, body: str) -> Message:
    body = body.strip()
    if not body:
        raise WorkflowError(_("Write a message first."))
    application = Application.objects.select_for_update().get(pk=application_id)
    if not can_view_application(actor, application):
        raise NotPermitted(_("You cannot write in this application's thread."))
    if application.status == Status.DRAFT:
        raise WorkflowError(_("Messages can be sent once the application is submitted."))
    message = Message.objects.create(application=application, sender=actor, body=body)
    notify_message(application=application, sender=actor, message_id=message.pk)
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.MESSAGE,
        actor=actor,
        data={"message": message.pk},
    )
    return message


PROFILE_TO_APPLICATION = ("surname", "given_names", "date_of_birth", "phone", "fin")


@transaction.atomic
def application_prefill_from_profile(*, application: Application, user: User) -> None:
    """Copy what the student already told us into a new draft, so nothing is typed twice."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return
    values = {name: getattr(profile, name) for name in PROFILE_TO_APPLICATION}
    filled = [name for name, value in values.items() if value not in (None, "")]
    for name in filled:
        setattr(application, name, values[name])
    application.save(update_fields=[*filled, "updated_at"])


def _never_submitted() -> Q:
    return Q(submitted_at__isnull=True, status__in=[Status.DRAFT, Status.WITHDRAWN])


@transaction.atomic
def draft_purge(*, application_id: int) -> None:
    """Delete a never-submitted application with its documents, history and files.

    Only drafts (or drafts discarded before submission) can go: a submitted application is an
    administrative record, and the database refuses to delete its history.
    """
    application = (
        Application.objects.select_for_update().filter(_never_submitted()).get(pk=application_id)
    )
    files = [doc.file for doc in application.documents.all()]
    application.events.all().delete()
    application.delete()
    # Files go only once the rows are gone for good.
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


def drafts_purge_inactive(*, days: int | None = None) -> int:
    """Delete drafts nobody has touched for ``DRAFT_RETENTION_DAYS`` days; return how many."""
    days = settings.DRAFT_RETENTION_DAYS if days is None else days
    # By calendar day, so the date a reminder announced is the day the draft goes: last changed
    # on day D, deleted by the first sweep on day D + days.
    last_kept_day = timezone.localdate() - timedelta(days=days - 1)
    cutoff = day_start(last_kept_day)
    stale = Application.objects.filter(_never_submitted(), updated_at__lt=cutoff)
    count = 0
    for application_id in stale.values_list("pk", flat=True).iterator():
        draft_purge(application_id=application_id)
        count += 1
    return count


def access_record(
    *, application: Application, actor: User, document: Document | None = None
) -> None:
    """The access log: who opened which application or document, and when."""
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.DOCUMENT_VIEWED if document else ApplicationEvent.Kind.VIEWED,
        actor=actor,
        data={"document": document.pk, "kind": document.kind} if document else {},
    )
