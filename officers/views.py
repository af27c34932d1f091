"""The officer workspace: the queue, the review page and the decisions. Thin views.

Every decision is a POST carrying the application's version; a stale page changes nothing and
the officer is told why.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import is_supervisor
from applications import decisions, selectors, services, workflow
from applications.models import OPEN_STATUSES, Application, InfoRequest, Status
from applications.services import access_record
from appointments.selectors import appointment_steps
from cases.assignment import case_claim_next
from cases.deadlines import LEGAL_DECISION_DAYS, legal_due_on, sla_target_days
from cases.errors import WorkflowError
from cases.registry import case_kinds
from core.forms import VersionedForm
from documents.models import Document
from rules import eligibility
from rules.policies import NoPolicyInForce, eligibility_evaluate

from . import queue as q
from .decorators import officer_required
from .forms import (
    ApproveForm,
    NoteForm,
    OfficerMessageForm,
    ReassignForm,
    RejectForm,
    RequestInfoForm,
    VerdictForm,
)
from .services import document_review, note_add


@officer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    kind = q.requested_kind(request)
    spec = kind.queue
    filtered = spec.filtered(params=request.GET, officer=request.user)
    queryset = filtered.qs
    sort = request.GET.get("sort") or spec.default_sort
    # Counts ignore the status filter, so each tab shows how many it would list (capped or
    # estimated past a cap, see queue.status_tab_counts).
    counts = q.status_tab_counts(filtered.tabs_qs, kind=kind, searching=filtered.searching)
    paginator = q.QueuePaginator(q.listed_cases(spec, queryset, sort), spec.page_size)
    # The tabs have counted the listed statuses already: no second COUNT when they tell it.
    listed = q.listed_count(filtered, counts)
    if listed is not None:
        paginator.count = listed
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [spec.row(case, today=today) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    status_query = query.copy()
    status_query.pop("status", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "officers/queue.html",
        {
            "kind": kind,
            "kinds": case_kinds(),
            "filter": filtered,
            "page": page,
            "rows": rows,
            "rows_html": spec.rows_html(rows) if spec.rows_html else None,
            "counts": [
                (status, kind.status_label(status), counts[status])
                for status in kind.queue_statuses
            ],
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "status_query": status_query.urlencode(),
            "sort": sort,
            "sla_target": sla_target_days(),
            "legal_days": LEGAL_DECISION_DAYS,
        },
    )


@officer_required
@require_POST
def claim_next(request: HttpRequest) -> HttpResponse:
    claimed = case_claim_next(actor=request.user)
    if claimed is None:
        messages.info(request, _("Nothing is waiting: every submitted application has an officer."))
        return redirect("officer-queue")
    kind, case = claimed
    messages.success(request, _("%(ref)s is now yours.") % {"ref": case.reference})
    return redirect(kind.review_url_name, pk=case.pk)


def _application(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.exclude(status=Status.DRAFT).select_related(
            "applicant",
            "university",
            "province",
            "assignee",
            "policy_version",
            "permit",
            "extends",
            "enrolment",
        ),
        pk=pk,
    )


@officer_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    access_record(application=application, actor=request.user)
    return render(request, "officers/review.html", _review_context(request, application))


def _review_context(request: HttpRequest, application: Application, **forms) -> dict:
    today = timezone.localdate()
    events = list(application.events.select_related("actor"))
    outcome = evaluation_error = None
    earliest = latest = None
    if application.status in OPEN_STATUSES:
        try:
            outcome, policy = eligibility_evaluate(
                inputs=workflow.application_rule_input(application, on=today)
            )
            earliest, latest = decisions.permit_bounds_from(
                application, outcome=outcome, version=policy, on=today
            )
        except (eligibility.InvalidInput, NoPolicyInForce) as exc:
            evaluation_error = str(exc)
    version = {"version": application.version}
    info_requests = list(application.info_requests.all())
    max_days = application.policy_version.info_request_days if application.policy_version else 30
    can_decide = application.status == Status.UNDER_REVIEW
    # Approval needs a possible permit period; requesting information or refusing does not.
    can_approve = can_decide and latest is not None and latest >= earliest
    return {
        "application": application,
        "stored_outcome": application.eligibility_outcome,
        "outcome": outcome,
        "evaluation_error": evaluation_error,
        # One verdict form per document, each with its own prefix so ids stay unique.
        "documents": [
            (document, VerdictForm(prefix=f"doc{document.pk}"))
            for document in application.documents.select_related("reviewed_by").order_by(
                "-is_current", "kind", "-uploaded_at"
            )
        ],
        "events": events,
        "notes": application.internal_notes.select_related("author"),
        "thread": application.messages.select_related("sender"),
        "deliveries": application.notifications.order_by("-created_at"),
        "info_request": next((r for r in info_requests if r.state == InfoRequest.State.OPEN), None),
        "info_requests": info_requests,
        "permit": getattr(application, "permit", None),
        "enrolment": getattr(application, "enrolment", None),
        "enrolment_rows": selectors.enrolment_comparison(application),
        "precheck_passed_at": selectors.precheck_passed_at(events),
        "decision_due_on": legal_due_on(application.complete_at),
        "appointment_steps": appointment_steps(events),
        "rejection": selectors.rejection_details(application)
        if application.status == Status.REJECTED
        else None,
        "rejection_reasons": decisions.REJECTION_REASONS,
        "can_decide": can_decide,
        "can_approve": can_approve,
        "latest": latest,
        "request_form": forms.get("request_form")
        or RequestInfoForm(initial=version, max_days=max_days),
        "approve_form": forms.get("approve_form")
        or (
            ApproveForm(
                initial=version,
                earliest=earliest,
                latest=latest,
                fixed_start=application.is_extension,
            )
            if can_approve
            else None
        ),
        "reject_form": forms.get("reject_form") or RejectForm(initial=version),
        "note_form": NoteForm(),
        "message_form": OfficerMessageForm(),
        "reassign_form": ReassignForm(initial=version) if is_supervisor(request.user) else None,
        "is_assignee": application.assignee_id == request.user.pk,
        "sections": selectors.review_sections(application),
    }


def _decide(request, pk, form_name, form, action) -> HttpResponse:
    """Run one decision: on a stale version or a refused action nothing changes."""
    application = _application(pk)
    if form.is_valid():
        try:
            action(application, form.cleaned_data)
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect("officer-review", pk=pk)
        return redirect("officer-review", pk=pk)
    context = _review_context(request, application, **{form_name: form})
    return render(request, "officers/review.html", context, status=400)


def _posted_version(request: HttpRequest) -> int:
    """The version the page showed; a missing or garbled one can never match (stale)."""
    form = VersionedForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else 0


@officer_required
@require_POST
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    try:
        decisions.application_start_review(
            application_id=pk,
            actor=request.user,
            expected_version=_posted_version(request),
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are reviewing %(ref)s.") % {"ref": application.reference})
    return redirect("officer-review", pk=pk)


@officer_required
@require_POST
def request_info(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    max_days = application.policy_version.info_request_days if application.policy_version else 30

    def act(app, data):
        decisions.application_request_info(
            application_id=app.pk,
            actor=request.user,
            expected_version=data["version"],
            message=data["message"],
            document_kinds=data["document_kinds"],
            due_date=data["due_date"],
        )
        messages.success(request, _("The student has been asked for more information."))

    return _decide(
        request, pk, "request_form", RequestInfoForm(request.POST, max_days=max_days), act
    )


@officer_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    try:
        earliest, latest = decisions.permit_bounds(application, on=timezone.localdate())
    except (eligibility.InvalidInput, NoPolicyInForce) as exc:
        messages.error(request, str(exc))
        return redirect("officer-review", pk=pk)

    def act(app, data):
        permit = decisions.application_approve(
            application_id=app.pk,
            actor=request.user,
            expected_version=data["version"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )
        messages.success(
            request, _("Approved. Permit %(number)s issued.") % {"number": permit.number}
        )

    form = ApproveForm(
        request.POST, earliest=earliest, latest=latest, fixed_start=application.is_extension
    )
    return _decide(request, pk, "approve_form", form, act)


@officer_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    def act(app, data):
        decisions.application_reject(
            application_id=app.pk,
            actor=request.user,
            expected_version=data["version"],
            reason_codes=data["reason_codes"],
            explanation=data["explanation"],
        )
        messages.success(request, _("The application was refused."))

    return _decide(request, pk, "reject_form", RejectForm(request.POST), act)


@officer_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    _application(pk)  # 404 for an unknown id or a draft, like every other officer page
    try:
        decisions.application_release(
            application_id=pk,
            actor=request.user,
            expected_version=_posted_version(request),
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("officer-review", pk=pk)
    messages.success(request, _("Released back to the queue."))
    return redirect("officer-queue")


@officer_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    _application(pk)  # 404 for an unknown id or a draft, like every other officer page
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an officer."))
        return redirect("officer-review", pk=pk)
    try:
        decisions.application_reassign(
            application_id=pk,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            assignee=form.cleaned_data["assignee"],
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reassigned."))
    return redirect("officer-review", pk=pk)


@officer_required
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        note_add(application_id=application.pk, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Note saved."))
    else:
        messages.error(request, _("Write the note first."))
    return redirect(f"{reverse('officer-review', args=[pk])}#notes")


@officer_required
@require_POST
def send_message(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    form = OfficerMessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_send(
                application_id=application.pk, actor=request.user, body=form.cleaned_data["body"]
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Message sent to the student."))
    else:
        messages.error(request, _("Write a message first."))
    return redirect("officer-review", pk=pk)


@officer_required
@require_POST
def document_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document.objects.exclude(application__status=Status.DRAFT), pk=pk)
    form = VerdictForm(request.POST, prefix=f"doc{document.pk}")
    if form.is_valid():
        try:
            document_review(
                document_id=document.pk,
                actor=request.user,
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Verdict saved."))
    else:
        messages.error(request, _("Choose a verdict."))
    return redirect("officer-review", pk=document.application_id)
