"""Reports registered as a kind of case: in the queue, claim-next, the deadline tracking and
the supervisor dashboard, on the student's dashboard and in the data export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.registry import CaseKind, QueueSpec, StudentSide

from . import queue, queue_rows
from .flow import FLOW
from .models import OPEN_REPORT_STATUSES, Report, ReportStatus
from .personal_data import report_personal_data
from .services import report_claim


def _student_reports(user):
    return (
        Report.objects.filter(applicant=user)
        .select_related("permit")
        .order_by("-submitted_at", "-pk")
    )


REPORT = CaseKind(
    code="report",
    label=_("Change report"),
    flow=FLOW,
    open_statuses=tuple(OPEN_REPORT_STATUSES),
    queue_statuses=queue.QUEUE_STATUSES,
    granted_status=ReportStatus.ACCEPTED,
    refused_status=ReportStatus.REJECTED,
    claimable_statuses=(ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW),
    claim=report_claim,
    review_url_name="officer-report",
    queue=QueueSpec(
        filtered=queue.reports_filtered,
        sorted=queue.reports_sorted,
        row=queue.report_row,
        csv_columns=queue.csv_columns,
        sorts=tuple(queue.SORTS),
        default_sort=queue.DEFAULT_SORT,
        table_template="reports/queue_table.html",
        page_size=queue.PAGE_SIZE,
        list_fields=queue.LIST_FIELDS,
        rows_html=queue_rows.rows_html,
    ),
    student=StudentSide(
        cases=_student_reports,
        panel_template="reports/student_panel.html",
        personal_data=report_personal_data,
    ),
)
