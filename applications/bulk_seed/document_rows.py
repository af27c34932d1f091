"""The documents of each application, as metadata; the first few submitted applications
(``--files``) get real small files in the document storage."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Status
from applications.sample_files import tiny_pdf, tiny_png
from documents.models import Document
from rules import eligibility

if TYPE_CHECKING:
    from .context import SeedContext
    from .copy_writer import Table
    from .students import Student


def add_document_rows(
    ctx: SeedContext, app: dict[str, Any], s: Student, t: dict[str, Table]
) -> None:
    """The documents the rules required on the day (a draft has some of them, or none), reviewed
    as far as the application got."""
    rng = ctx.rng
    status = app["status"]
    on = timezone.localdate(app["submitted_at"] or app["updated_at"])
    kinds = [
        requirement.code
        for requirement in eligibility.required_documents(birth_date=s.date_of_birth, on=on)
    ]
    if status == Status.DRAFT:
        kinds = kinds[: rng.randint(0, len(kinds))] if app["_filled"] >= 3 else []
    real = bool(kinds) and status != Status.DRAFT and ctx.files_left > 0
    if real:
        ctx.files_left -= 1
    uploaded_base = app["created_at"]
    for position, kind in enumerate(kinds):
        uploaded_at = uploaded_base + timedelta(minutes=3 * position + 1)
        if kind == "photo":
            content_type, original = "image/jpeg", "foto.jpg"
        else:
            content_type, original = "application/pdf", f"{kind.replace('_', '-')}.pdf"
        if real:
            content = tiny_png() if kind == "photo" else tiny_pdf(kind.replace("_", " "))
            if kind == "photo":
                content_type, original = "image/png", "foto.png"
            name = Document._meta.get_field("file").storage.save(
                f"documents/seed/{app['id']}-{kind}.{original.rsplit('.', 1)[1]}",
                ContentFile(content),
            )
            size, digest = len(content), hashlib.sha256(content).hexdigest()
        else:
            name = f"documents/seed/{app['id']}-{kind}.{original.rsplit('.', 1)[1]}"
            size, digest = rng.randint(60_000, 2_500_000), f"{rng.getrandbits(256):064x}"
        review, reason, reviewer, reviewed_at = Document.Review.PENDING, "", None, None
        if status in (Status.APPROVED, Status.REJECTED) or (
            status in (Status.UNDER_REVIEW, Status.INFO_REQUESTED) and rng.random() < 0.5
        ):
            review, reviewer = Document.Review.ACCEPTED, app["assignee_id"]
            reviewed_at = app["updated_at"]
        if status == Status.INFO_REQUESTED and kind == "photo":
            review, reviewer = Document.Review.NEEDS_REPLACEMENT, app["assignee_id"]
            reason, reviewed_at = "Not a biometric photo.", app["updated_at"]
        t["document"].add(
            application_id=app["id"],
            kind=kind,
            file=name,
            original_name=original,
            content_type=content_type,
            size=size,
            sha256=digest,
            uploaded_by_id=s.pk,
            uploaded_at=uploaded_at,
            is_current=True,
            review=review,
            review_reason=reason,
            reviewed_by_id=reviewer,
            reviewed_at=reviewed_at,
        )
