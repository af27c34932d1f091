"""What an international office may read: its own university's students, and only what its
duties need (never passport numbers, documents outside a check, or messages).

Every query here starts from the university; no function takes a student or case id alone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from applications.models import (
    Application,
    ApplicationEvent,
    EnrolmentConfirmation,
    EnrolmentStatus,
    InfoRequest,
    Kind,
    PrecheckRound,
    Status,
)
from permits.models import Permit, PermitStatus
from rules import eligibility
from universities.models import University

from .models import ApiToken, StudyEndReport

# The columns a university sees of a case: nothing else is ever loaded for it.
STUDENT_FIELDS = (
    "pk",
    "reference",
    "kind",
    "status",
    "surname",
    "given_names",
    "student_number",
    "level",
    "field",
    "faculty",
    "department",
    "programme_start",
    "programme_end",
    "submitted_at",
    "version",
    "university_id",
    "applicant_id",
)


def university_cases(university: University) -> QuerySet[Application]:
    """Every handed-in application (first or extension) that names the university."""
    return (
        Application.objects.filter(university=university)
        .exclude(status=Status.DRAFT)
        .exclude(anonymised_at__isnull=False)
        .only(*STUDENT_FIELDS)
    )


def university_students(
    university: University, *, status: str = "", kind: str = "", search: str = ""
) -> QuerySet[Application]:
    """The students list and tracker, newest first, with permit and confirmation facts."""
    cases = university_cases(university).select_related("permit", "enrolment")
    cases = cases.only(
        *STUDENT_FIELDS,
        "permit__number",
        "permit__status",
        "permit__valid_from",
        "permit__valid_to",
        "enrolment__number",
        "enrolment__status",
    )
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if search:
        term = search.strip()
        cases = cases.filter(
            Q(reference__iexact=term)
            | Q(student_number__iexact=term)
            | Q(surname__icontains=term)
            | Q(given_names__icontains=term)
        )
    return cases.order_by("-pk")


def university_case(university: University, application_id: int) -> Application | None:
    return university_cases(university).filter(pk=application_id).first()


def case_by_reference(university: University, reference: str) -> Application | None:
    return university_cases(university).filter(reference=reference.strip().upper()).first()


def pending_confirmations(university: University) -> QuerySet[EnrolmentConfirmation]:
    return (
        EnrolmentConfirmation.objects.filter(
            university=university, status=EnrolmentStatus.REQUESTED
        )
        .select_related("application")
        .only(
            "pk",
            "number",
            "status",
            "version",
            "requested_at",
            "university_id",
            *(f"application__{name}" for name in STUDENT_FIELDS if name != "pk"),
            "application__id",
        )
        .order_by("requested_at", "pk")
    )


def confirmation_for(university: University, confirmation_id: int) -> EnrolmentConfirmation | None:
    return (
        EnrolmentConfirmation.objects.filter(university=university, pk=confirmation_id)
        .select_related("application")
        .first()
    )


def confirmation_by_reference(
    university: University, reference: str
) -> EnrolmentConfirmation | None:
    """A confirmation named by its number (EC-…) or by the application's reference."""
    term = reference.strip().upper()
    return (
        EnrolmentConfirmation.objects.filter(university=university)
        .filter(Q(number=term) | Q(application__reference=term))
        .select_related("application")
        .first()
    )


def precheck_waiting(university: University) -> QuerySet[Application]:
    """Cases waiting for the office's document check, oldest hand-in first."""
    open_round = PrecheckRound.objects.filter(
        application=OuterRef("pk"), state=PrecheckRound.State.OPEN
    )
    return (
        university_cases(university)
        .filter(status=Status.PRECHECK)
        .filter(Exists(open_round))
        .order_by("pk")
    )


def current_permit_of(university: University, reference: str) -> Permit | None:
    """The valid permit a report about a student is about, from any reference of theirs: the
    permit number, or the reference of any of their applications at this university."""
    term = reference.strip().upper()
    student_ids = (
        university_cases(university)
        .filter(Q(reference=term) | Q(permit__number=term))
        .values("applicant_id")
    )
    return (
        Permit.objects.filter(
            application__applicant_id__in=student_ids,
            application__university=university,
            status=PermitStatus.VALID,
            extended_by__isnull=True,
        )
        .select_related("application")
        .order_by("-valid_to")
        .first()
    )


