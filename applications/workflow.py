"""The student's moves of an application: start, submit, answer an information request, withdraw.

Each service locks the row and checks the actor, the version they saw and the transition
(``flow.begin``), then moves the application through the shared engine (``flow.move``): the
status, the version, the append-only event and the outbox notices change in one transaction.
The officers' moves are in ``decisions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_staff_account
from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed, WorkflowError
from permits.models import PermitStatus
from rules import eligibility
from rules.policies import NoPolicyInForce, eligibility_evaluate, policy_version_in_force
from universities.scoping import uses_portal_id

from .completeness import complete_on_arrival
from .enrolment_flow import enrolment_request, rule_facts
from .extensions import new_permit_start
from .flow import begin, check_version, move, require_applicant
from .models import ACTIVE_STATUSES, Application, ApplicationEvent, InfoRequest, Status
from .precheck_flow import precheck_open
from .references import reference_allocate
from .sections import required_fields

__all__ = [
    "IncompleteApplication",
    "NotPermitted",
    "StaleVersion",
    "TransitionNotAllowed",
    "WorkflowError",
    "check_version",
    "require_applicant",
]


class IncompleteApplication(WorkflowError):
    def __init__(self, missing: list[str], message: str | None = None) -> None:
        super().__init__(message or _("The application is not complete yet."))
        self.missing = missing


@dataclass(frozen=True)
class Missing:
    """What still keeps a draft from being submitted."""

    fields: tuple[str, ...]
    documents: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.documents


def required_document_kinds(application: Application, *, on: date) -> tuple[str, ...]:
    """The checklist of a first application; for an extension, the kinds its policy names
    (plus the parents' consent for a minor, which the law asks of every application)."""
    checklist = tuple(
        req.code
        for req in eligibility.required_documents(birth_date=application.date_of_birth, on=on)
    )
    if not application.is_extension:
        return checklist
    named = list(policy_version_in_force(on=on).extension_document_kinds)
    if "parental_consent" in checklist and "parental_consent" not in named:
        named.append("parental_consent")
    return tuple(named)


def application_missing(*, application: Application, on: date) -> Missing:
    fields = tuple(
        name for name in required_fields(application) if getattr(application, name) in (None, "")
    )
    present = set(application.documents.filter(is_current=True).values_list("kind", flat=True))
    documents = tuple(
        kind for kind in required_document_kinds(application, on=on) if kind not in present
    )
    return Missing(fields=fields, documents=documents)


@transaction.atomic
def application_start(*, applicant: User) -> Application:
    """Open a draft; a student has at most one active application."""
    if is_staff_account(applicant):
        raise NotPermitted(_("Staff accounts cannot apply; use a personal account."))
    if Application.objects.filter(applicant=applicant, status__in=ACTIVE_STATUSES).exists():
        raise WorkflowError(_("You already have an application in progress."))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=applicant, contact_email=applicant.email
            )
    except IntegrityError as exc:
        # Two tabs starting at once: the partial unique index decides.
        raise WorkflowError(_("You already have an application in progress.")) from exc
    ApplicationEvent.objects.create(
        application=application, kind=ApplicationEvent.Kind.CREATED, actor=applicant
    )
    return application


