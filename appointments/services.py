"""The student's moves on an appointment (book, move, cancel) and the desk's (attended,
missed). Each runs in one transaction, takes its locks in the order ``locking.py`` gives, and
changes an appointment's status only through ``flow.py`` (the engine). The supervisors' services
(schedules, closed days, reservations) are in ``office_services.py``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.completeness import application_mark_complete
from applications.models import Application
from cases.assignment import require_officer
from cases.errors import NotPermitted, WorkflowError

from . import flow
from .capacity import SlotState, free_desk, place_for
from .locking import lock_application, lock_slot
from .models import (
    OCCUPYING_STATUSES,
    OFFICE_TIME_ZONE,
    Appointment,
    AppointmentStatus,
    OfficeSchedule,
    Reservation,
)
from .notices import local_clock, notify_booked
from .selectors import (
    bookable_days,
    booking_refusal,
    changeable_until,
    closed_reason,
    earliest_start,
    office_today,
    policy_on,
    schedule_for,
)


class SlotFull(WorkflowError):
    """Every place of the chosen time that this student may take is taken."""


def _require_owner(application: Application, actor: Any) -> None:
    if application.applicant_id != getattr(actor, "pk", None):
        raise NotPermitted(_("Only the applicant can book, move or cancel this appointment."))


def _check_time(schedule: OfficeSchedule, starts_at: datetime, *, now: datetime) -> datetime:
    """Refuse a time the office does not give (before the lock: nothing to count); returns
    the end of the slot."""
    today = office_today(now)
    day = starts_at.astimezone(OFFICE_TIME_ZONE).date()
    first, last = bookable_days(schedule, today=today)
    if day < first:
        raise WorkflowError(_("Appointments can be booked from tomorrow on."))
    policy = policy_on(today)
    if starts_at < earliest_start(now=now, policy=policy):
        raise WorkflowError(
            _(
                "Appointments can be booked at least %(hours)s hours ahead, so that they can "
                "still be moved or cancelled."
            )
            % {"hours": policy.appointment_cutoff_hours}
        )
    if day > last:
        raise WorkflowError(
            _("Appointments can be booked at most %(days)s days ahead.")
            % {"days": schedule.booking_horizon_days}
        )
    if not schedule.opens_on_weekday(day):
        raise WorkflowError(_("The office does not receive visitors on that day."))
    if starts_at not in schedule.slot_starts(day):
        raise WorkflowError(_("The office gives no appointment at that time."))
    return starts_at + timedelta(minutes=schedule.slot_minutes)


def _full(starts_at: datetime) -> SlotFull:
    day, clock = local_clock(starts_at)
    return SlotFull(
        _(
            "There is no free place left at %(time)s on %(date)s: someone else was quicker. "
            "Please choose another time."
        )
        % {"time": clock, "date": day}
    )


def _take_place(
    application: Application,
    *,
    starts_at: datetime,
    actor: Any,
    now: datetime,
    rescheduled_from: Appointment | None = None,
) -> Appointment:
    """A desk at ``starts_at`` for the application, counted under the slot's lock."""
    province = application.province
    if province is None:  # booking_refusal said so already
        raise WorkflowError(_("Your address in Türkiye has no province; correct it first."))
    schedule = schedule_for(province)
    ends_at = _check_time(schedule, starts_at, now=now)
    lock_slot(province.pk, starts_at)
    day = starts_at.astimezone(OFFICE_TIME_ZONE).date()
    # Read under the lock: a day closed meanwhile is seen here.
    reason = closed_reason(province.pk, day)
    if reason is not None:
        raise WorkflowError(
            _("The office is closed on %(date)s (%(reason)s).")
            % {"date": day.isoformat(), "reason": reason}
        )
    held = list(
        Appointment.objects.filter(
            province=province, starts_at=starts_at, status__in=OCCUPYING_STATUSES
        ).values_list("desk", "reserved_for_id")
    )
    reserved = dict(
        Reservation.objects.filter(province=province, day=day).values_list(
            "university_id", "places"
        )
    )
    state = SlotState(desks=schedule.desks, reserved=reserved, taken=[pool for _d, pool in held])
    place = place_for(state, application.university_id)
    desk = free_desk(schedule.desks, [desk for desk, _p in held])
    if place is None or desk is None:
        raise _full(starts_at)
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                application=application,
                province=province,
                starts_at=starts_at,
                ends_at=ends_at,
                desk=desk,
                reserved_for_id=place.reserved_for,
                booked_by=actor,
                rescheduled_from=rescheduled_from,
            )
    except IntegrityError as exc:
        # Only a write that bypassed the lock could get here; the database still refuses it.
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if constraint == "appointment_one_active_per_application":
            raise WorkflowError(_("This application already has an appointment.")) from exc
        if constraint == "appointment_one_per_desk":
            raise _full(starts_at) from exc
        raise


def _booked(appointment: Appointment, *, actor: Any, today: date) -> Appointment:
    flow.record_booked(
        appointment,
        actor=actor,
        data={
            "starts_at": appointment.starts_at.isoformat(),
            "desk": appointment.desk,
            "reserved_for": appointment.reserved_for_id,
            "rescheduled_from": appointment.rescheduled_from_id,
        },
    )
    policy = policy_on(today)
    notify_booked(appointment, changeable_until=changeable_until(appointment, policy=policy))
    return appointment


def _refuse_unless_bookable(application: Application) -> None:
    refusal = booking_refusal(application)
    if refusal is not None:
        raise WorkflowError(refusal)


