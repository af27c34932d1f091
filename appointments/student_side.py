"""What appointments show the student outside their own page: a panel on the dashboard ("Your
appointment") and their part of the data export, as a ``cases.registry.StudentSide``, so the
applications app shows them without importing this one.

An appointment is not a kind of case (it has no place in the officers' queue, claim-next or
deadlines), so ``AppointmentsConfig.ready`` registers this with
``cases.registry.register_student_side``.
"""

from __future__ import annotations

from typing import Any

from cases.registry import StudentSide

from .models import Appointment
from .selectors import student_appointments

PersonalData = tuple[str, list[dict[str, Any]], list[tuple[str, Any]]]


def appointments_personal_data(user: Any) -> PersonalData:
    records = [
        {
            "application": appointment.application.reference,
            "office": appointment.province.name,
            "starts_at": appointment.starts_at,
            "ends_at": appointment.ends_at,
            "status": appointment.status,
            "booked_at": appointment.created_at,
            "biometrics_taken": appointment.biometrics_taken,
            "originals_seen": appointment.originals_seen,
        }
        for appointment in Appointment.objects.filter(application__applicant=user)
        .select_related("application", "province")
        .order_by("starts_at", "pk")
    ]
    return "appointments", records, []


APPOINTMENTS_SIDE = StudentSide(
    cases=student_appointments,
    panel_template="appointments/student_panel.html",
    personal_data=appointments_personal_data,
)
