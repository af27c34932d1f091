"""The row locks the appointment services take, always in this order so that two services
never wait for each other in a circle: the application (a student's own moves, one at a time),
then slot rows (a whole day's in id order), then appointment rows.

A booking counts a slot's places only under that slot's lock; the services that change what a
day offers (closing it, reserving places) lock every slot of the day first, so a booking either
sees their change or is seen by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from applications.models import Application

from .models import OfficeSchedule, Slot
from .selectors import day_bounds


def lock_application(application_id: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("province", "university")
        .get(pk=application_id)
    )


def lock_slot(province_id: int, starts_at: datetime) -> None:
    """INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE: the first booking of a time
    makes its row; everyone racing for that time then waits for whoever holds it."""
    Slot.objects.bulk_create(
        [Slot(province_id=province_id, starts_at=starts_at)], ignore_conflicts=True
    )
    Slot.objects.select_for_update().get(province_id=province_id, starts_at=starts_at)


def lock_day(schedules: Iterable[OfficeSchedule], day: date) -> None:
    """Lock every slot of ``day`` at these offices (made where missing), in id order."""
    schedules = list(schedules)
    Slot.objects.bulk_create(
        [
            Slot(province_id=schedule.province_id, starts_at=starts_at)
            for schedule in schedules
            for starts_at in schedule.slot_starts(day)
        ],
        ignore_conflicts=True,
    )
    start, end = day_bounds(day)
    list(
        Slot.objects.select_for_update()
        .filter(
            province_id__in=[schedule.province_id for schedule in schedules],
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
