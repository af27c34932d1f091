"""The reports' nightly sweep: an information request about a report due soon is reminded to
the student (7 and 2 days ahead, as for an application's), an overdue one to the officer.
Idempotent: each reminder has its own key, so a second run on the same day sends nothing.
Set-based: one statement per kind of notice (``notifications.bulk``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import F
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.mobile import verified_mobile_of
from applications.sweeps import INFO_DUE_DAYS
from notifications import bulk

from .models import Report, ReportStatus
from .notices import REPORT_INFO_DUE, REPORT_INFO_OVERDUE


def sweep_report_info_requests(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    waiting = Report.objects.filter(status=ReportStatus.INFO_REQUESTED, info_due_on__isnull=False)
    due = waiting.filter(
        info_due_on__gte=today + timedelta(days=1),
        info_due_on__lte=today + timedelta(days=max(INFO_DUE_DAYS)),
    )
    days_left = bulk.days_until(F("info_due_on"), today)
    due_date = bulk.iso_date(F("info_due_on"))
    reminders = bulk.notice_rows(
        due,
        recipient="applicant",
        phone=verified_mobile_of("applicant_id"),
        # ``notices.report_context`` and the date.
        context=JSONObject(
            reference=bulk.or_empty(F("reference")),
            path=bulk.path("report-detail", F("pk")),
            date=bulk.const(timezone.localdate().isoformat()),
            due_date=due_date,
            days=days_left,
        ),
        dedupe_key=bulk.text(
            "report-info-due:",
            F("pk"),
            ":",
            F("version"),
            ":",
            bulk.threshold(days_left, INFO_DUE_DAYS),
        ),
        about=Report,
        about_id=F("pk"),
    )
    reminded = bulk.notify_many(kind=REPORT_INFO_DUE, rows=reminders)
    late = bulk.notice_rows(
        waiting.filter(info_due_on__lt=today, assignee__isnull=False),
        recipient="assignee",
        context=JSONObject(
            reference=bulk.or_empty(F("reference")),
            path=bulk.path("officer-report", F("pk")),
            due_date=due_date,
        ),
        dedupe_key=bulk.text("report-info-overdue:", F("pk"), ":", F("version")),
        about=Report,
        about_id=F("pk"),
    )
    overdue = bulk.notify_many(kind=REPORT_INFO_OVERDUE, rows=late)
    return {"reminded": reminded, "overdue": overdue}
