"""An appointment's life on the shared engine: booked, then moved, cancelled, attended or
missed, each final. ``services.py`` is the only caller; it locks, checks and moves an
appointment through the helpers here, and so through ``cases.engine``, the one place that
assigns ``status``."""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy

from applications.models import ApplicationEvent
from cases import engine

from .models import Appointment, AppointmentEvent, AppointmentStatus
from .notices import notify_appointment_change

S = AppointmentStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.BOOKED: frozenset({S.RESCHEDULED, S.CANCELLED, S.ATTENDED, S.MISSED}),
    S.RESCHEDULED: frozenset(),
    S.CANCELLED: frozenset(),
    S.ATTENDED: frozenset(),
    S.MISSED: frozenset(),
}


def _notify(appointment: Appointment, event: models.Model) -> None:
    notify_appointment_change(appointment=appointment, event=cast(AppointmentEvent, event))


_record_own = engine.event_recorder(AppointmentEvent, "appointment")


def _record(
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
    """The appointment's own history, and each of its steps on the case's history too: the
    officer's review and the student's timeline show the visit (a missed one included)."""
    event = _record_own(
        case,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
    if to_status:
        appointment = cast(Appointment, case)
        ApplicationEvent.objects.create(
            application_id=appointment.application_id,
            kind=ApplicationEvent.Kind.APPOINTMENT,
            actor=actor,
            data={
                "appointment": appointment.pk,
                "status": to_status,
                "starts_at": appointment.starts_at.isoformat(),
                "office": appointment.province.name,
            },
        )
    return event


FLOW = engine.Flow(
    model=Appointment,
    transitions=TRANSITIONS,
    status_label=lambda status: str(AppointmentStatus(status).label),
    record_event=_record,
    notify=_notify,
    stale_message=gettext_lazy(
        "This appointment was changed meanwhile. Nothing was saved; reload the page to see it "
        "as it is now."
    ),
    not_allowed_message=gettext_lazy(
        "An appointment that is “%(status)s” cannot become “%(target)s”."
    ),
)


def lock(appointment_id: int) -> Appointment:
    return cast(Appointment, engine.lock(FLOW, appointment_id))


def record_booked(appointment: Appointment, *, actor: Any, data: dict[str, Any]) -> None:
    """The first line of a new appointment's history (a creation, not a change of status)."""
    FLOW.record_event(
        appointment,
        kind=AppointmentEvent.Kind.BOOKED,
        actor=actor,
        to_status=AppointmentStatus.BOOKED,
        data=data,
    )


def move(
    appointment: Appointment,
    *,
    actor: Any,
    to_status: str,
    expected_version: int,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: tuple[str, ...] = (),
) -> AppointmentEvent:
    engine.check(FLOW, appointment, to_status=to_status, expected_version=expected_version)
    event = engine.transition(
        FLOW, appointment, actor=actor, to_status=to_status, note=note, data=data, update=update
    )
    return cast(AppointmentEvent, event)


def check(appointment: Appointment, *, to_status: str, expected_version: int) -> None:
    """The version the person saw, then the table: before a service's own checks."""
    engine.check(FLOW, appointment, to_status=to_status, expected_version=expected_version)
