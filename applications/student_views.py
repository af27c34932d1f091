"""The student's pages. Thin: parse the request, call one service, render.

Every object is looked up through ``own_applications(request.user)``, so another student's
application, document or message is a 404, never a 403 that confirms it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from accounts.roles import is_officer
from core.requests import post_data, post_files
from documents.models import Document
from documents.validation import UploadRejected, file_response
from rules import eligibility
from rules.policies import NoPolicyInForce, eligibility_evaluate

from . import decisions, selectors, services, workflow
from .forms import (
    DocumentUploadForm,
    MessageForm,
    PassportUpdateForm,
    RespondForm,
    SubmitForm,
    WithdrawForm,
    section_form_class,
)
from .models import OPEN_STATUSES, Application, Status
from .permissions import can_view_application, own_applications
from .sections import SECTIONS, SECTIONS_BY_SLUG


def _own(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        own_applications(request.user).select_related(
            "university", "province", "policy_version", "permit"
        ),
        pk=pk,
    )


def _fail(request: HttpRequest, error: workflow.WorkflowError | UploadRejected) -> None:
    messages.error(request, error.message)


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
        _fail(request, exc)
        return redirect("dashboard")
    services.application_prefill_from_profile(application=application, user=request.user)
    return redirect("application-tasks", pk=application.pk)


@consent_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status == Status.DRAFT:
        return redirect("application-tasks", pk=pk)
    info_request = selectors.open_info_request(application)
    return render(
        request,
        "applications/student/detail.html",
        {
            "application": application,
            "guidance": selectors.status_guidance(application),
            "timeline": selectors.student_timeline(application),
            "info_request": info_request,
            "requested_labels": _kind_labels(info_request.document_kinds) if info_request else [],
            "documents": application.documents.filter(is_current=True),
            "upload_form": _upload_form(application) if info_request else None,
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


def _kind_labels(codes: list[str]) -> list[str]:
    labels = dict(eligibility.DOCUMENT_KINDS)
    return [labels[code] for code in codes if code in labels]


def _upload_form(application: Application, data=None, files=None) -> DocumentUploadForm:
    kinds = list(eligibility.DOCUMENT_KINDS)
    if application.status == Status.INFO_REQUESTED:
        request = selectors.open_info_request(application)
        allowed = {*request.document_kinds, "other"} if request else {"other"}
        kinds = [(code, label) for code, label in kinds if code in allowed]
    return DocumentUploadForm(data, files, kinds=kinds)


@consent_required
@require_GET
def application_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status != Status.DRAFT:
        return redirect("application-detail", pk=pk)
    today = timezone.localdate()
    missing = workflow.application_missing(application=application, on=today)
    return render(
        request,
        "applications/student/tasks.html",
        {
            "application": application,
            "tasks": selectors.task_list(application),
            "documents_complete": not missing.documents,
            "ready": missing.is_empty,
        },
    )


@consent_required
@require_http_methods(["GET", "POST"])
def application_section(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    application = _own(request, pk)
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    if application.status != Status.DRAFT:
        return redirect("application-detail", pk=pk)
    form_class = section_form_class(section)
    form = form_class(
        post_data(request), instance=application, initial={"version": application.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update_section(
                application_id=application.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                section=section,
                values=form.cleaned_data,
            )
        except workflow.WorkflowError as exc:
            _fail(request, exc)
            return redirect("application-section", pk=pk, slug=slug)
        messages.success(request, _("Saved. You can come back to it at any time."))
        return redirect(_next_step(section.slug, pk))
    position = [s.slug for s in SECTIONS].index(section.slug) + 1
    return render(
        request,
        "applications/student/section.html",
        {
            "application": application,
            "section": section,
            "form": form,
            "position": position,
            "total_steps": len(SECTIONS) + 2,
        },
        status=400 if form.errors else 200,
    )


def _next_step(slug: str, pk: int) -> str:
    slugs = [s.slug for s in SECTIONS]
    index = slugs.index(slug)
    from django.urls import reverse

    if index + 1 < len(slugs):
        return reverse("application-section", kwargs={"pk": pk, "slug": slugs[index + 1]})
    return reverse("application-documents", kwargs={"pk": pk})


@consent_required
@require_http_methods(["GET", "POST"])
def application_documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status not in (Status.DRAFT, Status.INFO_REQUESTED):
        return redirect("application-detail", pk=pk)
    form = _upload_form(application, post_data(request), post_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                application_id=application.pk,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
            )
        except UploadRejected as exc:
            form.add_error("file", exc.message)
        except workflow.WorkflowError as exc:
            _fail(request, exc)
            return redirect("application-documents", pk=pk)
        else:
            messages.success(request, _("The document was uploaded."))
            if application.status == Status.INFO_REQUESTED:
                return redirect("application-detail", pk=pk)
            return redirect("application-documents", pk=pk)
    today = timezone.localdate()
    required = workflow.required_document_kinds(application, on=today)
    current = list(application.documents.filter(is_current=True))
    present = {doc.kind for doc in current}
    labels = dict(eligibility.DOCUMENT_KINDS)
    return render(
        request,
        "applications/student/documents.html",
        {
            "application": application,
            "form": form,
            "documents": current,
            "checklist": [(code, labels[code], code in present) for code in required],
            "position": len(SECTIONS) + 1,
            "total_steps": len(SECTIONS) + 2,
        },
        status=400 if form.errors else 200,
    )


@consent_required
@require_POST
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = _own(request, pk)
    document = get_object_or_404(application.documents, pk=document_pk, is_current=True)
    try:
        services.document_delete(document_id=document.pk, actor=request.user)
    except workflow.WorkflowError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The document was removed."))
    return redirect("application-documents", pk=pk)


@consent_required
@require_http_methods(["GET", "POST"])
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status != Status.DRAFT:
        return redirect("application-detail", pk=pk)
    today = timezone.localdate()
    form = SubmitForm(post_data(request), initial={"version": application.version})
    if request.method == "POST" and form.is_valid():
        try:
            submitted = workflow.application_submit(
                application_id=application.pk,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                accept_declaration=True,
                on=today,
            )
        except workflow.WorkflowError as exc:
            _fail(request, exc)
            return redirect("application-review", pk=pk)
        messages.success(
            request,
            _("Your application has been submitted. Your reference number is %(ref)s.")
            % {"ref": submitted.reference},
        )
        return redirect("application-detail", pk=pk)
    missing = workflow.application_missing(application=application, on=today)
    outcome = policy = evaluation_error = None
    if not missing.fields:
        try:
            outcome, policy = eligibility_evaluate(
                inputs=workflow.application_rule_input(application, on=today)
            )
        except (eligibility.InvalidInput, NoPolicyInForce) as exc:
            evaluation_error = str(exc)
    labels = dict(eligibility.DOCUMENT_KINDS)
    return render(
        request,
        "applications/student/review.html",
        {
            "application": application,
            "form": form,
            "outcome": outcome,
            "policy": policy,
            "evaluation_error": evaluation_error,
            "missing_fields": [
                Application._meta.get_field(name).verbose_name for name in missing.fields
            ],
            "missing_documents": [labels[code] for code in missing.documents],
            "sections": selectors.review_sections(application),
            "documents": application.documents.filter(is_current=True),
            "position": len(SECTIONS) + 2,
            "total_steps": len(SECTIONS) + 2,
        },
        status=400 if form.errors else 200,
    )


@consent_required
@require_POST
def application_respond(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
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
            _fail(request, exc)
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
    application = _own(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_send(
                application_id=application.pk, actor=request.user, body=form.cleaned_data["body"]
            )
        except workflow.WorkflowError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Your message was sent."))
    else:
        messages.error(request, _("Write a message first."))
    return redirect(f"{application.get_absolute_url()}#messages")


@consent_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
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
            _fail(request, exc)
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
    application = _own(request, pk)
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
            _fail(request, exc)
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
    application = _own(request, pk)
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
