"""``seed_demo``'s appointment: elvin.quliyev@example.com's submitted application gets the next
free slot at the office of his province (registered in ``AppointmentsConfig.ready``)."""

from __future__ import annotations

from applications.models import Application, Status

from .models import Appointment, AppointmentStatus
from .selectors import free_days
from .services import appointment_book

DEMO_STUDENT = "elvin.quliyev@example.com"


def demo_appointment() -> list[str]:
    application = (
        Application.objects.filter(applicant__email=DEMO_STUDENT, status=Status.SUBMITTED)
        .select_related("applicant", "province")
        .first()
    )
    if application is None:
        return []
    booked = Appointment.objects.filter(
        application=application, status=AppointmentStatus.BOOKED
    ).first()
    if booked is None:
        days = free_days(application)
        if not days:
            return []
        booked = appointment_book(
            application_id=application.pk,
            actor=application.applicant,
            starts_at=days[0].slots[0].starts_at,
        )
    return [
        f"  {DEMO_STUDENT} has an appointment booked at the {application.province} office "
        f"(its .ics on /applications/{application.pk}/appointment/)"
    ]
