"""The student's report pages. Thin: parse the request, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from applications.extensions import current_permits
from cases.errors import WorkflowError
from core.requests import post_data, post_files
from documents.rejections import UploadRejected
from documents.serving import file_response
from permits.models import Permit
from rules.policies import NoPolicyInForce, policy_version_in_force

from . import services
from .deadlines import report_days
from .forms import REPORT_FORMS, RespondForm, WithdrawReportForm
from .models import Report, ReportEvent, ReportStatus, ReportType
from .permissions import can_view_report, own_reports


def _own_permit(request: HttpRequest, pk: int) -> Permit:
    return get_object_or_404(current_permits(request.user), pk=pk)


def _deadlines(today):
    """Each kind of report with the days it allows, from the policy in force today."""
    try:
        policy = policy_version_in_force(on=today)
    except NoPolicyInForce:
        return []
    return [
        {
            "type": kind,
            "days": report_days(policy, type=kind),
            "province_days": policy.province_report_days if kind == ReportType.ADDRESS else None,
        }
        for kind in ReportType
    ]


@consent_required
@require_GET
def report_new(request: HttpRequest, permit_pk: int) -> HttpResponse:
    permit = _own_permit(request, permit_pk)
    return render(
        request,
        "reports/new.html",
        {"permit": permit, "kinds": _deadlines(timezone.localdate())},
    )


@consent_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, permit_pk: int, type: str) -> HttpResponse:
    permit = _own_permit(request, permit_pk)
    form_class = REPORT_FORMS.get(type)
    if form_class is None:
        raise Http404(_("No such kind of report."))
    form = form_class(post_data(request), post_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_submit(
                applicant=request.user,
                permit_id=permit.pk,
                type=type,
                changed_on=form.cleaned_data["changed_on"],
                details=form.details(),
                passport_number=form.passport_number(),
                attachment=form.attachment(),
            )
        except (WorkflowError, UploadRejected) as exc:
            form.add_error(
                form.attachment_field if isinstance(exc, UploadRejected) else None, exc.message
            )
        else:
            messages.success(
                request,
                _(
                    "Your report %(reference)s was sent. "
                    "We will write when an officer has checked it."
                )
                % {"reference": report.reference},
            )
            return redirect("report-detail", pk=report.pk)
    deadline = next(
        (item for item in _deadlines(timezone.localdate()) if item["type"] == type), None
    )
    return render(
        request,
        "reports/create.html",
        {"permit": permit, "form": form, "type": ReportType(type), "deadline": deadline},
    )


def _own_report(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(own_reports(request.user).select_related("permit"), pk=pk)


@consent_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _own_report(request, pk)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "timeline": report.events.exclude(kind=ReportEvent.Kind.VIEWED),
            "respond_form": RespondForm(initial={"version": report.version}, auto_id="respond-%s")
            if report.status == ReportStatus.INFO_REQUESTED
            else None,
            "withdraw_form": WithdrawReportForm(
                initial={"version": report.version}, auto_id="withdraw-%s"
            )
            if report.is_open
            else None,
            "info_note": report.events.filter(to_status=ReportStatus.INFO_REQUESTED)
            .values_list("note", flat=True)
            .last(),
            "extension_possible": report.status == ReportStatus.ACCEPTED
            and bool(report.events.filter(data__extension_offered=True).exists()),
        },
    )


def _failed(request: HttpRequest, form) -> None:
    if "version" in form.errors:
        messages.error(request, _("The page was out of date; please try again."))
        return
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@consent_required
@require_POST
def report_respond(request: HttpRequest, pk: int) -> HttpResponse:
    report = _own_report(request, pk)
    form = RespondForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_provide_info(
                report_id=report.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                response=form.cleaned_data["response"],
                attachment=form.cleaned_data.get("document"),
            )
        except (WorkflowError, UploadRejected) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your answer was sent. The officer will continue."))
    else:
        _failed(request, form)
    return redirect("report-detail", pk=pk)


@consent_required
@require_POST
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    report = _own_report(request, pk)
    form = WithdrawReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_withdraw(
                report_id=report.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your report was withdrawn."))
    else:
        _failed(request, form)
    return redirect("report-detail", pk=pk)


@login_required
@require_GET
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    """The attached document, for the student who sent it and for officers (the access is
    recorded for officers)."""
    report = get_object_or_404(Report, pk=pk)
    if not can_view_report(request.user, report) or not report.attachment:
        raise Http404
    if report.applicant_id != request.user.pk:
        services.record_view(report, actor=request.user)
    return file_response(
        report.attachment.open("rb"),
        filename=report.attachment_name,
        content_type=report.attachment_type,
    )
