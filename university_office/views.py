"""The international office's pages: thin views over the selectors (scoped by the office's
university, which ``office_view`` hands in) and the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications import enrolment, precheck
from applications.models import EnrolmentStatus, Kind, Status
from applications.precheck_flow import last_returned_round
from applications.workflow import required_document_kinds
from cases.errors import WorkflowError
from documents.serving import file_response
from rules import eligibility
from universities.models import University

from . import selectors, services
from .decorators import office_view
from .forms import ConfirmationForm, DeclineForm, PrecheckForm, StudyEndForm
from .models import Channel

PAGE_SIZE = 50

# The statuses a university follows its students' cases by, in the order a case moves.
TRACKED_STATUSES = [status for status in Status if status != Status.DRAFT]


@require_GET
@office_view
def home(request: HttpRequest, university: University) -> HttpResponse:
    return render(
        request,
        "university_office/home.html",
        {
            "office_university": university,
            "counts": selectors.university_counts(university),
            "pending": selectors.pending_confirmations(university)[:5],
            "recent_reports": selectors.study_end_reports(university)[:5],
        },
    )


@require_GET
@office_view
def students(request: HttpRequest, university: University) -> HttpResponse:
    """The students list and the file tracker: every case by status and kind, with what is
    missing."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    search = request.GET.get("q", "")[:64]
    if status not in Status.values:
        status = ""
    if kind not in Kind.values:
        kind = ""
    cases = selectors.with_missing(
        selectors.university_students(university, status=status, kind=kind, search=search)
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, selectors.missing_items(case)) for case in page]
    counts = dict(
        selectors.university_cases(university)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return render(
        request,
        "university_office/students.html",
        {
            "office_university": university,
            "page": page,
            "rows": rows,
            "status": status,
            "kind": kind,
            "q": search,
            "statuses": [(s, Status(s).label, counts.get(s, 0)) for s in TRACKED_STATUSES],
            "query": urlencode(
                {k: v for k, v in (("status", status), ("kind", kind), ("q", search)) if v}
            ),
            "kinds": Kind.choices,
        },
    )


def _case_or_404(university: University, pk: int):
    case = selectors.university_case(university, pk)
    if case is None:
        raise Http404
    return case


@require_GET
@office_view
def student_case(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    """One case as the office sees it: the facts its duties need and the steps so far."""
    case = _case_or_404(university, pk)
    case = selectors.with_missing(selectors.university_students(university)).get(pk=case.pk)
    return render(
        request,
        "university_office/case.html",
        {
            "office_university": university,
            "case": case,
            "missing": selectors.missing_items(case),
            "steps": selectors.office_timeline(case),
        },
    )


@require_GET
@office_view
def confirmations(request: HttpRequest, university: University) -> HttpResponse:
    page = Paginator(selectors.pending_confirmations(university), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "university_office/confirmations.html",
        {"office_university": university, "page": page},
    )


@require_http_methods(["GET", "POST"])
@office_view
def confirmation(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    item = selectors.confirmation_for(university, pk)
    if item is None:
        raise Http404
    application = item.application
    confirm_form = ConfirmationForm.for_application(application, item.version)
    decline_form = DeclineForm(initial={"version": item.version}, prefix="decline")
    if request.method == "POST":
        try:
            if "decline-reason" in request.POST:
                decline_form = DeclineForm(request.POST, prefix="decline")
                if decline_form.is_valid():
                    enrolment.enrolment_decline(
                        confirmation_id=item.pk,
                        actor=request.user,
                        reason=decline_form.cleaned_data["reason"],
                        expected_version=decline_form.cleaned_data["version"],
                        channel=Channel.PAGE,
                    )
                    messages.success(
                        request,
                        _(
                            "The student and the officer are told that the enrolment is not "
                            "confirmed."
                        ),
                    )
                    return redirect("university-confirmations")
            else:
                confirm_form = ConfirmationForm(request.POST, prefix="confirm")
                if confirm_form.is_valid():
                    data = confirm_form.cleaned_data
                    done = enrolment.enrolment_confirm(
                        confirmation_id=item.pk,
                        actor=request.user,
                        level=data["level"],
                        field=data["field"],
                        programme_start=data["programme_start"],
                        programme_end=data["programme_end"],
                        expected_version=data["version"],
                        channel=Channel.PAGE,
                    )
                    messages.success(
                        request,
                        _("Enrolment confirmed: %(number)s.") % {"number": done.number},
                    )
                    return redirect("university-confirmations")
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect("university-confirmation", pk=pk)
    return render(
        request,
        "university_office/confirmation.html",
        {
            "office_university": university,
            "item": item,
            "application": application,
            "confirm_form": confirm_form,
            "decline_form": decline_form,
            "answered": item.status != EnrolmentStatus.REQUESTED,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@office_view
def precheck_list(request: HttpRequest, university: University) -> HttpResponse:
    page = Paginator(selectors.precheck_waiting(university), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "university_office/precheck_list.html",
        {"office_university": university, "page": page},
    )


def _precheck_case_or_404(university: University, pk: int):
    case = selectors.precheck_waiting(university).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@require_http_methods(["GET", "POST"])
@office_view
def precheck_case(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    """The documents of a case in the office's check: pass it on, or return it with a reason
    for each document to correct."""
    case = _precheck_case_or_404(university, pk)
    documents = list(case.documents.filter(is_current=True).order_by("kind", "pk"))
    today = timezone.localdate()
    required = list(required_document_kinds(case, on=today))
    kinds = list(dict.fromkeys([*required, *(doc.kind for doc in documents)]))
    form = PrecheckForm(request.POST or None, kinds=kinds, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("decision") == "return":
                precheck.precheck_return(
                    application_id=case.pk,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    reasons=form.reasons(),
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request, _("The application was returned to the student with your reasons.")
                )
            else:
                if form.reasons():
                    raise WorkflowError(
                        _(
                            "You gave reasons for some documents: return the application "
                            "instead, or clear them."
                        )
                    )
                precheck.precheck_pass(
                    application_id=case.pk,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                )
                messages.success(request, _("The application went on to the migration office."))
            return redirect("university-precheck")
        except WorkflowError as exc:
            messages.error(request, exc.message)
    labels = dict(eligibility.DOCUMENT_KINDS)
    present = {doc.kind for doc in documents}
    return render(
        request,
        "university_office/precheck_case.html",
        {
            "office_university": university,
            "case": case,
            "documents": documents,
            "absent": [labels.get(kind, kind) for kind in required if kind not in present],
            "form": form,
            "reason_fields": [form[f"reason_{kind}"] for kind in kinds],
            "previous": last_returned_round(case),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@office_view
def precheck_document(
    request: HttpRequest, university: University, pk: int, document_pk: int
) -> HttpResponse:
    """A document of a case in the office's check, and only while it is there."""
    case = _precheck_case_or_404(university, pk)
    document = case.documents.filter(pk=document_pk, is_current=True).first()
    if document is None:
        raise Http404
    return file_response(
        document.file.open("rb"),
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_http_methods(["GET", "POST"])
@office_view
def report_new(request: HttpRequest, university: University) -> HttpResponse:
    form = StudyEndForm(
        request.POST or None, initial={"reference": request.GET.get("reference", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.study_end_report(
                actor=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
                channel=Channel.PAGE,
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Reported: %(reason)s. The migration office opened case %(reference)s and "
                    "the student is told."
                )
                % {"reason": made.get_reason_display(), "reference": made.report.reference},
            )
            return redirect("university-home")
    return render(
        request,
        "university_office/report_new.html",
        {
            "office_university": university,
            "form": form,
            "recent": selectors.study_end_reports(university)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )
