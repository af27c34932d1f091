"""Places kept for one university's students: theirs only; the rest open to everyone. And the
counting itself (``capacity.py``), without the database."""

from __future__ import annotations

import pytest

from appointments import office_services, services
from appointments.capacity import Place, SlotState, can_reserve, free_desk, place_for
from appointments.models import OfficeSchedule, Reservation
from appointments.selectors import free_days, reserved_days
from cases.errors import NotPermitted, WorkflowError
from tests.factories import OfficerFactory, SupervisorFactory

from .conftest import TUESDAY, WEDNESDAY, at

# --- counting --------------------------------------------------------------------------------


def test_a_reserving_universitys_student_takes_a_reserved_place_first():
    state = SlotState(desks=3, reserved={7: 2}, taken=[])
    assert place_for(state, 7) == Place(reserved_for=7)
    assert place_for(state, 8) == Place(reserved_for=None)
    assert (state.free_for(7), state.free_for(8), state.free_for(None)) == (3, 1, 1)


def test_the_open_place_is_for_everyone_and_reserved_ones_for_their_university_only():
    state = SlotState(desks=3, reserved={7: 2}, taken=[None])
    assert place_for(state, 8) is None  # the open place is taken
    assert place_for(state, 7) == Place(reserved_for=7)

    full_reserved = SlotState(desks=3, reserved={7: 2}, taken=[7, 7])
    assert place_for(full_reserved, 7) == Place(reserved_for=None)  # then the open one
    assert SlotState(desks=3, reserved={7: 2}, taken=[7, 7, None]).free_for(7) == 0


def test_a_removed_reservations_bookings_count_as_open_places():
    state = SlotState(desks=2, reserved={}, taken=[7])
    assert state.free_for(8) == 1
    assert SlotState(desks=2, reserved={9: 1}, taken=[7]).free_for(8) == 0


def test_reserving_never_takes_open_places_already_booked():
    state = SlotState(desks=2, reserved={}, taken=[None])
    assert can_reserve(state, university_id=7, places=1)
    assert not can_reserve(
        SlotState(desks=2, reserved={}, taken=[None, None]), university_id=7, places=1
    )
    assert not can_reserve(state, university_id=7, places=3)  # more than the desks


def test_the_lowest_free_desk():
    assert free_desk(3, [1, 3]) == 2
    assert free_desk(2, [2, 1]) is None


# --- booking with reservations ---------------------------------------------------------------


@pytest.fixture
def reserved(clock, two_universities):
    """One of two desks on Wednesday kept for the first university's students."""
    own, _other = two_universities
    return office_services.reservation_add(
        actor=SupervisorFactory(),
        province_id=own.province_id,
        day=WEDNESDAY,
        university_id=own.pk,
        places=1,
    )


def book(application, starts_at):
    return services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=starts_at
    )


@pytest.mark.django_db
def test_another_universitys_student_cannot_take_the_reserved_place(
    case, two_universities, reserved
):
    own, other = two_universities
    outsider = case(university=other, province=own.province)
    second_outsider = case(university=other, province=own.province)

    assert book(outsider, at(WEDNESDAY, 10)).reserved_for is None  # the open place
    with pytest.raises(services.SlotFull):
        book(second_outsider, at(WEDNESDAY, 10))  # only the reserved one is left

    insider = case(university=own, province=own.province)
    assert book(insider, at(WEDNESDAY, 10)).reserved_for == own


@pytest.mark.django_db
def test_the_reserving_universitys_students_may_take_the_open_places_too(
    case, two_universities, reserved
):
    own, other = two_universities
    first, second = (case(university=own, province=own.province) for _ in range(2))

    assert book(first, at(WEDNESDAY, 10)).reserved_for == own
    assert book(second, at(WEDNESDAY, 10)).reserved_for is None
    with pytest.raises(services.SlotFull):
        book(case(university=other, province=own.province), at(WEDNESDAY, 10))


@pytest.mark.django_db
def test_the_free_days_count_only_the_places_a_student_may_take(case, two_universities, reserved):
    own, other = two_universities
    outsider = case(university=other, province=own.province)
    insider = case(university=own, province=own.province)

    def wednesday(application):
        return next(day for day in free_days(application) if day.day == WEDNESDAY)

    assert {slot.free for slot in wednesday(outsider).slots} == {1}
    assert {slot.free for slot in wednesday(insider).slots} == {2}
    assert {slot.free for slot in free_days(outsider)[0].slots} == {2}  # Tuesday: no reservation


@pytest.mark.django_db
def test_a_universitys_staff_see_their_reserved_days(case, two_universities, reserved):
    own, other = two_universities
    book(case(university=own, province=own.province), at(WEDNESDAY, 10))

    [row] = reserved_days(own, today=TUESDAY)
    assert (row.reservation, row.slots, row.capacity, row.taken) == (reserved, 22, 22, 1)
    assert reserved_days(other, today=TUESDAY) == []


@pytest.mark.django_db
def test_reservations_stay_within_the_desks_and_the_open_places_booked(
    case, two_universities, reserved
):
    own, other = two_universities
    supervisor = SupervisorFactory()

    def reserve(university, places, day=WEDNESDAY):
        return office_services.reservation_add(
            actor=supervisor,
            province_id=own.province_id,
            day=day,
            university_id=university.pk,
            places=places,
        )

    with pytest.raises(WorkflowError, match="at most 1 more"):
        reserve(other, 2)
    with pytest.raises(WorkflowError, match="already has places"):
        reserve(own, 1)
    book(case(university=own, province=own.province), at(WEDNESDAY, 10))  # takes own's place
    book(case(university=own, province=own.province), at(WEDNESDAY, 10))  # and the open one
    with pytest.raises(WorkflowError, match="already booked the open places at 10:00"):
        reserve(other, 1)
    with pytest.raises(WorkflowError, match="from tomorrow on"):
        reserve(other, 1, day=TUESDAY.replace(day=7))
    with pytest.raises(NotPermitted):
        office_services.reservation_add(
            actor=OfficerFactory(),
            province_id=own.province_id,
            day=TUESDAY,
            university_id=other.pk,
            places=1,
        )
    assert reserve(other, 1, day=TUESDAY).places == 1

    office_services.reservation_remove(actor=supervisor, reservation_id=reserved.pk)
    assert not Reservation.objects.filter(pk=reserved.pk).exists()


@pytest.mark.django_db
def test_the_desks_cannot_drop_below_the_places_reserved(two_universities, reserved):
    own, other = two_universities
    supervisor = SupervisorFactory()
    office_services.reservation_add(
        actor=supervisor,
        province_id=own.province_id,
        day=WEDNESDAY,
        university_id=other.pk,
        places=1,
    )
    schedule = OfficeSchedule.objects.get(province_id=own.province_id)

    def update(desks):
        return office_services.office_schedule_update(
            province_id=own.province_id,
            actor=supervisor,
            expected_version=schedule.version,
            weekdays=[1, 2, 3, 4, 5],
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            slot_minutes=20,
            desks=desks,
            booking_horizon_days=60,
            address="",
        )

    with pytest.raises(WorkflowError, match="More places are reserved on 2026-12-09 than 1"):
        update(1)
    assert update(3).desks == 3
