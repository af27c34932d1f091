"""Officer actions that do not change an application's status (those are in decisions.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.models import ApplicationEvent, InternalNote, Status
from cases.assignment import require_officer
from cases.errors import WorkflowError
from documents.models import Document


@transaction.atomic
def document_review(*, document_id: int, actor: User, verdict: str, reason: str = "") -> Document:
    """Record an officer's verdict on a document; the reason is what the student will read."""
    require_officer(actor)
    document = (
        Document.objects.select_for_update().select_related("application").get(pk=document_id)
    )
    if document.application.status not in (Status.UNDER_REVIEW, Status.INFO_REQUESTED):
        raise WorkflowError(_("Documents are reviewed only while the application is in review."))
    if verdict not in (Document.Review.ACCEPTED, Document.Review.NEEDS_REPLACEMENT):
        raise WorkflowError(_("Choose accepted or needs replacement."))
    reason = reason.strip()
    if verdict == Document.Review.NEEDS_REPLACEMENT and not reason:
        raise WorkflowError(_("Tell the student why the document must be replaced."))
    document.review = verdict
    document.review_reason = reason if verdict == Document.Review.NEEDS_REPLACEMENT else ""
    document.reviewed_by = actor
    document.reviewed_at = timezone.now()
    document.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
    ApplicationEvent.objects.create(
        application_id=document.application_id,
        kind=ApplicationEvent.Kind.DOCUMENT_REVIEWED,
        actor=actor,
        data={"document": document.pk, "kind": document.kind, "verdict": verdict},
    )
    return document


@transaction.atomic
def note_add(*, application_id: int, actor: User, body: str) -> InternalNote:
    require_officer(actor)
    body = body.strip()
    if not body:
        raise WorkflowError(_("Write the note first."))
    return InternalNote.objects.create(application_id=application_id, author=actor, body=body)
