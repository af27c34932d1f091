"""Retention for reports: they go with the application whose permit they are about.

When ``applications/retention.py`` anonymises an application, its permit's reports lose what
says who the person is or where they live — the passport number, the address, the free texts,
the attached document — and keep their kind, dates, statuses and history of who did what.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Report, ReportEvent

# What a report's details may keep: no address, no student number.
KEPT_DETAILS = ("university", "university_name", "programme_end", "reason", "other_province")


def reports_anonymise(*, application: Any) -> int:
    """Called inside the application's anonymisation, in its transaction; returns how many."""
    reports = Report.objects.select_for_update().filter(
        permit__application=application, anonymised_at__isnull=True
    )
    files = []
    count = 0
    for report in reports:
        if report.attachment:
            files.append(report.attachment)
        report.attachment = ""
        report.attachment_name = ""
        report.passport_number = ""
        report.details = {key: report.details[key] for key in KEPT_DETAILS if key in report.details}
        report.decision_note = ""
        report.anonymised_at = timezone.now()
        report.save()
        ReportEvent.objects.filter(report=report).exclude(note="").update(note="")
        count += 1
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])
    return count
