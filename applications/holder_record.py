"""The permit holder's record after the decision: the application that granted the permit.

What a holder later reports (a new address, a renewed passport, another university) and an
officer accepts is written here, onto that application, so that the letter's data, the
passport reminders and the prefill of an extension all read the record as it now is. The
evidence is kept as the application's current document of its kind; the one it replaces stays
as evidence, not current.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cases.errors import WorkflowError
from documents.validation import CleanFile
from permits.models import GRANTED, Permit, PermitStatus

from .decisions import permit_bounds
from .models import Application, ApplicationEvent
from .services import _store_document

# What a report may change on the record; anything else is not the holder's to report.
RECORD_FIELDS = frozenset(
    {
        "passport_number",
        "passport_issue_date",
        "passport_expiry_date",
        "passport_issuing_authority",
        "province",
        "district",
        "neighbourhood",
        "address_line",
        "postal_code",
        "university",
        "faculty",
        "department",
        "student_number",
        "programme_end",
    }
)


@dataclass(frozen=True)
class Reevaluation:
    """What the rules give the permit with the record changed: its bounds, as if granted now."""

    permit_end: date  # the latest end the rules allow (programme end, capped by the passport)
    current_end: date

    @property
    def allows_longer(self) -> bool:
        return self.permit_end > self.current_end

    @property
    def allows_only_shorter(self) -> bool:
        return self.permit_end < self.current_end


def _check_changes(changes: dict[str, Any]) -> None:
    unknown = set(changes) - RECORD_FIELDS
    if unknown:
        raise ValueError(f"Not part of the holder's record: {sorted(unknown)}")


def record_reevaluate(permit: Permit, *, changes: dict[str, Any]) -> Reevaluation:
    """The rules on the record with ``changes`` applied (nothing is saved), evaluated on the
    permit's first day, as when it was granted."""
    _check_changes(changes)
    application = copy.copy(permit.application)
    for name, value in changes.items():
        setattr(application, name, value)
    _start, end = permit_bounds(application, on=permit.valid_from)
    return Reevaluation(permit_end=end, current_end=permit.valid_to)


@transaction.atomic
def record_update(
    *,
    permit: Permit,
    actor: User,
    changes: dict[str, Any],
    document: tuple[str, CleanFile] | None = None,
    report_reference: str = "",
) -> Application:
    """Write accepted changes onto the record of ``permit``; the caller holds the report's lock."""
    _check_changes(changes)
    application = Application.objects.select_for_update().get(pk=permit.application_id)
    if application.status != GRANTED or permit.status != PermitStatus.VALID:
        raise WorkflowError(_("This permit is no longer valid, so its record cannot change."))
    previous = {name: getattr(application, name) for name in changes}
    for name, value in changes.items():
        setattr(application, name, value)
    application.full_clean(exclude=["applicant"])
    application.version += 1
    application.save()
    passport = "passport_expiry_date" in changes
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.PASSPORT_UPDATED
        if passport
        else ApplicationEvent.Kind.RECORD_UPDATED,
        actor=actor,
        data={
            "report": report_reference,
            # Which fields changed, and the dates' old values; never an old passport number.
            "fields": sorted(changes),
            **({"previous_expiry": _iso(previous["passport_expiry_date"])} if passport else {}),
        },
    )
    if document is not None:
        kind, clean = document
        _store_document(application, kind=kind, clean=clean, actor=actor)
    return application


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None
