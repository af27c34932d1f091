"""The notices about a report: what each says, and the rule that sends them.

Written inside the transaction of the change that causes them (the outbox delivers after the
commit), in the student's language, by e-mail and in the inbox.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.kinds import NoticeKind, register
from notifications.services import notify_user

from .models import EndReason, Report, ReportEvent, ReportStatus

REPORT_RECEIVED = register(
    NoticeKind(
        code="report_received",
        label=_("Report received"),
        subject=_("We received your report %(reference)s"),
        what_happened=_(
            "Your report of a change was received on %(date)s. Its reference is %(reference)s."
        ),
        next_step=_(
            "You do not need to do anything now; an officer will check it and we will write "
            "when it is decided."
        ),
    )
)

REPORT_INFO_REQUESTED = register(
    NoticeKind(
        code="report_info_requested",
        label=_("Information requested on a report"),
        subject=_("Action needed on your report %(reference)s"),
        what_happened=_(
            "The officer needs more information about your report, by %(due_date)s: %(message)s"
        ),
        next_step=_("Answer on the report's page, with a new document if one is asked for."),
        sms=_("Action needed on your report %(reference)s:"),
        sms_by_default=True,
    )
)

REPORT_ACCEPTED = register(
    NoticeKind(
        code="report_accepted",
        label=_("Report accepted"),
        subject=_("Your report %(reference)s is accepted"),
        what_happened=_("The officer accepted your report; your record now shows the change."),
        next_step=_("You do not need to do anything now."),
        sms=_("Decision on your report %(reference)s:"),
    )
)

REPORT_REJECTED = register(
    NoticeKind(
        code="report_rejected",
        label=_("Report not accepted"),
        subject=_("Your report %(reference)s was not accepted"),
        what_happened=_("The officer did not accept your report, for this reason: %(message)s"),
        next_step=_(
            "Your record stays as it was. You can send a corrected report from your permit's "
            "page; you can appeal to the administrative court within 60 days of being notified."
        ),
        sms=_("Decision on your report %(reference)s:"),
    )
)

EXTENSION_NOW_POSSIBLE = register(
    NoticeKind(
        code="extension_now_possible",
        label=_("Extension possible"),
        subject=_("You can now extend your permit %(permit)s"),
        what_happened=_(
            "With the change now on your record, your permit %(permit)s, valid until "
            "%(valid_to)s, can be extended for the rest of your programme."
        ),
        next_step=_("Apply for the extension from the link below."),
        link_label=_("Apply for an extension"),
    )
)

REPORT_INFO_DUE = register(
    NoticeKind(
        code="report_info_due",
        label=_("Information on a report due soon"),
        subject=_("Reminder: answer about your report %(reference)s by %(due_date)s"),
        what_happened=_(
            "The officer is waiting for your answer about your report; it is due on %(due_date)s."
        ),
        next_step=_("Answer on the report's page, with a new document if one is asked for."),
        sms=_("Reminder: your answer about report %(reference)s is due soon:"),
        sms_by_default=True,
    )
)

REPORT_INFO_OVERDUE = register(
    NoticeKind(
        code="report_info_overdue",
        label=_("Information on a report overdue"),
        subject=_("No answer yet on report %(reference)s"),
        what_happened=_(
            "The student has not answered your information request, due on %(due_date)s."
        ),
        next_step=_("Decide the report on what you have, or write to the student."),
        link_label=_("Open the report in the officer workspace"),
    )
)

REPORTED_BY_UNIVERSITY = register(
    NoticeKind(
        code="study_end_reported_by_university",
        label=_("Your university reported the end of your studies"),
        subject=_("Your university reported: %(reason)s (%(reference)s)"),
        what_happened=_(
            "Your university's international office reported to the migration office: "
            "%(reason)s, on %(changed_on)s. An officer will check it; if it is accepted, your "
            "residence permit ends."
        ),
        next_step=_(
            "If this is wrong, contact your university's international office at once. If you "
            "need to stay, you will have to apply for another kind of permit."
        ),
    )
)

STATUS_NOTICES: dict[str, str] = {
    ReportStatus.SUBMITTED: REPORT_RECEIVED,
    ReportStatus.INFO_REQUESTED: REPORT_INFO_REQUESTED,
    ReportStatus.ACCEPTED: REPORT_ACCEPTED,
    ReportStatus.REJECTED: REPORT_REJECTED,
}


def report_context(report: Report) -> dict[str, Any]:
    return {
        "reference": report.reference or "",
        "path": reverse("report-detail", args=[report.pk]),
        "date": timezone.localdate().isoformat(),
    }


def notify_report_change(*, report: Report, event: ReportEvent) -> None:
    kind = STATUS_NOTICES.get(event.to_status)
    if kind is None:
        return
    context = report_context(report)
    if kind == REPORT_INFO_REQUESTED:
        context |= {
            "message": event.note,
            "due_date": report.info_due_on.isoformat() if report.info_due_on else "",
        }
    if kind == REPORT_REJECTED:
        context["message"] = event.note
    if kind == REPORT_RECEIVED and report.reported_by_id is not None:
        kind = REPORTED_BY_UNIVERSITY
        context |= {
            "reason": str(EndReason(report.details.get("reason")).label),
            "changed_on": report.changed_on.isoformat(),
        }
    notify_user(
        user=report.applicant,
        kind=kind,
        about=report,
        context=context,
        dedupe_key=f"report:{report.pk}:{event.pk}",
    )


def notify_extension_possible(*, report: Report) -> None:
    permit = report.permit
    notify_user(
        user=report.applicant,
        kind=EXTENSION_NOW_POSSIBLE,
        about=report,
        context={
            "reference": report.reference or "",
            "permit": permit.number,
            "valid_to": permit.valid_to.isoformat(),
            "path": reverse("permit-extend", args=[permit.pk]),
        },
        dedupe_key=f"extension-possible:{permit.pk}:{report.pk}",
    )
