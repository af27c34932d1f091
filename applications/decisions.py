"""The officers' moves of an application: review, information requests, decisions, assignment.

Every service locks the row and checks the officer, the version they saw and the transition
(``flow.begin``), then moves the application through the shared engine (``flow.move``). The
student's moves are in ``workflow.py``; claim-next over every kind of case is
``cases.assignment.case_claim_next``, which claims an application with ``application_claim``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_officer, is_supervisor
from cases.assignment import require_officer
from cases.errors import NotPermitted, TransitionNotAllowed, WorkflowError
from permits.card_services import card_order
from permits.grounds import ARTICLE_40_GROUNDS
from permits.letters import permit_attach_letter
from permits.models import GRANTED, Permit, PermitStatus
from rules import eligibility
from rules.models import PolicyVersion
from rules.policies import eligibility_evaluate

from .flow import assign, begin, check_version, lock, move
from .models import ACTIVE_STATUSES, Application, InfoRequest, Status
from .workflow import application_rule_input

# Refusal grounds of LFIP Art. 40; codes are stable, labels are shown to the applicant.
# LFIP Art. 40: the same grounds a cancellation states (permits.grounds).
REJECTION_REASONS: dict[str, Any] = dict(ARTICLE_40_GROUNDS)


@transaction.atomic
def application_start_review(
    *, application_id: int, actor: User, expected_version: int
) -> Application:
    application = begin(
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
    move(application, actor=actor, to_status=Status.UNDER_REVIEW, update=("assignee",))
    return application


@transaction.atomic
def application_request_info(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    message: str,
    document_kinds: list[str],
    due_date: date | None = None,
) -> InfoRequest:
    application = begin(
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
    move(
        application,
        actor=actor,
        to_status=Status.INFO_REQUESTED,
        note=request.message,
        data={"info_request": request.pk, "due_date": due_date.isoformat()},
    )
    return request


def permit_bounds(application: Application, *, on: date) -> tuple[date, date]:
    """The earliest start and latest end an officer may give the permit."""
    outcome, version = eligibility_evaluate(inputs=application_rule_input(application, on=on))
    return permit_bounds_from(application, outcome=outcome, version=version, on=on)


def permit_bounds_from(
    application: Application, *, outcome: eligibility.Outcome, version: PolicyVersion, on: date
) -> tuple[date, date]:
    """The bounds for an outcome already evaluated: not after the programme end, and not later
    than the passport expiry minus the policy's margin."""
    # The outcome was evaluated from this expiry date: the rules cannot run without one.
    expiry = cast(date, application.passport_expiry_date)
    passport_limit = expiry - timedelta(days=version.passport_margin_days)
    # The day the rules evaluated: the decision date, or for an extension the day after the
    # current permit ends.
    return outcome.permit_start, min(outcome.permit_end, passport_limit)


@transaction.atomic
def application_approve(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    valid_from: date,
    valid_to: date,
    on: date | None = None,
) -> Permit:
    application = begin(
        application_id,
        actor=actor,
        by="officer",
        to_status=Status.APPROVED,
        expected_version=expected_version,
    )
    on = on or timezone.localdate()
    earliest, latest = permit_bounds(application, on=on)
    extended = application.extends
    if extended is not None:
        # Locked: a cancellation (which locks the permit) cannot slip in before the new permit.
        extended = (
            Permit.objects.select_for_update(of=("self",))
            .select_related("application")
            .get(pk=extended.pk)
        )
        # Cancelled or ended while the extension waited: there is nothing left to extend.
        if extended.application.status != GRANTED or extended.status != PermitStatus.VALID:
            raise WorkflowError(_("The permit to extend is no longer valid."))
        if valid_from != earliest:
            # No gap and no overlap between the two permits.
            raise WorkflowError(
                _("An extension starts on %(date)s, the day after the current permit ends.")
                % {"date": earliest.isoformat()}
            )
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
        extends=extended,
        number=f"IKM-{application.reference}",
        valid_from=valid_from,
        valid_to=valid_to,
        issued_by=actor,
    )
    card_order(permit=permit, actor=actor)
    # In the same transaction: a permit never exists without its letter.
    permit_attach_letter(permit=permit)
    move(
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
    actor: User,
    expected_version: int,
    reason_codes: list[str],
    explanation: str,
) -> Application:
    application = begin(
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
    move(
        application,
        actor=actor,
        to_status=Status.REJECTED,
        note=explanation.strip(),
        data={"reasons": sorted(reason_codes)},
        update=("decided_at",),
    )
    return application


def application_claim(application: Application, actor: User) -> None:
    """What claim-next does with a locked, unassigned application: the officer takes it, and a
    submitted one goes into review."""
    application.assignee = actor
    if application.status == Status.SUBMITTED:
        move(application, actor=actor, to_status=Status.UNDER_REVIEW, update=("assignee",))
    else:
        assign(application, actor=actor, assignee=actor)


@transaction.atomic
def application_release(*, application_id: int, actor: User, expected_version: int) -> Application:
    """Hand an application back to the queue; only its assignee or a supervisor may."""
    application = lock(application_id)
    require_officer(actor)
    check_version(application, expected_version=expected_version)
    if application.assignee_id != actor.pk and not is_supervisor(actor):
        raise NotPermitted(_("Only the assigned officer or a supervisor can release it."))
    if application.status not in ACTIVE_STATUSES:
        raise WorkflowError(_("A decided application has no one to release it from."))
    assign(application, actor=actor, assignee=None)
    return application


@transaction.atomic
def application_reassign(
    *,
    application_id: int,
    actor: User,
    expected_version: int,
    assignee: User,
) -> Application:
    application = lock(application_id)
    if not is_supervisor(actor):
        raise NotPermitted(_("Only supervisors can reassign applications."))
    check_version(application, expected_version=expected_version)
    if not is_officer(assignee):
        raise WorkflowError(_("Applications can only be assigned to officers."))
    if application.status not in ACTIVE_STATUSES or application.status == Status.DRAFT:
        raise WorkflowError(_("Only applications waiting for a decision can be reassigned."))
    assign(application, actor=actor, assignee=assignee)
    return application
