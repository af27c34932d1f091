"""A case refused or withdrawn keeps no place at the office: its booked appointment is cancelled
in the same transaction, the place is free for the next student, and the student is told not to
come. An approved case keeps its appointment (the biometrics are still needed for the card)."""

from __future__ import annotations

import pytest

from applications import decisions, workflow
from applications.models import Application
from appointments import services
from appointments.models import Appointment, AppointmentStatus, OfficeSchedule
from notifications.models import Notification
from tests.factories import OfficerFactory

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db

TEN = at(WEDNESDAY, 10)


def book(application: Application) -> Appointment:
    return services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=TEN
    )


def version(application: Application) -> int:
    return Application.objects.get(pk=application.pk).version


def under_review(application: Application, officer) -> None:
    decisions.application_start_review(
        application_id=application.pk, actor=officer, expected_version=version(application)
    )


def test_a_withdrawn_case_frees_its_place_and_the_student_is_told_not_to_come(case):
    application = case()
    OfficeSchedule.objects.filter(province=application.province).update(desks=1)
    appointment = book(application)

    workflow.application_withdraw(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=version(application),
    )

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    event = appointment.events.last()
    assert (event.actor, event.data) == (application.applicant, {"case_closed": "withdrawn"})
    notice = Notification.objects.get(kind="appointment_released")
    assert notice.recipient == application.applicant
    assert notice.context["path"] == f"/applications/{application.pk}/"
    assert not Notification.objects.filter(kind="appointment_cancelled").exists()
    # The one desk at that time is free again.
    other = case()
    assert book(other).is_booked


def test_a_refused_case_frees_its_place(case):
    application = case()
    appointment = book(application)
    officer = OfficerFactory()
    under_review(application, officer)

    decisions.application_reject(
        application_id=application.pk,
        actor=officer,
        expected_version=version(application),
        reason_codes=["conditions_not_met"],
        explanation="The conditions are not met.",
    )

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.events.last().actor == officer
    assert Notification.objects.filter(kind="appointment_released").count() == 1


def test_an_approved_case_keeps_its_appointment(case, monkeypatch):
    monkeypatch.setattr(decisions, "permit_attach_letter", lambda *, permit: None)
    application = case()
    appointment = book(application)
    officer = OfficerFactory()
    under_review(application, officer)
    fresh = Application.objects.get(pk=application.pk)
    earliest, latest = decisions.permit_bounds(fresh, on=WEDNESDAY)

    decisions.application_approve(
        application_id=application.pk,
        actor=officer,
        expected_version=version(application),
        valid_from=earliest,
        valid_to=latest,
    )

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Notification.objects.filter(kind="appointment_released").exists()
