"""The appointment pages: who may open each (every new URL against every role), and what
they do without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from appointments import office_services, services
from appointments.models import Appointment, AppointmentStatus, ClosedDay, Reservation
from appointments.student_side import APPOINTMENTS_SIDE
from tests.factories import OfficerFactory, SupervisorFactory, UniversityStaffFactory, UserFactory

from .conftest import TUESDAY, WEDNESDAY, at

pytestmark = pytest.mark.django_db

LOGIN, FORBIDDEN, MISSING, OK, NOT_ALLOWED = 302, 403, 404, 200, 405
ROLES = ("anonymous", "owner", "other_student", "officer", "supervisor", "university_staff")


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


OWNER = row(LOGIN, OK, MISSING, MISSING, MISSING, MISSING)
OWNER_POST = row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
STAFF = row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)
STAFF_POST = row(LOGIN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, FORBIDDEN)
SUPERVISOR_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)
SUPERVISOR_POST = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN)
OFFICE = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)

# What tests/security/test_permission_matrix.py is to add for these routes (GET requests).
EXPECTED = {
    "application-appointment": OWNER,
    "application-appointment-cancel": OWNER_POST,
    "application-appointment-calendar": OWNER,
    "appointment-desk": STAFF,
    "appointment-attended": STAFF_POST,
    "appointment-missed": STAFF_POST,
    "appointment-offices": SUPERVISOR_ONLY,
    "appointment-office-schedule": SUPERVISOR_POST,
    "appointment-closed-day-add": SUPERVISOR_POST,
    "appointment-closed-day-remove": SUPERVISOR_POST,
    "appointment-reservation-add": SUPERVISOR_POST,
    "appointment-reservation-remove": SUPERVISOR_POST,
    "university-appointments": OFFICE,
}


@pytest.fixture
def world(case, two_universities):
    own, _other = two_universities
    application = case(university=own, province=own.province)
    appointment = services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=at(WEDNESDAY, 10)
    )
    supervisor = SupervisorFactory()
    closed, _ = office_services.closed_day_add(
        actor=supervisor, province_id=own.province_id, day=TUESDAY, reason="Holiday"
    )
    reservation = office_services.reservation_add(
        actor=supervisor,
        province_id=own.province_id,
        day=WEDNESDAY,
        university_id=own.pk,
        places=1,
    )
    users = {
        "anonymous": None,
        "owner": application.applicant,
        "other_student": UserFactory(),
        "officer": OfficerFactory(),
        "supervisor": supervisor,
        "university_staff": UniversityStaffFactory(university=own),
    }
    args = {
        "application-appointment": [application.pk],
        "application-appointment-cancel": [application.pk],
        "application-appointment-calendar": [application.pk],
        "appointment-attended": [appointment.pk],
        "appointment-missed": [appointment.pk],
        "appointment-office-schedule": [own.province_id],
        "appointment-closed-day-add": [own.province_id],
        "appointment-closed-day-remove": [closed.pk],
        "appointment-reservation-add": [own.province_id],
        "appointment-reservation-remove": [reservation.pk],
    }
    return {"users": users, "args": args, "application": application, "appointment": appointment}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_route_answers_each_role_as_the_table_says(world, client_for, name):
    url = reverse(name, args=world["args"].get(name, []))
    answers = {role: client_for(user).get(url).status_code for role, user in world["users"].items()}
    assert answers == EXPECTED[name]


def test_every_route_of_the_app_is_in_the_table():
    from appointments.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == set(EXPECTED)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("application-appointment", "other_student"),
        ("application-appointment-cancel", "other_student"),
        ("appointment-missed", "owner"),
        ("appointment-missed", "university_staff"),
        ("appointment-closed-day-add", "officer"),
        ("appointment-reservation-remove", "officer"),
        ("appointment-office-schedule", "university_staff"),
    ],
)
def test_a_post_from_the_wrong_person_changes_nothing(world, client_for, name, role):
    before = (
        list(Appointment.objects.values_list("pk", "status", "version")),
        ClosedDay.objects.count(),
        Reservation.objects.count(),
    )
    url = reverse(name, args=world["args"].get(name, []))
    data = {"version": world["appointment"].version, "slot": "2026-12-10T10:00"}

    response = client_for(world["users"][role]).post(url, data)

    assert response.status_code in (FORBIDDEN, MISSING)
    after = (
        list(Appointment.objects.values_list("pk", "status", "version")),
        ClosedDay.objects.count(),
        Reservation.objects.count(),
    )
    assert after == before


# --- the student's page, without JavaScript --------------------------------------------------


def test_the_student_picks_a_day_then_a_time_and_books_it(case, client_for):
    application = case()
    client = client_for(application.applicant)
    url = reverse("application-appointment", args=[application.pk])

    page = client.get(url).content.decode()

    assert "<h1>Appointment at the migration office</h1>" in page
    assert 'href="?day=2026-12-09"' in page  # the next free days are links
    assert "Free times on Tuesday, 8 Dec 2026" in page  # the first free day's times
    assert 'type="radio" name="slot" value="2026-12-08T10:00"' in page
    assert "<legend" in page
    page = client.get(url, {"day": "2026-12-09"}).content.decode()
    assert "Free times on Wednesday, 9 Dec 2026" in page
    assert 'value="2026-12-09T09:00"' in page

    response = client.post(url, {"slot": "2026-12-09T11:20"})

    assert response.status_code == 302
    booked = Appointment.objects.get(application=application)
    assert booked.starts_at == at(WEDNESDAY, 11, 20)
    page = client.get(url).content.decode()
    assert "Your appointment" in page
    assert "Wednesday, 9 Dec 2026" in page
    assert "11:20–11:40" in page
    assert reverse("application-appointment-calendar", args=[application.pk]) in page
    assert "You can move or cancel it until 8 Dec 2026, 11:20." in page

    # Move it, from the same page.
    response = client.post(url, {"slot": "2026-12-10T09:00", "version": booked.version})
    assert response.status_code == 302
    moved = Appointment.objects.get(application=application, status=AppointmentStatus.BOOKED)
    assert moved.starts_at == at(WEDNESDAY.replace(day=10), 9)
    # Then cancel it.
    response = client.post(
        reverse("application-appointment-cancel", args=[application.pk]),
        {"version": moved.version},
    )
    assert response.status_code == 302
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()
    page = client.get(url).content.decode()
    assert "Earlier appointments" in page
    assert "Cancelled" in page


def test_a_time_taken_meanwhile_is_refused_on_the_page(case, client_for):
    application = case()
    for _ in range(2):
        other = case(province=application.province)
        services.appointment_book(
            application_id=other.pk, actor=other.applicant, starts_at=at(WEDNESDAY, 10)
        )

    response = client_for(application.applicant).post(
        reverse("application-appointment", args=[application.pk]), {"slot": "2026-12-09T10:00"}
    )

    assert response.status_code == 200
    assert "someone else was quicker" in response.content.decode()
    assert not Appointment.objects.filter(application=application).exists()


def test_nonsense_is_refused_with_a_message(case, client_for):
    application = case()
    url = reverse("application-appointment", args=[application.pk])
    client = client_for(application.applicant)

    for data, message in (
        ({}, "Choose a time."),
        ({"slot": "yesterday"}, "Choose one of the times shown."),
        ({"slot": "2026-12-12T10:00"}, "does not receive visitors on that day"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_case_that_needs_no_visit_says_so(extension_case, client_for):
    extension = extension_case()
    page = client_for(extension.applicant).get(
        reverse("application-appointment", args=[extension.pk])
    )
    assert page.status_code == 200
    assert "does not need a visit" in page.content.decode()
    assert 'name="slot"' not in page.content.decode()


def test_dates_follow_the_students_language(case, client_for):
    application = case()
    client = client_for(application.applicant)
    client.post(reverse("set_language"), {"language": "tr", "next": "/"})

    page = client.get(reverse("application-appointment", args=[application.pk]))

    html = page.content.decode()
    assert '<html lang="tr">' in html
    assert "Aralık 2026" in html  # Django's Turkish month name, day first
    assert not re.search(r"Dec(ember)? \d", html)  # never month first


def test_the_supervisors_manage_an_office_without_javascript(client_for, case, two_universities):
    own, _other = two_universities
    client = client_for(SupervisorFactory())
    page = client.get(reverse("appointment-offices"), {"province": own.province_id})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="weekdays" value="1"' in html
    assert 'class="table-responsive position-relative" tabindex="0" role="region"' in html

    response = client.post(
        reverse("appointment-closed-day-add", args=[own.province_id]),
        {"day": "2026-12-10", "reason": "Holiday"},
    )
    assert response.status_code == 302
    assert ClosedDay.objects.get().province_id == own.province_id
    response = client.post(
        reverse("appointment-reservation-add", args=[own.province_id]),
        {"day": "2026-12-09", "university": own.pk, "places": 3},
    )
    assert response.status_code == 200
    assert "at most 2 more can be" in response.content.decode()
    response = client.post(
        reverse("appointment-reservation-add", args=[own.province_id]),
        {"day": "2026-12-09", "university": own.pk, "places": 2},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("appointment-office-schedule", args=[own.province_id]),
        {
            "version": 1,
            "weekdays": ["1", "2", "3"],
            "opens_at": "08:30",
            "closes_at": "12:00",
            "slot_minutes": 15,
            "desks": 4,
            "booking_horizon_days": 30,
            "address": "Valilik binası",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("appointment-offices"), {"province": own.province_id})
    html = page.content.decode()
    assert 'value="08:30"' in html
    assert "Valilik binası" in html
    assert "2026-12-10" in html


def test_the_university_sees_its_reserved_days(client_for, clock, two_universities):
    own, other = two_universities
    office_services.reservation_add(
        actor=SupervisorFactory(),
        province_id=own.province_id,
        day=WEDNESDAY,
        university_id=own.pk,
        places=1,
    )

    own_page = client_for(UniversityStaffFactory(university=own)).get(
        reverse("university-appointments")
    )
    other_page = client_for(UniversityStaffFactory(university=other)).get(
        reverse("university-appointments")
    )

    assert "2026-12-09" in own_page.content.decode()
    assert "0 of 22" in own_page.content.decode()
    assert "2026-12-09" not in other_page.content.decode()
    assert "No appointment day is reserved" in other_page.content.decode()


def test_the_dashboard_panel_and_the_data_export(case):
    waiting = case()
    services.appointment_book(
        application_id=waiting.pk, actor=waiting.applicant, starts_at=at(WEDNESDAY, 10)
    )

    with translation.override("en"):
        html = render_to_string(
            APPOINTMENTS_SIDE.panel_template, {"cases": APPOINTMENTS_SIDE.cases(waiting.applicant)}
        )
    assert "Your appointment at the migration office" in html
    assert "9 Dec 2026 at 10:00" in html
    key, records, files = APPOINTMENTS_SIDE.personal_data(waiting.applicant)
    assert (key, files) == ("appointments", [])
    assert records[0]["status"] == "booked"
    assert records[0]["application"] == waiting.reference
