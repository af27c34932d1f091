"""Closed days (public holidays) and the offices' schedules, set by supervisors."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from appointments import office_services, services
from appointments.models import Appointment, AppointmentStatus, ClosedDay, OfficeSchedule
from appointments.selectors import free_days
from cases.errors import NotPermitted, StaleVersion, WorkflowError
from notifications.models import Notification
from tests.factories import OfficerFactory, SupervisorFactory
from universities.models import Province

from .conftest import NOW, TUESDAY, WEDNESDAY, at

pytestmark = pytest.mark.django_db


def book(application, starts_at):
    return services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=starts_at
    )


def close(province_id, day, reason="Public holiday", actor=None):
    return office_services.closed_day_add(
        actor=actor or SupervisorFactory(), province_id=province_id, day=day, reason=reason
    )


def test_closing_a_day_cancels_its_bookings_and_tells_the_students(case):
    application = case()
    booked = book(application, at(WEDNESDAY, 10))
    elsewhere = case(province=Province.objects.exclude(pk=application.province_id).first())
    untouched = book(elsewhere, at(WEDNESDAY, 10))

    closed, cancelled = close(application.province_id, WEDNESDAY, reason="Democracy Day")

    assert (closed.province_id, closed.day, cancelled) == (application.province_id, WEDNESDAY, 1)
    appointment = Appointment.objects.get(pk=booked.pk)
    assert appointment.status == AppointmentStatus.CANCELLED
    event = appointment.events.last()
    assert (event.note, event.data) == ("Democracy Day", {"closed_day": closed.pk})
    notice = Notification.objects.get(kind="appointment_cancelled_by_office")
    assert (notice.recipient, notice.context["reason"]) == (application.applicant, "Democracy Day")
    assert Appointment.objects.get(pk=untouched.pk).is_booked
    assert WEDNESDAY not in [day.day for day in free_days(application)]


def test_a_day_closed_everywhere_cancels_every_offices_bookings(case):
    first = case()
    second = case(province=Province.objects.exclude(pk=first.province_id).first())
    for application in (first, second):
        book(application, at(WEDNESDAY, 10))

    _closed, cancelled = close(None, WEDNESDAY, reason="Republic Day")

    assert cancelled == 2
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()
    assert Notification.objects.filter(kind="appointment_cancelled_by_office").count() == 2


def test_a_day_is_closed_once_and_never_in_the_past(clock):
    province = Province.objects.first()
    close(province.pk, WEDNESDAY)
    with pytest.raises(WorkflowError, match="already closed"):
        close(province.pk, WEDNESDAY)
    close(None, TUESDAY)
    with pytest.raises(WorkflowError, match="already closed"):
        close(province.pk, TUESDAY)
    with pytest.raises(WorkflowError, match="in the past"):
        close(province.pk, NOW.date() - timedelta(days=1))
    with pytest.raises(WorkflowError, match="reason"):
        close(province.pk, WEDNESDAY + timedelta(days=1), reason="  ")
    with pytest.raises(NotPermitted):
        close(province.pk, WEDNESDAY + timedelta(days=1), actor=OfficerFactory())


def test_opening_a_closed_day_again(case):
    application = case()
    closed, _ = close(application.province_id, WEDNESDAY)
    office_services.closed_day_remove(actor=SupervisorFactory(), closed_day_id=closed.pk)

    assert not ClosedDay.objects.exists()
    assert book(application, at(WEDNESDAY, 10)).is_booked


def update(schedule, *, actor=None, **changes):
    fields = {
        "weekdays": sorted(schedule.open_weekdays),
        "opens_at": schedule.opens_at,
        "closes_at": schedule.closes_at,
        "slot_minutes": schedule.slot_minutes,
        "desks": schedule.desks,
        "booking_horizon_days": schedule.booking_horizon_days,
        "address": schedule.address,
    } | changes
    return office_services.office_schedule_update(
        province_id=schedule.province_id,
        actor=actor or SupervisorFactory(),
        expected_version=schedule.version,
        **fields,
    )


def test_every_province_has_the_default_schedule(db):
    assert OfficeSchedule.objects.count() == Province.objects.count() == 81
    schedule = OfficeSchedule.objects.first()
    assert (
        schedule.weekdays,
        schedule.opens_at,
        schedule.closes_at,
        schedule.slot_minutes,
        schedule.desks,
    ) == ("12345", time(9), time(16, 30), 20, 2)
    assert len(schedule.slot_starts(WEDNESDAY)) == 22


def test_a_supervisor_changes_the_schedule_and_the_free_days_follow(case):
    application = case()
    schedule = OfficeSchedule.objects.get(province=application.province)

    changed = update(
        schedule,
        weekdays=[2, 4],
        opens_at=time(10),
        closes_at=time(12),
        slot_minutes=30,
        desks=3,
        address="Çankaya, Ankara",
    )

    assert (changed.weekdays, changed.version, changed.address) == ("24", 2, "Çankaya, Ankara")
    days = free_days(application)
    assert {day.day.isoweekday() for day in days} == {2, 4}
    thursday = days[0] if days[0].day != TUESDAY else days[1]
    assert [slot.starts_at.strftime("%H:%M") for slot in thursday.slots] == [
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]
    assert {slot.free for slot in thursday.slots} == {3}
    with pytest.raises(WorkflowError, match="does not receive visitors"):
        book(application, at(WEDNESDAY, 10))


def test_a_schedule_must_make_sense_and_be_current(clock):
    schedule = OfficeSchedule.objects.first()
    with pytest.raises(WorkflowError, match="close after it opens"):
        update(schedule, opens_at=time(12), closes_at=time(11))
    with pytest.raises(WorkflowError, match="Not one appointment fits"):
        update(schedule, opens_at=time(12), closes_at=time(12, 10))
    with pytest.raises(NotPermitted):
        update(schedule, actor=OfficerFactory())
    update(schedule, desks=3)
    with pytest.raises(StaleVersion):
        update(schedule, desks=4)  # from the page that showed version 1
    assert OfficeSchedule.objects.get(pk=schedule.pk).desks == 3
