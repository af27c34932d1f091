"""The officers' page of one report, and its decisions. Thin views; every decision is a POST
carrying the report's version, so a stale page changes nothing and the officer is told why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import officer_required
from applications.holder_record import record_reevaluate
from cases.errors import WorkflowError
from core.forms import VersionedForm

from . import services
from .effects import record_changes
from .forms import ReportAcceptForm, ReportInfoForm, ReportRejectForm
from .models import Report, ReportStatus, ReportType

# The record's fields an officer compares with a report, by kind (label from the model field).
COMPARED = {
    ReportType.ADDRESS: (
        "province",
        "district",
        "neighbourhood",
        "address_line",
        "postal_code",
    ),
    ReportType.PASSPORT: ("passport_number", "passport_issue_date", "passport_expiry_date"),
    ReportType.STUDY: (
        "university",
        "faculty",
        "department",
        "student_number",
        "programme_end",
    ),
    ReportType.END_OF_STUDIES: (),
}


def _report(pk: int) -> Report:
    return get_object_or_404(
        Report.objects.select_related(
            "applicant", "assignee", "policy_version", "permit__application"
        ),
        pk=pk,
    )


def _comparison(report: Report) -> list[tuple[str, Any, Any]]:
    record = report.permit.application
    changes = record_changes(report) if report.type != ReportType.END_OF_STUDIES else {}
    fields = record._meta
    return [
        (
            str(fields.get_field(name).verbose_name),
            getattr(record, name),
            changes.get(name),
        )
        for name in COMPARED[ReportType(report.type)]
    ]


@officer_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    reevaluation = None
    if report.type in (ReportType.PASSPORT, ReportType.STUDY) and report.is_open:
        try:
            reevaluation = record_reevaluate(report.permit, changes=record_changes(report))
        except (ValueError, LookupError):
            reevaluation = None
    # The access log: the page shows the full passport number and links to the document.
    with transaction.atomic():
        services.record_view(report, actor=request.user)
    initial = {"version": report.version}
    return render(
        request,
        "reports/review.html",
        {
            "report": report,
            "holder": report.permit.application,
            "comparison": _comparison(report),
            "reevaluation": reevaluation,
            "timeline": report.events.select_related("actor"),
            # Several forms on one page: each its own ids (the names stay as they are).
            "start_form": VersionedForm(initial=initial, auto_id="start-%s"),
            "info_form": ReportInfoForm(initial=initial, auto_id="info-%s"),
            "accept_form": ReportAcceptForm(
                initial=initial
                | (
                    {"shorten_to": reevaluation.permit_end}
                    if reevaluation and reevaluation.allows_only_shorter
                    else {}
                ),
                auto_id="accept-%s",
            ),
            "reject_form": ReportRejectForm(initial=initial, auto_id="reject-%s"),
            "can_shorten": bool(reevaluation and reevaluation.allows_only_shorter),
            "statuses": ReportStatus,
        },
    )


def _act(
    request: HttpRequest,
    pk: int,
    form: VersionedForm,
    action: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    elif "version" in form.errors:
        messages.error(request, _("The page was out of date; reload it and try again."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("officer-report", pk=pk)


@officer_required
@require_POST
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        VersionedForm(request.POST),
        lambda data: services.report_start_review(
            report_id=pk, actor=request.user, expected_version=data["version"]
        ),
        _("The report is yours; the review has started."),
    )


@officer_required
@require_POST
def request_info(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReportInfoForm(request.POST),
        lambda data: services.report_request_info(
            report_id=pk,
            actor=request.user,
            expected_version=data["version"],
            message=data["message"],
        ),
        _("The student was asked for more information."),
    )


@officer_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReportAcceptForm(request.POST),
        lambda data: services.report_accept(
            report_id=pk,
            actor=request.user,
            expected_version=data["version"],
            note=data["note"],
            shorten_to=data.get("shorten_to"),
            shorten_reason=data.get("shorten_reason", ""),
        ),
        _("The report is accepted and the record updated."),
    )


@officer_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReportRejectForm(request.POST),
        lambda data: services.report_reject(
            report_id=pk,
            actor=request.user,
            expected_version=data["version"],
            reason=data["reason"],
        ),
        _("The report was not accepted; the student was told why."),
    )
