"""At the desk: the officer marks a visit attended (biometrics taken, originals seen) or missed.
A missed appointment lets the student book again, and shows on the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments import services
from appointments.models import Appointment, AppointmentStatus
from cases.errors import NotPermitted, StaleVersion, WorkflowError
from notifications.models import Notification
from tests.factories import OfficerFactory, UniversityStaffFactory

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(case):
    application = case()
    return services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=at(WEDNESDAY, 10)
    )


def missed(appointment, officer, **kwargs):
    return services.appointment_mark_missed(
        appointment_id=appointment.pk,
        actor=officer,
        expected_version=kwargs.pop("expected_version", appointment.version),
    )


def attended(appointment, officer, *, biometrics=True, originals=True):
    return services.appointment_mark_attended(
        appointment_id=appointment.pk,
        actor=officer,
        expected_version=appointment.version,
        biometrics_taken=biometrics,
        originals_seen=originals,
    )


def test_a_missed_appointment_lets_the_student_book_again_and_shows_on_the_case(
    booked, clock, client_for
):
    officer = OfficerFactory()
    application = booked.application
    with pytest.raises(WorkflowError, match="once its time has come"):
        missed(booked, officer)

    clock.move_to(at(WEDNESDAY, 10, 15))
    marked = missed(booked, officer)

    assert (marked.status, marked.marked_by, marked.marked_at) == (
        AppointmentStatus.MISSED,
        officer,
        at(WEDNESDAY, 10, 15),
    )
    assert marked.events.last().actor == officer
    notice = Notification.objects.get(kind="appointment_missed")
    assert (notice.recipient, notice.about) == (application.applicant, application)
    assert notice.context["path"] == reverse("application-appointment", args=[application.pk])
    # The case shows it: the student's page, the dashboard's panel data, the officer's review.
    page = client_for(application.applicant).get(
        reverse("application-appointment", args=[application.pk])
    )
    assert "You missed your last appointment" in page.content.decode()
    assert "Missed" in page.content.decode()
    review = client_for(officer).get(reverse("officer-review", args=[application.pk]))
    assert "Appointment missed" in review.content.decode()
    # On the review's own section of the visit, from the case's history.
    section = review.content.decode().split('id="appointment-title"')[1].split("</section>")[0]
    assert "<strong>Missed</strong>" in section
    assert "<strong>Booked</strong>" in section

    # A new booking is allowed, and the missed desk stays held at its (past) time.
    again = services.appointment_book(
        application_id=application.pk,
        actor=application.applicant,
        starts_at=at(WEDNESDAY + timedelta(days=2), 10),
    )
    assert again.is_booked
    assert Appointment.objects.filter(application=application).count() == 2


def test_attended_records_the_biometrics_and_originals_and_ends_the_booking(booked, clock):
    officer = OfficerFactory()
    with pytest.raises(WorkflowError, match="from the day of the appointment"):
        attended(booked, officer)

    clock.move_to(at(WEDNESDAY, 9, 45))  # early on the day: fine
    with pytest.raises(WorkflowError, match="biometrics are taken and the original documents"):
        attended(booked, officer, originals=False)
    marked = attended(booked, officer)

    assert (marked.status, marked.biometrics_taken, marked.originals_seen) == (
        AppointmentStatus.ATTENDED,
        True,
        True,
    )
    # The application is complete from the visit: the decision's 90 days start.
    booked.application.refresh_from_db()
    assert booked.application.complete_at == at(WEDNESDAY, 9, 45)
    assert Notification.objects.filter(kind="appointment_attended").count() == 1
    # The visit is done: nothing more to book.
    with pytest.raises(WorkflowError, match="already recorded"):
        services.appointment_book(
            application_id=booked.application_id,
            actor=booked.application.applicant,
            starts_at=at(WEDNESDAY + timedelta(days=2), 10),
        )
    # And a mark is final.
    with pytest.raises(WorkflowError, match="cannot become"):
        missed(Appointment.objects.get(pk=booked.pk), officer)


def test_only_officers_mark_and_a_stale_page_changes_nothing(booked, clock):
    clock.move_to(at(WEDNESDAY, 11))
    for outsider in (booked.application.applicant, UniversityStaffFactory()):
        with pytest.raises(NotPermitted):
            missed(booked, outsider)
    with pytest.raises(StaleVersion):
        missed(booked, OfficerFactory(), expected_version=booked.version + 1)
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED


def test_the_desks_day_list_marks_with_post_forms(booked, clock, client_for):
    clock.move_to(at(WEDNESDAY, 10, 5))
    client = client_for(OfficerFactory())
    url = reverse("appointment-desk")

    page = client.get(url, {"province": booked.province_id, "day": "2026-12-09"})

    html = page.content.decode()
    assert page.status_code == 200
    assert booked.application.reference in html
    assert 'class="table-responsive position-relative" tabindex="0" role="region"' in html
    assert '<th scope="col">Time</th>' in html
    assert "<td>10:00</td>" in html
    assert f'action="{reverse("appointment-attended", args=[booked.pk])}"' in html

    # Without the two checks nothing changes, and the page says why.
    attended_url = reverse("appointment-attended", args=[booked.pk])
    response = client.post(attended_url, {"version": booked.version}, follow=True)
    assert "Original documents seen: This field is required." in response.content.decode()
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED

    response = client.post(
        attended_url,
        {"version": booked.version, "biometrics_taken": "on", "originals_seen": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}?province={booked.province_id}&day=2026-12-09"
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.ATTENDED

    # A second mark from the same (now stale) page: refused, and said so.
    response = client.post(
        reverse("appointment-missed", args=[booked.pk]), {"version": booked.version}, follow=True
    )
    assert "changed meanwhile" in response.content.decode()
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.ATTENDED
