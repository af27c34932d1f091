"""Booking: who may, when, where; closed days, opening hours, reservations, the free days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from applications.models import Kind, Status
from appointments import office_services, services
from appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    ClosedDay,
    OfficeSchedule,
)
from appointments.selectors import free_days
from cases.errors import NotPermitted, WorkflowError
from core.append_only import AppendOnlyError
from notifications.models import Notification
from tests.factories import SupervisorFactory, UserFactory

from .conftest import SATURDAY, TUESDAY, WEDNESDAY, at, set_policy

pytestmark = pytest.mark.django_db


def book(application, starts_at, actor=None):
    return services.appointment_book(
        application_id=application.pk, actor=actor or application.applicant, starts_at=starts_at
    )


def test_a_submitted_first_application_books_a_desk_at_its_provinces_office(case):
    application = case()

    appointment = book(application, at(WEDNESDAY, 10))

    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.province == application.province
    assert appointment.desk == 1
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=20)
    assert appointment.reserved_for is None
    assert appointment.booked_by == application.applicant
    event = appointment.events.get()
    assert (event.kind, event.to_status, event.actor) == (
        AppointmentEvent.Kind.BOOKED,
        AppointmentStatus.BOOKED,
        application.applicant,
    )
    notice = Notification.objects.get(kind="appointment_booked")
    assert notice.recipient == application.applicant
    assert notice.about == application
    assert notice.context | {"path": ""} == {
        "reference": application.reference,
        "path": "",
        "date": "2026-12-09",
        "time": "10:00",
        "office": application.province.name,
        "cutoff_date": "2026-12-08",
        "cutoff_time": "10:00",
    }
    # The second student at the same time gets the other desk; the third none.
    other = case(province=application.province)
    assert book(other, at(WEDNESDAY, 10)).desk == 2
    third = case(province=application.province)
    with pytest.raises(services.SlotFull, match="no free place left at 10:00 on 2026-12-09"):
        book(third, at(WEDNESDAY, 10))


def test_only_the_applicant_books(case):
    application = case()
    for stranger in (UserFactory(), SupervisorFactory()):
        with pytest.raises(NotPermitted):
            book(application, at(WEDNESDAY, 10), actor=stranger)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN]
)
def test_only_a_case_with_the_migration_office_books(case, status):
    application = case(status)

    with pytest.raises(WorkflowError, match="once your application is with the migration office"):
        book(application, at(WEDNESDAY, 10))


@pytest.mark.parametrize("status", [Status.UNDER_REVIEW, Status.INFO_REQUESTED])
def test_a_case_under_review_or_waiting_for_information_books(case, status):
    assert book(case(status), at(WEDNESDAY, 10)).is_booked


def test_the_policy_says_whether_an_extension_needs_a_visit(extension_case):
    extension = extension_case()
    assert extension.kind == Kind.EXTENSION

    with pytest.raises(WorkflowError, match="does not need a visit"):
        book(extension, at(WEDNESDAY, 10))  # the default: extensions need none

    # The policy the case was handed in under decides: one handed in once visits are asked
    # of extensions books.
    set_policy(visit_required_extension=True)
    assert book(extension_case(), at(WEDNESDAY, 10)).is_booked


def test_first_applications_need_no_visit_when_the_policy_says_so(case):
    set_policy(visit_required_first=False)
    application = case()

    with pytest.raises(WorkflowError, match="does not need a visit"):
        book(application, at(WEDNESDAY, 10))


def test_one_booked_appointment_per_application(case):
    application = case()
    book(application, at(WEDNESDAY, 10))

    with pytest.raises(WorkflowError, match="already have an appointment"):
        book(application, at(WEDNESDAY, 11))
    assert Appointment.objects.filter(application=application).count() == 1


def test_the_database_refuses_a_second_active_appointment_and_a_shared_desk(case):
    from django.db import IntegrityError, transaction

    application = case()
    first = book(application, at(WEDNESDAY, 10))
    for changes in (
        {"starts_at": at(WEDNESDAY, 11), "ends_at": at(WEDNESDAY, 11, 20)},  # same application
        {"application": case(province=application.province)},  # same desk, same time
    ):
        fields = {
            "application": application,
            "province": first.province,
            "starts_at": first.starts_at,
            "ends_at": first.ends_at,
            "desk": first.desk,
            "booked_by": application.applicant,
        } | changes
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.create(**fields)


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (at(SATURDAY, 10), "does not receive visitors on that day"),
        (at(WEDNESDAY, 8, 40), "no appointment at that time"),
        (at(WEDNESDAY, 16, 20), "no appointment at that time"),  # would end after 16:30
        (at(WEDNESDAY, 10, 5), "no appointment at that time"),  # off the 20-minute grid
        (at(TUESDAY, 9, 40), "at least 24 hours ahead"),
        (at(TUESDAY - timedelta(days=1), 15), "from tomorrow on"),
        (at(TUESDAY + timedelta(days=61), 10), "at most 60 days ahead"),
    ],
)
def test_only_the_times_the_office_gives(case, starts_at, message):
    application = case()

    with pytest.raises(WorkflowError, match=message):
        book(application, starts_at)
    assert not Appointment.objects.exists()


def test_the_last_slot_of_the_day_ends_by_closing_time(case):
    assert book(case(), at(WEDNESDAY, 16)).ends_at == at(WEDNESDAY, 16, 20)


def test_nobody_books_on_a_closed_day(case):
    application = case()
    supervisor = SupervisorFactory()
    office_services.closed_day_add(
        actor=supervisor, province_id=application.province_id, day=WEDNESDAY, reason="Holiday"
    )
    with pytest.raises(WorkflowError, match=r"closed on 2026-12-09 \(Holiday\)"):
        book(application, at(WEDNESDAY, 10))

    # A day closed at every office (a national holiday) too.
    office_services.closed_day_add(
        actor=supervisor, province_id=None, day=WEDNESDAY + timedelta(days=1), reason="Bayram"
    )
    with pytest.raises(WorkflowError, match="Bayram"):
        book(application, at(WEDNESDAY + timedelta(days=1), 10))
    assert not Appointment.objects.exists()


def test_the_free_days_skip_weekends_closed_days_and_full_ones(case):
    application = case()
    ClosedDay.objects.create(province=application.province, day=WEDNESDAY, reason="Holiday")

    days = free_days(application)

    assert len(days) == 10
    assert [d.day.isoformat() for d in days[:4]] == [
        "2026-12-08",  # Tuesday: from 10:00 (24 hours ahead)
        "2026-12-10",  # Wednesday closed
        "2026-12-11",
        "2026-12-14",  # the weekend skipped
    ]
    tuesday = days[0]
    assert tuesday.slots[0].starts_at == at(TUESDAY, 10)
    assert len(tuesday.slots) == 19  # 10:00 … 16:00
    assert {slot.free for slot in tuesday.slots} == {2}
    assert tuesday.free == 38

    # A full day is not offered.
    OfficeSchedule.objects.filter(province=application.province).update(desks=1)
    for slot in days[1].slots:
        book(case(province=application.province), slot.starts_at)
    assert [d.day for d in free_days(application)][:2] == [TUESDAY, days[2].day]


def test_the_history_is_append_only(case):
    event = book(case(), at(WEDNESDAY, 10)).events.get()
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentEvent.objects.filter(pk=event.pk).update(note="changed")
