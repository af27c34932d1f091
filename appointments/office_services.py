"""The supervisors' side of the offices: when an office receives visitors, the days it is
closed, and the places it keeps for one university's students. Each service runs in one
transaction and locks as ``locking.py`` says, so a booking racing with a closure or a
reservation either sees it or is seen by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from accounts.roles import is_supervisor
from cases.errors import NotPermitted, StaleVersion, WorkflowError
from universities.models import Province

from . import flow
from .capacity import can_reserve
from .locking import lock_day
from .models import Appointment, AppointmentStatus, ClosedDay, OfficeSchedule, Reservation
from .notices import local_clock
from .selectors import closed_reason, day_bounds, office_today, schedule_for, slot_states


def _require_supervisor(actor: Any) -> None:
    if not is_supervisor(actor):
        raise NotPermitted(_("Only supervisors can do this."))


@transaction.atomic
def office_schedule_update(
    *,
    province_id: int,
    actor: Any,
    expected_version: int,
    weekdays: Iterable[int],
    opens_at: time,
    closes_at: time,
    slot_minutes: int,
    desks: int,
    booking_horizon_days: int,
    address: str,
    now: datetime | None = None,
) -> OfficeSchedule:
    """A supervisor changes when an office receives visitors. Booked appointments stay as
    they are (a time the new schedule no longer gives is still kept)."""
    _require_supervisor(actor)
    schedule_for(Province.objects.get(pk=province_id))
    schedule = OfficeSchedule.objects.select_for_update().get(province_id=province_id)
    if schedule.version != expected_version:
        raise StaleVersion(
            _("This schedule was changed meanwhile. Nothing was saved; reload the page.")
        )
    if closes_at <= opens_at:
        raise WorkflowError(_("The office must close after it opens."))
    opening = datetime.combine(date.min, opens_at)
    if opening + timedelta(minutes=slot_minutes) > datetime.combine(date.min, closes_at):
        raise WorkflowError(_("Not one appointment fits between the opening and closing time."))
    crowded = (
        Reservation.objects.filter(province_id=province_id, day__gte=office_today(now))
        .values("day")
        .annotate(total=Sum("places"))
        .filter(total__gt=desks)
        .order_by("day")
        .values_list("day", flat=True)
    )
    if crowded:
        raise WorkflowError(
            _(
                "More places are reserved on %(days)s than %(desks)s desks give; remove "
                "reservations first."
            )
            % {"days": ", ".join(day.isoformat() for day in crowded), "desks": desks}
        )
    schedule.weekdays = "".join(str(day) for day in sorted(set(weekdays)))
    schedule.opens_at = opens_at
    schedule.closes_at = closes_at
    schedule.slot_minutes = slot_minutes
    schedule.desks = desks
    schedule.booking_horizon_days = booking_horizon_days
    schedule.address = address.strip()
    schedule.updated_by = actor
    schedule.version += 1
    schedule.save()
    return schedule


@transaction.atomic
def closed_day_add(
    *,
    actor: Any,
    province_id: int | None,
    day: date,
    reason: str,
    now: datetime | None = None,
) -> tuple[ClosedDay, int]:
    """Close a day at one office (or, with no province, at every office). The appointments
    already booked on it are cancelled by the office and their students told to book again.
    Returns the closed day and how many appointments were cancelled."""
    _require_supervisor(actor)
    if day < office_today(now):
        raise WorkflowError(_("A day in the past cannot be closed."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Give the reason the office is closed."))
    scope = Q(province_id=province_id) if province_id is not None else Q()
    if ClosedDay.objects.filter(
        Q(province_id=province_id) | Q(province__isnull=True), day=day
    ).exists():
        raise WorkflowError(_("The office is already closed on that day."))
    try:
        with transaction.atomic():
            closed = ClosedDay.objects.create(
                province_id=province_id, day=day, reason=reason, created_by=actor
            )
    except IntegrityError as exc:
        raise WorkflowError(_("The office is already closed on that day.")) from exc
    lock_day(OfficeSchedule.objects.filter(scope), day)
    start, end = day_bounds(day)
    booked = Appointment.objects.filter(
        scope, status=AppointmentStatus.BOOKED, starts_at__gte=start, starts_at__lt=end
    ).order_by("pk")
    cancelled = 0
    for appointment_id in booked.values_list("pk", flat=True):
        appointment = flow.lock(appointment_id)
        flow.move(
            appointment,
            actor=actor,
            to_status=AppointmentStatus.CANCELLED,
            expected_version=appointment.version,
            note=reason,
            data={"closed_day": closed.pk},
        )
        cancelled += 1
    return closed, cancelled


@transaction.atomic
def closed_day_remove(*, actor: Any, closed_day_id: int) -> None:
    """Open a closed day again (appointments cancelled by it stay cancelled)."""
    _require_supervisor(actor)
    ClosedDay.objects.filter(pk=closed_day_id).delete()


@transaction.atomic
def reservation_add(
    *,
    actor: Any,
    province_id: int,
    day: date,
    university_id: int,
    places: int,
    now: datetime | None = None,
) -> Reservation:
    """Keep ``places`` of each slot of ``day`` for one university's students. Refused when the
    reservations would pass the desks, or take open places students already booked."""
    _require_supervisor(actor)
    if day <= office_today(now):
        raise WorkflowError(_("Places can be reserved from tomorrow on."))
    if places < 1:
        raise WorkflowError(_("Reserve at least one place."))
    schedule_for(Province.objects.get(pk=province_id))
    schedule = OfficeSchedule.objects.select_for_update().get(province_id=province_id)
    if not schedule.opens_on_weekday(day) or closed_reason(province_id, day) is not None:
        raise WorkflowError(_("The office is closed on that day."))
    if Reservation.objects.filter(
        province_id=province_id, day=day, university_id=university_id
    ).exists():
        raise WorkflowError(
            _("This university already has places on that day; remove them first to change it.")
        )
    reserved = (
        Reservation.objects.filter(province_id=province_id, day=day).aggregate(total=Sum("places"))[
            "total"
        ]
        or 0
    )
    if reserved + places > schedule.desks:
        raise WorkflowError(
            _(
                "The office has %(desks)s desks per time slot and %(reserved)s places are "
                "already reserved on that day: at most %(left)s more can be."
            )
            % {
                "desks": schedule.desks,
                "reserved": reserved,
                "left": max(0, schedule.desks - reserved),
            }
        )
    lock_day([schedule], day)
    blocked = [
        starts_at
        for starts_at, state in sorted(slot_states(schedule, day, day).items())
        if not can_reserve(state, university_id=university_id, places=places)
    ]
    if blocked:
        raise WorkflowError(
            _(
                "Students have already booked the open places at %(times)s on that day; "
                "reserve fewer places, or another day."
            )
            % {"times": ", ".join(local_clock(starts_at)[1] for starts_at in blocked)}
        )
    return Reservation.objects.create(
        province_id=province_id,
        day=day,
        university_id=university_id,
        places=places,
        created_by=actor,
    )


@transaction.atomic
def reservation_remove(*, actor: Any, reservation_id: int) -> None:
    """Give a reservation's places back to everyone (its students' bookings stay)."""
    _require_supervisor(actor)
    Reservation.objects.filter(pk=reservation_id).delete()
