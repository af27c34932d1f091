"""The international office's answer to an enrolment confirmation request.

Confirming records the level, field and programme dates the university holds (the student's, or
corrected); the rules are evaluated again with them, so the review and the decision rest on the
university's facts. Every answer goes through the confirmation's flow (``enrolment_flow``).
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases import engine
from cases.assignment import require_staff_of
from cases.errors import WorkflowError
from rules import eligibility
from rules.models import Field, Level
from rules.policies import NoPolicyInForce, eligibility_evaluate

from .enrolment_flow import FLOW
from .models import ApplicationEvent, EnrolmentConfirmation, EnrolmentStatus, Status
from .workflow import application_rule_input

E = EnrolmentStatus


def _begin(
    confirmation_id: int, actor: User, *, to_status: str, expected_version: int | None
) -> EnrolmentConfirmation:
    confirmation = cast(EnrolmentConfirmation, engine.lock(FLOW, confirmation_id))
    require_staff_of(actor, confirmation.university_id)
    if expected_version is None:
        # A CSV row or an API call names no version: it answers whatever is waiting.
        expected_version = confirmation.version
    engine.check(FLOW, confirmation, to_status=to_status, expected_version=expected_version)
    return confirmation


def _reevaluate(confirmation: EnrolmentConfirmation, actor: User) -> None:
    """The stored outcome follows the university's facts (with the policy of the first
    evaluation's day), so the review shows what the decision will rest on."""
    application = confirmation.application
    if application.evaluated_on is None or application.status not in (
        Status.PRECHECK,
        Status.RETURNED,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.INFO_REQUESTED,
    ):
        return
    try:
        outcome, version = eligibility_evaluate(
            inputs=application_rule_input(application, on=application.evaluated_on)
        )
    except (eligibility.InvalidInput, NoPolicyInForce) as exc:
        raise WorkflowError(str(exc)) from exc
    application.eligibility_outcome = outcome.to_dict()
    application.passport_required_until = outcome.passport_required_until
    application.policy_version = version
    application.save(
        update_fields=["eligibility_outcome", "passport_required_until", "policy_version"]
    )
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.EVALUATED,
        actor=actor,
        data={"confirmation": confirmation.number, "permit_end": outcome.permit_end.isoformat()},
    )


def clean_facts(
    *, level: str, field: str, programme_start: date | None, programme_end: date | None
) -> dict[str, object]:
    """The facts an office confirms, checked the same way for a page, a CSV row and the API."""
    if level not in Level.values:
        raise WorkflowError(_("Choose the level of study."))
    field = field or Field.GENERAL
    if field not in Field.values:
        raise WorkflowError(_("Choose the field of study."))
    if programme_start is None:
        raise WorkflowError(_("Give the programme's start date."))
    if programme_end is not None and programme_end <= programme_start:
        raise WorkflowError(_("The expected end must be after the programme's start."))
    return {
        "level": level,
        "field": field,
        "programme_start": programme_start,
        "programme_end": programme_end,
    }


@transaction.atomic
def enrolment_confirm(
    *,
    confirmation_id: int,
    actor: User,
    level: str,
    field: str,
    programme_start: date | None,
    programme_end: date | None,
    expected_version: int | None = None,
    channel: str = "page",
) -> EnrolmentConfirmation:
    """Confirm (or correct) the student's enrolment."""
    confirmation = _begin(
        confirmation_id, actor, to_status=E.CONFIRMED, expected_version=expected_version
    )
    facts = clean_facts(
        level=level, field=field, programme_start=programme_start, programme_end=programme_end
    )
    for name, value in facts.items():
        setattr(confirmation, name, value)
    try:
        confirmation.full_clean(
            exclude=["application", "university", "number"], validate_unique=False
        )
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from exc
    confirmation.answered_at, confirmation.answered_by = timezone.now(), actor
    corrected = sorted(confirmation.differences_from_entries())
    engine.transition(
        FLOW,
        confirmation,
        actor=actor,
        to_status=E.CONFIRMED,
        data={"corrected": corrected, "channel": channel},
        update=[*facts, "answered_at", "answered_by"],
    )
    _reevaluate(confirmation, actor)
    return confirmation


@transaction.atomic
def enrolment_decline(
    *,
    confirmation_id: int,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    channel: str = "page",
) -> EnrolmentConfirmation:
    """The university does not confirm: the student is not (or no longer) enrolled as stated."""
    confirmation = _begin(
        confirmation_id, actor, to_status=E.DECLINED, expected_version=expected_version
    )
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Give the reason the enrolment cannot be confirmed."))
    confirmation.decline_reason = reason
    confirmation.answered_at, confirmation.answered_by = timezone.now(), actor
    engine.transition(
        FLOW,
        confirmation,
        actor=actor,
        to_status=E.DECLINED,
        note=reason,
        data={"channel": channel},
        update=["decline_reason", "answered_at", "answered_by"],
    )
    return confirmation
