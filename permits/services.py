"""What happens to a permit after its grant: cancelled by an officer (LFIP Art. 40), ended when
the end of studies is confirmed, or shortened to an earlier programme end. Each locks the
permit and goes through the engine (``flow``): new version, append-only event, the notice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import engine
from cases.assignment import require_officer
from cases.errors import WorkflowError
from rules.policies import NoPolicyInForce, policy_version_in_force

from .cancellation import permit_attach_cancellation_letter
from .flow import FLOW, lock
from .grounds import CANCELLATION_GROUNDS
from .models import Permit, PermitEvent, PermitStatus

# When no policy is in force on the day (never in practice), the university guidance's 10 days.
DEFAULT_END_OF_STUDIES_DAYS = 10


def _end(
    permit: Permit, *, actor: Any, to_status: str, on: date, note: str, data: dict[str, Any]
) -> None:
    permit.ended_on = on
    permit.ended_at = timezone.now()
    permit.ended_by = actor
    permit.end_note = note
    engine.transition(
        FLOW,
        permit,
        actor=actor,
        to_status=to_status,
        note=note,
        data={"ended_on": on.isoformat(), **data},
        update=("ended_on", "ended_at", "ended_by", "end_note", "end_grounds"),
    )


@transaction.atomic
def permit_cancel(
    permit_id: int, *, actor: Any, grounds: list[str], note: str, expected_version: int
) -> Permit:
    """An officer cancels a valid permit today, stating the grounds and the reasons; the holder
    is told with how to appeal, and a cancellation letter is issued."""
    require_officer(actor)
    permit = lock(permit_id)
    engine.check(FLOW, permit, to_status=PermitStatus.CANCELLED, expected_version=expected_version)
    if not grounds or set(grounds) - set(CANCELLATION_GROUNDS):
        raise WorkflowError(_("Choose at least one ground of LFIP Art. 40."))
    if not note.strip():
        raise WorkflowError(_("A cancellation must explain its reasons."))
    permit.end_grounds = list(grounds)
    _end(
        permit,
        actor=actor,
        to_status=PermitStatus.CANCELLED,
        on=timezone.localdate(),
        note=note,
        data={"grounds": list(grounds)},
    )
    permit_attach_cancellation_letter(permit=permit)
    return permit


def end_of_studies_days(on: date) -> int:
    try:
        return policy_version_in_force(on=on).end_of_studies_days
    except NoPolicyInForce:
        return DEFAULT_END_OF_STUDIES_DAYS


def permit_apply_by(permit: Permit) -> date | None:
    """The last day to apply for another permit after this one ended with the studies."""
    if permit.status != PermitStatus.ENDED or permit.ended_on is None:
        return None
    return permit.ended_on + timedelta(days=end_of_studies_days(permit.ended_on))


@transaction.atomic
def permit_end(
    permit: Permit, *, actor: Any, on: date, note: str = "", data: dict[str, Any] | None = None
) -> Permit:
    """The end of studies confirmed: the permit ends ``on`` that day, and the holder is told
    by when another permit must be applied for (the policy's ``end_of_studies_days``)."""
    require_officer(actor)
    permit = lock(permit.pk)
    engine.check_transition(FLOW, permit, to_status=PermitStatus.ENDED)
    _end(
        permit,
        actor=actor,
        to_status=PermitStatus.ENDED,
        on=on,
        note=note,
        data={
            "apply_by": (on + timedelta(days=end_of_studies_days(on))).isoformat(),
            **(data or {}),
        },
    )
    return permit


@transaction.atomic
def permit_shorten(permit: Permit, *, actor: Any, valid_to: date, reason: str) -> Permit:
    """Move a valid permit's end earlier (a programme that ends earlier), with the reason."""
    require_officer(actor)
    permit = lock(permit.pk)
    if permit.status != PermitStatus.VALID:
        raise WorkflowError(_("Only a valid permit can be shortened."))
    if not reason.strip():
        raise WorkflowError(_("State why the permit is shortened."))
    if Permit.objects.filter(extends=permit).exists():
        # Its extension starts the day after it ends: shortening it would leave a gap.
        raise WorkflowError(
            _("This permit was extended, so it cannot be shortened: shorten the new permit.")
        )
    if not permit.valid_from <= valid_to < permit.valid_to:
        raise WorkflowError(
            _("The new end must be before the current one (%(end)s) and not before the start.")
            % {"end": permit.valid_to.isoformat()}
        )
    previous = permit.valid_to
    permit.valid_to = valid_to
    event = engine.record(
        FLOW,
        permit,
        actor=actor,
        kind=PermitEvent.Kind.SHORTENED,
        note=reason,
        data={"valid_to": valid_to.isoformat(), "previous_valid_to": previous.isoformat()},
        update=("valid_to",),
    )
    FLOW.notify(permit, event)
    return permit
