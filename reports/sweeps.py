"""The reports' nightly sweep: an information request about a report due soon is reminded to
the student (7 and 2 days ahead, as for an application's), an overdue one to the officer.
Idempotent: each reminder has its own key, so a second run on the same day sends nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django.urls import reverse
from django.utils import timezone

from applications.sweeps import INFO_DUE_DAYS
from core.dates import reminder_threshold
from notifications.services import notify_user

from .models import Report, ReportStatus
from .notices import REPORT_INFO_DUE, REPORT_INFO_OVERDUE, report_context


def sweep_report_info_requests(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    waiting = Report.objects.filter(
        status=ReportStatus.INFO_REQUESTED, info_due_on__isnull=False
    ).select_related("applicant", "assignee")
    due = waiting.filter(
        info_due_on__gte=today + timedelta(days=1),
        info_due_on__lte=today + timedelta(days=max(INFO_DUE_DAYS)),
    ).order_by("pk")
    reminded = 0
    for report in due.iterator():
        # Never NULL here: both querysets filter on the date.
        due_on = cast(date, report.info_due_on)
        days_left = (due_on - today).days
        reminded += notify_user(
            user=report.applicant,
            kind=REPORT_INFO_DUE,
            about=report,
            context=report_context(report) | {"due_date": due_on.isoformat(), "days": days_left},
            dedupe_key=(
                f"report-info-due:{report.pk}:{report.version}:"
                f"{reminder_threshold(days_left, INFO_DUE_DAYS)}"
            ),
        )
    overdue = 0
    for report in waiting.filter(info_due_on__lt=today, assignee__isnull=False).order_by("pk"):
        overdue += notify_user(
            user=report.assignee,
            kind=REPORT_INFO_OVERDUE,
            about=report,
            context={
                "reference": report.reference or "",
                "path": reverse("officer-report", args=[report.pk]),
                "due_date": cast(date, report.info_due_on).isoformat(),
            },
            dedupe_key=f"report-info-overdue:{report.pk}:{report.version}",
        )
    return {"reminded": reminded, "overdue": overdue}
