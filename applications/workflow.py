"""Every status change of an application, and nothing else that assigns ``status``.

One table of allowed transitions, one service per action. Each service locks the row
(``select_for_update``), checks the transition and the version the caller saw (optimistic
concurrency: a stale form is told that the application changed meanwhile), writes an append-only
``ApplicationEvent`` and bumps the version, all inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_officer, is_supervisor
from notifications.services import notify_status_change

from . import eligibility
from .letters import permit_attach_letter
from .models import (
    ACTIVE_STATUSES,
    Application,
    ApplicationEvent,
    Document,
    InfoRequest,
    Permit,
    Status,
)
from .policies import NoPolicyInForce, eligibility_evaluate
from .references import reference_allocate
from .sections import REQUIRED_FIELDS

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.UNDER_REVIEW: frozenset(
        {Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}
    ),
    Status.INFO_REQUESTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.APPROVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

# Refusal grounds of LFIP Art. 40; codes are stable, labels are shown to the applicant.
REJECTION_REASONS: dict[str, Any] = {
    "conditions_not_met": gettext_lazy("The conditions for the permit are not met."),
    "conditions_no_longer_met": gettext_lazy("The conditions for the permit are no longer met."),
    "studies_cannot_continue": gettext_lazy("There is evidence that the studies cannot continue."),
    "other_purpose": gettext_lazy("The permit was used for a purpose other than studying."),
    "deportation_or_entry_ban": gettext_lazy(
        "A deportation order or an entry ban applies to the applicant."
    ),
}


class WorkflowError(Exception):
    """An action that cannot be done now; ``message`` is shown to the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    pass


class StaleVersion(WorkflowError):
    pass


class NotPermitted(WorkflowError):
    pass


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
    return tuple(
        req.code
        for req in eligibility.required_documents(birth_date=application.date_of_birth, on=on)
    )


def application_missing(*, application: Application, on: date) -> Missing:
    fields = tuple(name for name in REQUIRED_FIELDS if getattr(application, name) in (None, ""))
    present = set(application.documents.filter(is_current=True).values_list("kind", flat=True))
    documents = tuple(
        kind for kind in required_document_kinds(application, on=on) if kind not in present
    )
    return Missing(fields=fields, documents=documents)


def _lock(application_id: int) -> Application:
    return Application.objects.select_for_update().get(pk=application_id)


def check_version(application: Application, *, expected_version: int) -> None:
    """Refuse a change made from a stale page (optimistic concurrency)."""
    if application.version != expected_version:
        raise StaleVersion(
            _(
                "This application was changed by someone else meanwhile. "
                "Nothing was saved; reload it to see the current state."
            )
        )


def _check(application: Application, *, to_status: str, expected_version: int) -> None:
    check_version(application, expected_version=expected_version)
    if to_status not in TRANSITIONS[application.status]:
        raise TransitionNotAllowed(
            _("An application that is “%(status)s” cannot become “%(target)s”.")
            % {
                "status": Status(application.status).label,
                "target": Status(to_status).label,
            }
        )


def _move(
    application: Application,
    *,
    actor: AbstractBaseUser | None,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: Iterable[str] = (),
) -> ApplicationEvent:
    """Assign the new status, bump the version, save and write the event."""
    from_status = application.status
    application.status = to_status
    # The row is locked (select_for_update), so incrementing in Python cannot lose an update.
    application.version += 1
    application.save(update_fields=["status", "version", "updated_at", *update])
    event = ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.STATUS_CHANGED,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    # The notice is written in this transaction: it exists exactly when the change does.
    notify_status_change(application=application, event=event)
    return event


def require_applicant(application: Application, actor: AbstractBaseUser) -> None:
    if application.applicant_id != actor.pk:
        raise NotPermitted(_("Only the applicant can do this."))


def require_officer(actor: AbstractBaseUser) -> None:
    if not is_officer(actor):
        raise NotPermitted(_("Only migration officers can do this."))


def _begin(
    application_id: int,
    *,
    actor: AbstractBaseUser,
    by: Literal["applicant", "officer"],
    to_status: str,
    expected_version: int,
) -> Application:
    """Lock the row, then check who acts, the version they saw and the transition."""
    application = _lock(application_id)
    if by == "applicant":
        require_applicant(application, actor)
    else:
        require_officer(actor)
    _check(application, to_status=to_status, expected_version=expected_version)
    return application


