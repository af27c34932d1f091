"""A student's reports in their data export (KVKK access right)."""

from __future__ import annotations

from typing import Any

from .models import Report, ReportEvent


def report_personal_data(user: Any) -> tuple[str, list[dict[str, Any]], list[tuple[str, Any]]]:
    records: list[dict[str, Any]] = []
    files: list[tuple[str, Any]] = []
    reports = Report.objects.filter(applicant=user).select_related("permit").order_by("pk")
    for report in reports:
        record: dict[str, Any] = {
            "reference": report.reference,
            "permit": report.permit.number,
            "type": report.type,
            "type_label": str(report.get_type_display()),
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "changed_on": report.changed_on,
            "due_on": report.due_on,
            "late": report.late,
            "details": report.details,
            "passport_number": report.passport_number,
            "submitted_at": report.submitted_at,
            "decided_at": report.decided_at,
            "decision_note": report.decision_note,
            "events": [
                {
                    "when": event.created_at,
                    "kind": event.kind,
                    "from": event.from_status,
                    "to": event.to_status,
                    "note": event.note,
                }
                for event in report.events.exclude(kind=ReportEvent.Kind.VIEWED)
            ],
        }
        if report.attachment:
            path = f"reports/{report.reference}-{report.attachment_name}"
            record["file_in_archive"] = path
            files.append((path, report.attachment))
        records.append(record)
    return "reports", records, files
