"""The enrolment confirmation as the engine sees it, the request made at hand-in, and the facts
the rule engine takes from it.

Its events go into the application's own history (the timeline the student, the officer and the
university read), not a table of their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy

from cases import engine
from universities.scoping import uses_portal

from .models import (
    CONFIRMED_FIELDS,
    Application,
    ApplicationEvent,
    EnrolmentConfirmation,
    EnrolmentStatus,
)

E = EnrolmentStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    E.REQUESTED: frozenset({E.CONFIRMED, E.DECLINED, E.CANCELLED}),
    E.CONFIRMED: frozenset(),
    E.DECLINED: frozenset(),
    E.CANCELLED: frozenset(),
}


def _record_event(
    case: Any,
    /,
    *,
    kind: str,
    actor: Any,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> models.Model:
    confirmation = cast(EnrolmentConfirmation, case)
    return ApplicationEvent.objects.create(
        application_id=confirmation.application_id,
        kind=ApplicationEvent.Kind.ENROLMENT,
        actor=actor,
        note=note,
        data={
            "confirmation": confirmation.number,
            "event": kind,
            "from": from_status,
            "to": to_status,
            **(data or {}),
        },
    )


def _notify(confirmation: Any, event: models.Model) -> None:
    # Imported here: the notices module reads the flow's statuses (no cycle at import time).
    from .enrolment_notices import notify_enrolment_answered

    notify_enrolment_answered(confirmation=confirmation, event=cast(ApplicationEvent, event))


FLOW = engine.Flow(
    model=EnrolmentConfirmation,
    transitions=TRANSITIONS,
    status_label=lambda status: str(EnrolmentStatus(status).label),
    record_event=_record_event,
    notify=_notify,
    stale_message=gettext_lazy(
        "This confirmation was answered by someone else meanwhile. Nothing was saved; reload "
        "the page to see the answer."
    ),
    not_allowed_message=gettext_lazy(
        "A confirmation that is “%(status)s” cannot become “%(target)s”."
    ),
)


def number_for(confirmation: EnrolmentConfirmation) -> str:
    return f"EC-{confirmation.requested_at:%Y}-{confirmation.pk:06d}"


def enrolment_request(application: Application, *, actor: Any) -> EnrolmentConfirmation | None:
    """Ask the student's university to confirm the enrolment (the caller holds the lock).

    Only a university with an active international-office account is asked (nobody would read
    the request otherwise); an application handed in again after a return keeps its request.
    """
    university = application.university
    if university is None or not uses_portal(university):
        return None
    existing = EnrolmentConfirmation.objects.filter(application=application).first()
    if existing is not None:
        return existing
    confirmation = EnrolmentConfirmation.objects.create(
        application=application, university=university
    )
    confirmation.number = number_for(confirmation)
    confirmation.save(update_fields=["number"])
    FLOW.record_event(confirmation, kind="requested", actor=actor, to_status=E.REQUESTED, data={})
    return confirmation


def enrolment_close(application: Application, *, actor: Any) -> None:
    """A decided or withdrawn application needs no answer any more."""
    confirmation = (
        EnrolmentConfirmation.objects.select_for_update()
        .filter(application=application, status=E.REQUESTED)
        .first()
    )
    if confirmation is not None:
        engine.transition(FLOW, confirmation, actor=actor, to_status=E.CANCELLED)


def confirmed_enrolment(application: Application) -> EnrolmentConfirmation | None:
    try:
        confirmation = application.enrolment
    except EnrolmentConfirmation.DoesNotExist:
        return None
    return confirmation if confirmation.is_confirmed else None


def rule_facts(application: Application) -> dict[str, Any]:
    """Level, field and programme dates for the rules: the university's where it confirmed
    them, the student's otherwise."""
    source: Any = confirmed_enrolment(application) or application
    facts = {name: getattr(source, name) for name in CONFIRMED_FIELDS}
    facts["field"] = facts["field"] or application.field
    facts["programme_start"] = cast(date, facts["programme_start"])
    return facts