@transaction.atomic
def application_submit(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    accept_declaration: bool = False,
    on: date | None = None,
) -> Application:
    """Evaluate the rules, record the outcome with its policy version, allocate the reference,
    and ask the university to confirm the enrolment.

    The application goes to the officers' queue, or first to the university's document check
    where the university has switched it on (``University.precheck_enabled``).
    ``accept_declaration`` records the applicant's declaration in the same transaction, so a
    failed submission leaves no half-made declaration behind.
    """
    target = hand_in_status(application_id)
    application = begin(
        application_id,
        actor=actor,
        by="applicant",
        to_status=target,
        expected_version=expected_version,
    )
    if application.status != Status.DRAFT:
        # A returned application goes back to the university's check by being handed in again
        # (precheck.application_resubmit), which checks the returned documents were replaced.
        raise TransitionNotAllowed(_("Only a draft can be submitted."))
    if application.extends is not None and application.extends.status != PermitStatus.VALID:
        # Cancelled or ended since the draft was started: there is nothing left to extend.
        raise WorkflowError(_("This permit is no longer valid, so it cannot be extended."))
    on = on or timezone.localdate()
    missing = application_missing(application=application, on=on)
    if not missing.is_empty:
        raise IncompleteApplication([*missing.fields, *missing.documents])
    if accept_declaration:
        application.declaration_accepted_at = timezone.now()
    if application.declaration_accepted_at is None:
        raise WorkflowError(_("Please confirm the declaration before submitting."))
    try:
        outcome, version = eligibility_evaluate(inputs=application_rule_input(application, on=on))
    except (eligibility.InvalidInput, NoPolicyInForce) as exc:
        # Facts the rules cannot evaluate (e.g. an entry date after today): the student fixes
        # them; this is not a server error.
        raise WorkflowError(str(exc)) from exc
    application.eligibility_outcome = outcome.to_dict()
    application.passport_required_until = outcome.passport_required_until
    application.policy_version = version
    application.evaluated_on = on
    application.reference = reference_allocate(year=on.year)
    if target == Status.SUBMITTED:
        application.submitted_at = timezone.now()
        complete_on_arrival(application)
    else:
        precheck_open(application)
    enrolment_request(application, actor=actor)
    move(
        application,
        actor=actor,
        to_status=target,
        data={"reference": application.reference, "policy_version": version.number},
        update=(
            "declaration_accepted_at",
            "eligibility_outcome",
            "passport_required_until",
            "policy_version",
            "evaluated_on",
            "reference",
            "submitted_at",
            "complete_at",
        ),
    )
    return application


def hand_in_status(application_id: int) -> str:
    """Where a handed-in application goes: the university's document check, or the queue."""
    university = (
        Application.objects.filter(pk=application_id)
        .values_list("university__precheck_enabled", "university_id")
        .first()
    )
    if university and university[0] and uses_portal_id(university[1]):
        return Status.PRECHECK
    return Status.SUBMITTED


def application_rule_input(application: Application, *, on: date) -> eligibility.EligibilityInput:
    """The rules' input for ``application`` evaluated on ``on``.

    An extension is evaluated on the day its permit would start (the day after the current one
    ends), without the entry date: the legal-stay rule concerns a first arrival only.
    """
    if application.extends is not None:
        on = new_permit_start(application.extends)
    # Both are required fields: the rules are evaluated only once they are filled in (every
    # caller checks ``application_missing`` first, or the application was submitted).
    facts = rule_facts(application)
    return eligibility.EligibilityInput(
        level=facts["level"],
        field=facts["field"],
        programme_start=facts["programme_start"],
        programme_end=facts["programme_end"],
        prep_year=application.prep_year,
        passport_expiry=cast(date, application.passport_expiry_date),
        entry_date=None if application.is_extension else application.entry_date,
        on=on,
    )


@transaction.atomic
def application_provide_info(
    *, application_id: int, actor: User, expected_version: int, response: str = ""
) -> Application:
    """The applicant answers the open information request; the review resumes."""
    application = begin(
        application_id,
        actor=actor,
        by="applicant",
        to_status=Status.UNDER_REVIEW,
        expected_version=expected_version,
    )
    if application.status != Status.INFO_REQUESTED:
        # submitted -> under_review is start_review's move; there is no request to answer.
        raise TransitionNotAllowed(_("There is no information request to answer."))
    request = application.info_requests.select_for_update().get(state=InfoRequest.State.OPEN)
    replaced = set(
        application.documents.filter(
            is_current=True, uploaded_at__gte=request.created_at
        ).values_list("kind", flat=True)
    )
    missing = [kind for kind in request.document_kinds if kind not in replaced]
    if missing:
        raise IncompleteApplication(
            missing, _("Upload every document the officer asked for before you send your answer.")
        )
    request.state = InfoRequest.State.ANSWERED
    request.response = response.strip()
    request.responded_at = timezone.now()
    request.save(update_fields=["state", "response", "responded_at"])
    move(
        application,
        actor=actor,
        to_status=Status.UNDER_REVIEW,
        note=request.response,
        data={"info_request": request.pk},
    )
    return application


@transaction.atomic
def application_withdraw(
    *, application_id: int, actor: User, expected_version: int, note: str = ""
) -> Application:
    application = begin(
        application_id,
        actor=actor,
        by="applicant",
        to_status=Status.WITHDRAWN,
        expected_version=expected_version,
    )
    application.info_requests.filter(state=InfoRequest.State.OPEN).update(
        state=InfoRequest.State.CANCELLED
    )
    move(application, actor=actor, to_status=Status.WITHDRAWN, note=note.strip())
    return application