@transaction.atomic
def application_start(*, applicant: AbstractBaseUser) -> Application:
    """Open a draft; a student has at most one active application."""
    if is_officer(applicant):
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
    actor: AbstractBaseUser,
    expected_version: int,
    accept_declaration: bool = False,
    on: date | None = None,
) -> Application:
    """Evaluate the rules, record the outcome with its policy version, allocate the reference.

    ``accept_declaration`` records the applicant's declaration in the same transaction, so a
    failed submission leaves no half-made declaration behind.
    """
    application = _begin(
        application_id,
        actor=actor,
        by="applicant",
        to_status=Status.SUBMITTED,
        expected_version=expected_version,
    )
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
    application.submitted_at = timezone.now()
    _move(
        application,
        actor=actor,
        to_status=Status.SUBMITTED,
        data={"reference": application.reference, "policy_version": version.number},
        update=(
            "declaration_accepted_at",
            "eligibility_outcome",
            "passport_required_until",
            "policy_version",
            "evaluated_on",
            "reference",
            "submitted_at",
        ),
    )
    return application


def application_rule_input(application: Application, *, on: date) -> eligibility.EligibilityInput:
    return eligibility.EligibilityInput(
        level=application.level,
        field=application.field,
        programme_start=application.programme_start,
        programme_end=application.programme_end,
        prep_year=application.prep_year,
        passport_expiry=application.passport_expiry_date,
        entry_date=application.entry_date,
        on=on,
    )


@transaction.atomic
def application_start_review(
    *, application_id: int, actor: AbstractBaseUser, expected_version: int
) -> Application:
    application = _begin(
        application_id,
        actor=actor,
        by="officer",
        to_status=Status.UNDER_REVIEW,
        expected_version=expected_version,
    )
    if application.status != Status.SUBMITTED:
        raise TransitionNotAllowed(_("Only a submitted application can be taken into review."))
    if application.assignee_id is None:
        application.assignee = actor
    _move(application, actor=actor, to_status=Status.UNDER_REVIEW, update=("assignee",))
    return application


@transaction.atomic
def application_request_info(
    *,
    application_id: int,
    actor: AbstractBaseUser,
    expected_version: int,
    message: str,
    document_kinds: list[str],
    due_date: date | None = None,
) -> InfoRequest:
    application = _begin(
        application_id,
        actor=actor,
        by="officer",
        to_status=Status.INFO_REQUESTED,
        expected_version=expected_version,
    )
    if not message.strip():
        raise WorkflowError(_("Tell the applicant what is needed."))
    unknown = set(document_kinds) - {code for code, _label in eligibility.DOCUMENT_KINDS}
    if unknown:
        raise WorkflowError(_("Unknown document kind."))
    days = application.policy_version.info_request_days if application.policy_version else 30
    due_date = due_date or timezone.localdate() + timedelta(days=days)
    today = timezone.localdate()
    if due_date <= today:
        raise WorkflowError(_("The deadline must be in the future."))
    if due_date > today + timedelta(days=days):
        # LFIP Art. 21(3) as applied: at most the policy's period (30 days) to supply documents.
        raise WorkflowError(
            _("The deadline can be at most %(days)s days from today.") % {"days": days}
        )
    request = InfoRequest.objects.create(
        application=application,
        requested_by=actor,
        message=message.strip(),
        document_kinds=sorted(document_kinds),
        due_date=due_date,
    )
    _move(
        application,
        actor=actor,
        to_status=Status.INFO_REQUESTED,
        note=request.message,
        data={"info_request": request.pk, "due_date": due_date.isoformat()},
    )
    return request


