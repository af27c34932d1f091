"""A case refused or withdrawn keeps no place at the office: its booked appointment is
cancelled in the same transaction (the desk free for others at once) and the student told that
there is no need to come (``notices.APPOINTMENT_RELEASED``). Registered with
``applications.flow.on_close`` from ``AppointmentsConfig.ready``. An approved case keeps its
appointment: the biometrics it takes are still needed for the card.
"""

from __future__ import annotations

from typing import Any

from applications.models import Application

from . import flow
from .models import Appointment, AppointmentStatus


def release_for_closed_case(application: Application, actor: Any) -> int:
    """Cancel the booked appointments of ``application`` (locked by the closing transition,
    so none can be booked meanwhile); returns how many."""
    booked = Appointment.objects.filter(
        application_id=application.pk, status=AppointmentStatus.BOOKED
    ).values_list("pk", flat=True)
    released = 0
    for appointment_id in list(booked):
        appointment = flow.lock(appointment_id)
        flow.move(
            appointment,
            actor=actor,
            to_status=AppointmentStatus.CANCELLED,
            expected_version=appointment.version,
            data={"case_closed": application.status},
        )
        released += 1
    return released
