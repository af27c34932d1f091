"""The student's pages. Thin: parse the request, call one service, render.

Every object is looked up through ``own_applications(request.user)``, so another student's
application, document or message is a 404, never a 403 that confirms it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from accounts.roles import is_officer
from cases.registry import student_sides
from core.forms import VersionedForm
from core.requests import post_data, post_files
from documents.models import Document
from documents.rejections import UploadRejected
from documents.serving import file_response
from permits.grounds import ARTICLE_40_GROUNDS
from permits.services import permit_apply_by
from rules import eligibility

from . import decisions, precheck, selectors, services, workflow
from .extensions import current_permit_windows, ended_permits
from .forms import (
    MessageForm,
    PassportUpdateForm,
    RespondForm,
    WithdrawForm,
)
from .models import OPEN_STATUSES, Status
from .permissions import can_view_application, own_applications
from .precheck_flow import kinds_to_replace, last_returned_round
from .view_helpers import kind_labels, own_application, show_failure, upload_form


@consent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    # policy_version: the guidance of a submitted application names its decision deadline.
    applications = own_applications(request.user).select_related(
        "university", "permit", "policy_version"
    )
    rows = [(a, selectors.status_guidance(a)) for a in applications]
    return render(
        request,
        "applications/student/dashboard.html",
        {
            "rows": rows,
            "permits": current_permit_windows(request.user),
            "ended_permits": [
                (
                    permit,
                    [ARTICLE_40_GROUNDS[code] for code in permit.end_grounds],
                    permit_apply_by(permit),
                )
                for permit in ended_permits(request.user)
            ],
            # The student's cases of other kinds (reports...), each in its own panel.
            "panels": [(side.panel_template, side.cases(request.user)) for side in student_sides()],
            "can_start": not any(a.is_active for a in applications),
            "profile_complete": request.user.profile.is_complete,
        },
    )


@consent_required
@require_POST
def application_new(request: HttpRequest) -> HttpResponse:
    try:
        application = workflow.application_start(applicant=request.user)
    except workflow.WorkflowError as exc:
        show_failure(request, exc)
        return redirect("dashboard")
    services.application_prefill_from_profile(application=application, user=request.user)
    return redirect("application-tasks", pk=application.pk)


@consent_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    if application.status == Status.DRAFT:
        return redirect("application-tasks", pk=pk)
    info_request = selectors.open_info_request(application)
    returned_round = (
        last_returned_round(application) if application.status == Status.RETURNED else None
    )
    return render(
        request,
        "applications/student/detail.html",
        {
            "application": application,
            "enrolment": getattr(application, "enrolment", None),
            "returned_round": returned_round,
            "returned_items": returned_items(application, returned_round),
            "returned_upload_form": upload_form(application) if returned_round else None,
            "guidance": selectors.status_guidance(application),
            "timeline": selectors.student_timeline(application),
            "info_request": info_request,
            "requested_labels": kind_labels(info_request.document_kinds) if info_request else [],
            "documents": application.documents.filter(is_current=True),
            "upload_form": upload_form(application) if info_request else None,
            "respond_form": RespondForm(initial={"version": application.version}),
            "message_form": MessageForm(),
            "thread": application.messages.select_related("sender"),
            "rejection": selectors.rejection_details(application)
            if application.status == Status.REJECTED
            else None,
            "rejection_reasons": decisions.REJECTION_REASONS,
            "withdrawable": application.is_active,
            "passport_updatable": application.status in OPEN_STATUSES,
            "passport_too_short": application.status in OPEN_STATUSES
            and (application.eligibility_outcome or {}).get("passport_ok") is False,
        },
    )


def returned_items(application, returned_round) -> list[tuple[str, str, bool]]:
    if returned_round is None:
        return []
    still = set(kinds_to_replace(application))
    labels = dict(eligibility.DOCUMENT_KINDS)
    return [
        (labels.get(kind, kind), reason, kind not in still)
        for kind, reason in returned_round.returned_documents.items()
    ]


@consent_required
@require_POST
def application_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a returned application in again to the university's document check."""
    application = own_application(request, pk)
    form = VersionedForm(request.POST)
    if form.is_valid():
        try:
            precheck.application_resubmit(
                application_id=application.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except workflow.WorkflowError as exc:
            show_failure(request, exc)
        else:
            messages.success(request, _("Handed in again: your university checks it once more."))
    return redirect("application-detail", pk=pk)


@consent_required
@require_POST
def application_respond(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            workflow.application_provide_info(
                application_id=application.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                response=form.cleaned_data["response"],
            )
        except workflow.WorkflowError as exc:
            show_failure(request, exc)
        else:
            messages.success(
                request, _("Your answer was sent. The officer will continue the review.")
            )
    elif "version" in form.errors:
        messages.error(request, _("The page was out of date; please try again."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("application-detail", pk=pk)


@consent_required
@require_POST
def application_message(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_send(
                application_id=application.pk, actor=request.user, body=form.cleaned_data["body"]
            )
        except workflow.WorkflowError as exc:
            show_failure(request, exc)
        else:
            messages.success(request, _("Your message was sent."))
    else:
        messages.error(request, _("Write a message first."))
    return redirect(f"{application.get_absolute_url()}#messages")


@consent_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    if not application.is_active:
        return redirect("application-detail", pk=pk)
    form = WithdrawForm(post_data(request), initial={"version": application.version})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.application_withdraw(
                application_id=application.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except workflow.WorkflowError as exc:
            show_failure(request, exc)
            return redirect("application-withdraw", pk=pk)
        messages.success(request, _("Your application has been withdrawn."))
        return redirect("dashboard")
    return render(
        request,
        "applications/student/withdraw.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


@consent_required
@require_http_methods(["GET", "POST"])
def application_passport(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    if application.status not in OPEN_STATUSES:
        return redirect("application-detail", pk=pk)
    form = PassportUpdateForm(
        post_data(request), post_files(request), initial={"version": application.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.application_passport_update(
                application_id=application.pk,
                actor=request.user,
                expected_version=data["version"],
                passport_number=data["passport_number"],
                issue_date=data["passport_issue_date"],
                expiry_date=data["passport_expiry_date"],
                identity_page=data["identity_page"],
            )
        except (workflow.WorkflowError, UploadRejected) as exc:
            show_failure(request, exc)
            return redirect("application-passport", pk=pk)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    form.add_error(None, error)
        else:
            if updated.eligibility_outcome.get("passport_ok"):
                messages.success(
                    request,
                    _("Your new passport details were saved; the passport is valid long enough."),
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Your new passport details were saved, but this passport is still not "
                        "valid long enough for a permit covering your whole programme."
                    ),
                )
            return redirect("application-detail", pk=pk)
    return render(
        request,
        "applications/student/passport.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


@consent_required
@require_GET
def permit_letter(request: HttpRequest, pk: int) -> FileResponse:
    application = own_application(request, pk)
    permit = getattr(application, "permit", None)
    if permit is None or not permit.letter:
        raise Http404
    return file_response(
        permit.letter.open("rb"), filename=f"{permit.number}.pdf", content_type="application/pdf"
    )


@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a document to whoever may see its application; anyone else gets a 404."""
    if not request.user.is_authenticated:
        raise Http404
    document = get_object_or_404(Document.objects.select_related("application"), pk=pk)
    if not can_view_application(request.user, document.application):
        raise Http404
    officer = is_officer(request.user)
    if officer:
        services.access_record(
            application=document.application, actor=request.user, document=document
        )
    # Officers see photos and scans (images we re-encoded) inside the review page; everything
    # else, and everything a student opens, is a download.
    return file_response(
        document.file.open("rb"),
        filename=document.original_name,
        content_type=document.content_type,
        inline=officer and request.GET.get("inline") == "1",
    )
