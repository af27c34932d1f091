"""Moving and cancelling, up to the cut-off the policy sets (24 hours before by default)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appointments import services
from appointments.models import Appointment, AppointmentStatus
from cases.errors import NotPermitted, StaleVersion, WorkflowError
from notifications.models import Notification
from tests.factories import UserFactory

from .conftest import WEDNESDAY, at, set_policy

pytestmark = pytest.mark.django_db

THURSDAY = WEDNESDAY + timedelta(days=1)


@pytest.fixture
def booked(case):
    application = case()
    return services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=at(WEDNESDAY, 10)
    )


def reschedule(appointment, starts_at, **kwargs):
    return services.appointment_reschedule(
        appointment_id=appointment.pk,
        actor=kwargs.pop("actor", appointment.application.applicant),
        expected_version=kwargs.pop("expected_version", appointment.version),
        starts_at=starts_at,
        **kwargs,
    )


def cancel(appointment, **kwargs):
    return services.appointment_cancel(
        appointment_id=appointment.pk,
        actor=kwargs.pop("actor", appointment.application.applicant),
        expected_version=kwargs.pop("expected_version", appointment.version),
        **kwargs,
    )


def test_moving_ends_the_old_appointment_and_books_the_new_time(booked):
    moved = reschedule(booked, at(THURSDAY, 14, 20))

    old = Appointment.objects.get(pk=booked.pk)
    assert old.status == AppointmentStatus.RESCHEDULED
    assert (moved.status, moved.starts_at, moved.rescheduled_from) == (
        AppointmentStatus.BOOKED,
        at(THURSDAY, 14, 20),
        old,
    )
    assert [e.to_status for e in old.events.all()] == ["booked", "rescheduled"]
    assert old.events.last().data == {"to": at(THURSDAY, 14, 20).isoformat()}
    notice = Notification.objects.get(kind="appointment_rescheduled")
    assert (notice.context["date"], notice.context["time"]) == ("2026-12-10", "14:20")
    assert (notice.context["cutoff_date"], notice.context["cutoff_time"]) == ("2026-12-09", "14:20")
    # The old time is free again.
    assert (
        Appointment.objects.filter(
            starts_at=at(WEDNESDAY, 10), status__in=["booked", "attended", "missed"]
        ).count()
        == 0
    )


def test_cancelling_frees_the_desk_and_tells_the_student(booked):
    cancel(booked)

    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.CANCELLED
    notice = Notification.objects.get(kind="appointment_cancelled")
    assert notice.context["date"] == "2026-12-09"
    # The case may book again.
    again = services.appointment_book(
        application_id=booked.application_id,
        actor=booked.application.applicant,
        starts_at=at(WEDNESDAY, 10),
    )
    assert again.desk == 1


@pytest.mark.parametrize(
    ("action", "after"), [("move", AppointmentStatus.RESCHEDULED), ("cancel", "cancelled")]
)
def test_up_to_the_cut_off_and_not_after(booked, clock, action, after):
    def act():
        current = Appointment.objects.get(pk=booked.pk)
        if action == "move":
            return reschedule(current, at(THURSDAY, 11))
        return cancel(current)

    clock.move_to(at(WEDNESDAY, 10) - timedelta(hours=24))  # the cut-off itself
    with pytest.raises(
        WorkflowError,
        match="until 24 hours before it starts; this one could be changed until 2026-12-08 10:00",
    ):
        act()
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED
    assert not Notification.objects.filter(
        kind__in=["appointment_rescheduled", "appointment_cancelled"]
    ).exists()

    clock.move_to(at(WEDNESDAY, 10) - timedelta(hours=24, seconds=1))  # one second before
    act()
    assert Appointment.objects.get(pk=booked.pk).status == after


def test_the_cut_off_follows_the_policy(booked, clock):
    set_policy(appointment_cutoff_hours=48)
    clock.move_to(at(WEDNESDAY, 10) - timedelta(hours=30))

    with pytest.raises(WorkflowError, match="until 48 hours before"):
        cancel(booked)
    set_policy(appointment_cutoff_hours=24)
    assert cancel(booked).status == AppointmentStatus.CANCELLED


def test_a_stale_page_changes_nothing(booked):
    with pytest.raises(StaleVersion):
        cancel(booked, expected_version=booked.version + 1)
    with pytest.raises(StaleVersion):
        reschedule(booked, at(THURSDAY, 11), expected_version=booked.version + 1)
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED


def test_only_the_applicant_moves_or_cancels(booked):
    stranger = UserFactory()
    with pytest.raises(NotPermitted):
        cancel(booked, actor=stranger)
    with pytest.raises(NotPermitted):
        reschedule(booked, at(THURSDAY, 11), actor=stranger)


def test_moving_to_a_full_time_keeps_the_appointment(booked, case):
    for _ in range(2):
        other = case(province=booked.province)
        services.appointment_book(
            application_id=other.pk, actor=other.applicant, starts_at=at(THURSDAY, 11)
        )

    with pytest.raises(services.SlotFull):
        reschedule(booked, at(THURSDAY, 11))
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED
