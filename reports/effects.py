"""What an accepted report changes, by kind: the record, the permit, the way to an extension.

Called by ``services.report_accept`` inside its transaction, with the report locked; returns
what was done, for the report's history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from accounts.models import User
from applications.holder_record import record_reevaluate, record_update
from cases.errors import WorkflowError
from documents.validation import CleanFile, validate_upload
from permits.models import Permit
from permits.services import permit_end, permit_shorten
from rules.policies import policy_version_in_force
from universities.models import Province, University

from .models import Report, ReportType
from .notices import notify_extension_possible

ADDRESS_FIELDS = ("district", "neighbourhood", "address_line", "postal_code")
STUDY_FIELDS = ("faculty", "department", "student_number")


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def record_changes(report: Report) -> dict[str, Any]:
    """The report's details as the record's fields (the officer's page shows the same)."""
    details = report.details
    if report.type == ReportType.ADDRESS:
        return {
            "province": Province.objects.get(pk=details["province"]),
            **{name: details.get(name, "") for name in ADDRESS_FIELDS},
        }
    if report.type == ReportType.PASSPORT:
        return {
            "passport_number": report.passport_number,
            "passport_issue_date": _date(details.get("issue_date")),
            "passport_expiry_date": _date(details.get("expiry_date")),
        }
    if report.type == ReportType.STUDY:
        return {
            "university": University.objects.get(pk=details["university"]),
            "programme_end": _date(details.get("programme_end")),
            **{name: details.get(name, "") for name in STUDY_FIELDS},
        }
    return {}


def _evidence(report: Report, kind: str) -> tuple[str, CleanFile] | None:
    if not report.attachment:
        return None
    with report.attachment.open("rb") as handle:
        content = handle.read()
    # Validated again on the way into the record: the same rules as every upload.
    upload = SimpleUploadedFile(report.attachment_name, content, report.attachment_type)
    return kind, validate_upload(upload)


def _offer_extension(report: Report, permit: Permit, *, today: date) -> bool:
    """A record that now allows a longer permit opens its extension, before the usual window
    when the policy allows it."""
    if not policy_version_in_force(on=today).early_extension_after_passport:
        return False
    if permit.early_extension_from is None or permit.early_extension_from > today:
        permit.early_extension_from = today
        permit.save(update_fields=["early_extension_from"])
    notify_extension_possible(report=report)
    return True


def apply(
    report: Report,
    *,
    actor: User,
    today: date,
    shorten_to: date | None = None,
    shorten_reason: str = "",
) -> dict[str, Any]:
    permit = Permit.objects.select_for_update().get(pk=report.permit_id)
    if report.type == ReportType.END_OF_STUDIES:
        permit_end(
            permit,
            actor=actor,
            on=today,
            note=report.details.get("reason", ""),
            data={"report": report.reference, "studies_ended_on": report.changed_on.isoformat()},
        )
        return {"permit_ended_on": today.isoformat()}
    changes = record_changes(report)
    reevaluation = (
        record_reevaluate(permit, changes=changes)
        if report.type
        in (
            ReportType.PASSPORT,
            ReportType.STUDY,
        )
        else None
    )
    if shorten_to is not None and not (reevaluation and reevaluation.allows_only_shorter):
        raise WorkflowError(
            _("The permit can be shortened only when the new programme ends before it does.")
        )
    evidence_kind = {
        ReportType.PASSPORT: "passport_identity_page",
        ReportType.STUDY: "student_certificate",
    }.get(ReportType(report.type))
    record_update(
        permit=permit,
        actor=actor,
        changes=changes,
        document=_evidence(report, evidence_kind) if evidence_kind else None,
        report_reference=report.reference or "",
    )
    outcome: dict[str, Any] = {"record_updated": sorted(changes)}
    if reevaluation is not None:
        outcome["rules_permit_end"] = reevaluation.permit_end.isoformat()
        if reevaluation.allows_longer:
            outcome["extension_offered"] = _offer_extension(report, permit, today=today)
    if shorten_to is not None:
        if not shorten_reason.strip():
            raise WorkflowError(_("State why the permit is shortened."))
        permit_shorten(permit, actor=actor, valid_to=shorten_to, reason=shorten_reason)
        outcome["permit_shortened_to"] = shorten_to.isoformat()
    return outcome