def study_end_reports(university: University) -> QuerySet[StudyEndReport]:
    return StudyEndReport.objects.filter(university=university).select_related("report", "permit")


def active_tokens(university: University) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(university=university, revoked_at__isnull=True)


def university_counts(university: University) -> dict[str, Any]:
    cases = university_cases(university)
    return {
        "pending_confirmations": pending_confirmations(university).count(),
        "precheck_waiting": precheck_waiting(university).count()
        if university.precheck_enabled
        else 0,
        "open_cases": cases.filter(
            status__in=[
                Status.PRECHECK,
                Status.RETURNED,
                Status.SUBMITTED,
                Status.UNDER_REVIEW,
                Status.INFO_REQUESTED,
            ]
        ).count(),
        "first_applications": cases.filter(kind=Kind.FIRST).count(),
    }


def with_missing(cases: QuerySet[Application]) -> QuerySet[Application]:
    """Prefetch what ``missing_items`` reads: the last returned check and the open request."""
    return cases.prefetch_related(
        Prefetch(
            "precheck_rounds",
            queryset=PrecheckRound.objects.filter(state=PrecheckRound.State.RETURNED).order_by(
                "-decided_at", "-pk"
            ),
            to_attr="returned_rounds",
        ),
        Prefetch(
            "info_requests",
            queryset=InfoRequest.objects.filter(state=InfoRequest.State.OPEN).only(
                "pk", "application_id", "document_kinds", "due_date", "state"
            ),
            to_attr="open_requests",
        ),
    )


def missing_items(case: Application) -> list[str]:
    """What the case waits for, in the office's words: the documents returned to the student
    or asked for by the officer (their kinds only, never the request's text), and the
    university's own confirmation."""
    labels = dict(eligibility.DOCUMENT_KINDS)
    items: list[str] = []
    returned = getattr(case, "returned_rounds", None)
    if case.status == Status.RETURNED and returned:
        items += [
            _("New %(document)s (returned by your office)") % {"document": labels.get(kind, kind)}
            for kind in returned[0].returned_documents
        ]
    open_requests = getattr(case, "open_requests", None)
    if case.status == Status.INFO_REQUESTED and open_requests:
        request = open_requests[0]
        items += [
            _("%(document)s (asked by the officer, due %(date)s)")
            % {"document": labels.get(kind, kind), "date": request.due_date.isoformat()}
            for kind in request.document_kinds
        ] or [_("An answer to the officer (due %(date)s)") % {"date": request.due_date.isoformat()}]
    if case.status == Status.PRECHECK:
        items.append(_("Your office's document check"))
    try:
        enrolment = case.enrolment
    except EnrolmentConfirmation.DoesNotExist:
        enrolment = None
    if enrolment is not None and enrolment.status == EnrolmentStatus.REQUESTED:
        items.append(_("Your office's enrolment confirmation"))
    return items


# The steps of a case an office may follow: no officer's notes, messages or access log.
OFFICE_EVENT_KINDS = (
    ApplicationEvent.Kind.STATUS_CHANGED,
    ApplicationEvent.Kind.ENROLMENT,
)


def office_timeline(case: Application) -> list[dict[str, Any]]:
    steps = []
    for event in case.events.filter(kind__in=OFFICE_EVENT_KINDS).order_by("created_at", "pk"):
        if event.kind == ApplicationEvent.Kind.ENROLMENT:
            to = event.data.get("to") or ""
            label = str(EnrolmentStatus(to).label) if to in EnrolmentStatus.values else ""
            steps.append(
                {"when": event.created_at, "what": _("Enrolment confirmation"), "status": label}
            )
        else:
            steps.append(
                {
                    "when": event.created_at,
                    "what": _("Status"),
                    "status": Status(event.to_status).label,
                }
            )
    return steps
