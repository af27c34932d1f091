"""The student's draft, step by step: the task list, each step, the documents, and the review
page that submits. Thin views, like the rest of the student's pages (``student_views.py``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from core.requests import post_data, post_files
from documents.rejections import UploadRejected
from rules import eligibility
from rules.policies import NoPolicyInForce, eligibility_evaluate

from . import selectors, services, workflow
from .forms import (
    SubmitForm,
    section_form_class,
)
from .models import Application, Status
from .sections import SECTIONS, section_by_slug
from .view_helpers import own_application, show_failure, upload_form


@consent_required
@require_GET
def application_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
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
    application = own_application(request, pk)
    section = section_by_slug(application, slug)
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
            show_failure(request, exc)
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
    application = own_application(request, pk)
    if application.status not in (Status.DRAFT, Status.INFO_REQUESTED, Status.RETURNED):
        return redirect("application-detail", pk=pk)
    form = upload_form(application, post_data(request), post_files(request))
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
            show_failure(request, exc)
            return redirect("application-documents", pk=pk)
        else:
            messages.success(request, _("The document was uploaded."))
            if application.status in (Status.INFO_REQUESTED, Status.RETURNED):
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
    application = own_application(request, pk)
    document = get_object_or_404(application.documents, pk=document_pk, is_current=True)
    try:
        services.document_delete(document_id=document.pk, actor=request.user)
    except workflow.WorkflowError as exc:
        show_failure(request, exc)
    else:
        messages.success(request, _("The document was removed."))
    return redirect("application-documents", pk=pk)


@consent_required
@require_http_methods(["GET", "POST"])
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
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
            show_failure(request, exc)
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