@transaction.atomic
def application_provide_info(
    *, application_id: int, actor: AbstractBaseUser, expected_version: int, response: str = ""
) -> Application:
    """The applicant answers the open information request; the review resumes."""
    application = _begin(
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
    _move(
        application,
        actor=actor,
        to_status=Status.UNDER_REVIEW,
        note=request.response,
        data={"info_request": request.pk},
    )
    return application


def permit_bounds(application: Application, *, on: date) -> tuple[date, date]:
    """The earliest start and latest end an officer may give the permit."""
    outcome, version = eligibility_evaluate(inputs=application_rule_input(application, on=on))
    return permit_bounds_from(application, outcome=outcome, version=version, on=on)


def permit_bounds_from(
    application: Application, *, outcome: eligibility.Outcome, version, on: date
) -> tuple[date, date]:
    """The bounds for an outcome already evaluated: not after the programme end, and not later
    than the passport expiry minus the policy's margin."""
    passport_limit = application.passport_expiry_date - timedelta(days=version.passport_margin_days)
    return on, min(outcome.permit_end, passport_limit)


@transaction.atomic
def application_approve(
    *,
    application_id: int,
    actor: AbstractBaseUser,
    expected_version: int,
    valid_from: date,
    valid_to: date,
    on: date | None = None,
) -> Permit:
    application = _begin(
        application_id,
        actor=actor,
        by="officer",
        to_status=Status.APPROVED,
        expected_version=expected_version,
    )
    on = on or timezone.localdate()
    earliest, latest = permit_bounds(application, on=on)
    if valid_from < earliest:
        raise WorkflowError(_("A permit cannot start before the decision date."))
    if valid_to > latest:
        raise WorkflowError(
            _(
                "The permit cannot end after %(date)s: neither after the programme ends nor "
                "later than the passport allows."
            )
            % {"date": latest.isoformat()}
        )
    if valid_to < valid_from:
        raise WorkflowError(_("The permit must end after it starts."))
    application.decided_at = timezone.now()
    permit = Permit.objects.create(
        application=application,
        number=f"IKM-{application.reference}",
        valid_from=valid_from,
        valid_to=valid_to,
        issued_by=actor,
    )
    # In the same transaction: a permit never exists without its letter.
    permit_attach_letter(permit=permit)
    _move(
        application,
        actor=actor,
        to_status=Status.APPROVED,
        data={
            "permit": permit.number,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat(),
        },
        update=("decided_at",),
    )
    return permit


@transaction.atomic
def application_reject(
    *,
    application_id: int,
    actor: AbstractBaseUser,
    expected_version: int,
    reason_codes: list[str],
    explanation: str,
) -> Application:
    application = _begin(
        application_id,
        actor=actor,
        by="officer",
        to_status=Status.REJECTED,
        expected_version=expected_version,
    )
    if not reason_codes or set(reason_codes) - set(REJECTION_REASONS):
        raise WorkflowError(_("Choose at least one refusal ground of LFIP Art. 40."))
    if not explanation.strip():
        raise WorkflowError(_("A refusal must explain its reasons."))
    application.decided_at = timezone.now()
    _move(
        application,
        actor=actor,
        to_status=Status.REJECTED,
        note=explanation.strip(),
        data={"reasons": sorted(reason_codes)},
        update=("decided_at",),
    )
    return application


@transaction.atomic
def application_withdraw(
    *, application_id: int, actor: AbstractBaseUser, expected_version: int, note: str = ""
) -> Application:
    application = _begin(
        application_id,
        actor=actor,
        by="applicant",
        to_status=Status.WITHDRAWN,
        expected_version=expected_version,
    )
    application.info_requests.filter(state=InfoRequest.State.OPEN).update(
        state=InfoRequest.State.CANCELLED
    )
    _move(application, actor=actor, to_status=Status.WITHDRAWN, note=note.strip())
    return application


def current_documents(application: Application) -> list[Document]:
    return list(application.documents.filter(is_current=True))


@transaction.atomic
def application_claim_next(*, actor: AbstractBaseUser) -> Application | None:
    """Give ``actor`` the oldest unassigned application waiting for review, and start it.

    ``SKIP LOCKED`` lets officers press the button at the same moment: each transaction skips
    rows another one has locked, so no two officers ever receive the same application.
    """
    require_officer(actor)
    application = (
        Application.objects.select_for_update(skip_locked=True)
        .filter(status__in=(Status.SUBMITTED, Status.UNDER_REVIEW), assignee__isnull=True)
        .order_by("submitted_at", "pk")
        .first()
    )
    if application is None:
        return None
    application.assignee = actor
    if application.status == Status.SUBMITTED:
        _move(application, actor=actor, to_status=Status.UNDER_REVIEW, update=("assignee",))
    else:
        _assign(application, actor=actor, assignee=actor)
    return application


def _assign(
    application: Application, *, actor: AbstractBaseUser, assignee: AbstractBaseUser | None
) -> None:
    application.assignee = assignee
    application.version += 1
    application.save(update_fields=["assignee", "version", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.ASSIGNED if assignee else ApplicationEvent.Kind.RELEASED,
        actor=actor,
        data={"assignee": assignee.email if assignee else None},
    )


@transaction.atomic
def application_release(
    *, application_id: int, actor: AbstractBaseUser, expected_version: int
) -> Application:
    """Hand an application back to the queue; only its assignee or a supervisor may."""
    application = _lock(application_id)
    require_officer(actor)
    check_version(application, expected_version=expected_version)
    if application.assignee_id != actor.pk and not is_supervisor(actor):
        raise NotPermitted(_("Only the assigned officer or a supervisor can release it."))
    if application.status not in ACTIVE_STATUSES:
        raise WorkflowError(_("A decided application has no one to release it from."))
    _assign(application, actor=actor, assignee=None)
    return application


@transaction.atomic
def application_reassign(
    *,
    application_id: int,
    actor: AbstractBaseUser,
    expected_version: int,
    assignee: AbstractBaseUser,
) -> Application:
    application = _lock(application_id)
    if not is_supervisor(actor):
        raise NotPermitted(_("Only supervisors can reassign applications."))
    check_version(application, expected_version=expected_version)
    if not is_officer(assignee):
        raise WorkflowError(_("Applications can only be assigned to officers."))
    if application.status not in ACTIVE_STATUSES or application.status == Status.DRAFT:
        raise WorkflowError(_("Only applications waiting for a decision can be reassigned."))
    _assign(application, actor=actor, assignee=assignee)
    return application