@transaction.atomic
def appointment_book(
    *, application_id: int, actor: Any, starts_at: datetime, now: datetime | None = None
) -> Appointment:
    """Book ``starts_at`` at the office of the application's province, for its applicant."""
    now = now or timezone.now()
    today = office_today(now)
    application = lock_application(application_id)
    _require_owner(application, actor)
    _refuse_unless_bookable(application)
    if Appointment.objects.filter(
        application=application, status=AppointmentStatus.BOOKED
    ).exists():
        raise WorkflowError(_("You already have an appointment: move or cancel it instead."))
    appointment = _take_place(application, starts_at=starts_at, actor=actor, now=now)
    return _booked(appointment, actor=actor, today=today)


def _check_cutoff(appointment: Appointment, *, now: datetime) -> None:
    policy = policy_on(office_today(now))
    until = changeable_until(appointment, policy=policy)
    if now >= until:
        day, clock = local_clock(until)
        raise WorkflowError(
            _(
                "An appointment can be moved or cancelled until %(hours)s hours before it "
                "starts; this one could be changed until %(date)s %(time)s. Please come at the "
                "booked time."
            )
            % {"hours": policy.appointment_cutoff_hours, "date": day, "time": clock}
        )


@transaction.atomic
def appointment_reschedule(
    *,
    appointment_id: int,
    actor: Any,
    expected_version: int,
    starts_at: datetime,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment to ``starts_at`` (before the cut-off): the old row ends as
    ``rescheduled`` and a new one holds the new time, in one transaction."""
    now = now or timezone.now()
    today = office_today(now)
    application_id = Appointment.objects.values_list("application_id", flat=True).get(
        pk=appointment_id
    )
    application = lock_application(application_id)
    _require_owner(application, actor)
    _refuse_unless_bookable(application)
    if application.province is not None:
        # The new slot before the old appointment (the order every service locks in).
        schedule = schedule_for(application.province)
        _check_time(schedule, starts_at, now=now)
        lock_slot(application.province.pk, starts_at)
    current = flow.lock(appointment_id)
    flow.check(current, to_status=AppointmentStatus.RESCHEDULED, expected_version=expected_version)
    _check_cutoff(current, now=now)
    if current.starts_at == starts_at:
        raise WorkflowError(_("That is already the time of your appointment."))
    flow.move(
        current,
        actor=actor,
        to_status=AppointmentStatus.RESCHEDULED,
        expected_version=expected_version,
        data={"to": starts_at.isoformat()},
    )
    moved = _take_place(
        application, starts_at=starts_at, actor=actor, now=now, rescheduled_from=current
    )
    return _booked(moved, actor=actor, today=today)


@transaction.atomic
def appointment_cancel(
    *, appointment_id: int, actor: Any, expected_version: int, now: datetime | None = None
) -> Appointment:
    """The student cancels (before the cut-off); the desk is free for others at once."""
    now = now or timezone.now()
    appointment = flow.lock(appointment_id)
    _require_owner(appointment.application, actor)
    flow.check(
        appointment, to_status=AppointmentStatus.CANCELLED, expected_version=expected_version
    )
    _check_cutoff(appointment, now=now)
    flow.move(
        appointment,
        actor=actor,
        to_status=AppointmentStatus.CANCELLED,
        expected_version=expected_version,
    )
    return appointment


@transaction.atomic
def appointment_mark_attended(
    *,
    appointment_id: int,
    actor: Any,
    expected_version: int,
    biometrics_taken: bool,
    originals_seen: bool,
    now: datetime | None = None,
) -> Appointment:
    """At the desk: the student came, the biometrics were taken and the originals seen. The
    application is complete from now on: the decision's 90 days start."""
    now = now or timezone.now()
    require_officer(actor)
    appointment = flow.lock(appointment_id)
    flow.check(appointment, to_status=AppointmentStatus.ATTENDED, expected_version=expected_version)
    if office_today(now) < appointment.local_start.date():
        raise WorkflowError(_("A visit can be marked from the day of the appointment on."))
    if not (biometrics_taken and originals_seen):
        raise WorkflowError(
            _(
                "Mark the visit attended once the biometrics are taken and the original "
                "documents seen."
            )
        )
    appointment.marked_by = actor
    appointment.marked_at = now
    appointment.biometrics_taken = True
    appointment.originals_seen = True
    flow.move(
        appointment,
        actor=actor,
        to_status=AppointmentStatus.ATTENDED,
        expected_version=expected_version,
        update=("marked_by", "marked_at", "biometrics_taken", "originals_seen"),
    )
    application_mark_complete(application_id=appointment.application_id, at=now)
    return appointment


@transaction.atomic
def appointment_mark_missed(
    *, appointment_id: int, actor: Any, expected_version: int, now: datetime | None = None
) -> Appointment:
    """At the desk: the student did not come. The case may book again at once."""
    now = now or timezone.now()
    require_officer(actor)
    appointment = flow.lock(appointment_id)
    flow.check(appointment, to_status=AppointmentStatus.MISSED, expected_version=expected_version)
    if now < appointment.starts_at:
        raise WorkflowError(_("An appointment can be marked missed once its time has come."))
    appointment.marked_by = actor
    appointment.marked_at = now
    flow.move(
        appointment,
        actor=actor,
        to_status=AppointmentStatus.MISSED,
        expected_version=expected_version,
        update=("marked_by", "marked_at"),
    )
    return appointment
