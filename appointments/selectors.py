"""What the appointment pages read: whether a case needs a visit and may book one, the free
places of the days ahead, an office's day list, a university's reserved days.

The free places are counted here with the same rules (``capacity.py``) the booking service
applies under the slot's lock: what a page offers is what a booking would get, unless someone
else was quicker, which the service then says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import OPEN_STATUSES, Application
from rules.models import PolicyVersion
from rules.policies import policy_version_in_force
from universities.models import Province, University

from .capacity import SlotState
from .models import (
    OCCUPYING_STATUSES,
    OFFICE_TIME_ZONE,
    Appointment,
    AppointmentStatus,
    ClosedDay,
    OfficeSchedule,
    Reservation,
)

# How many open days with a free place the student's page lists.
FREE_DAYS_SHOWN = 10


def office_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(OFFICE_TIME_ZONE).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of ``day`` and of the next one, in the office's time zone."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=OFFICE_TIME_ZONE)
    return start, datetime.combine(day + timedelta(days=1), start.time(), tzinfo=OFFICE_TIME_ZONE)


def schedule_for(province: Province) -> OfficeSchedule:
    """The office's schedule; a province added after the data migration gets the default one
    on first use."""
    schedule, _created = OfficeSchedule.objects.select_related("province").get_or_create(
        province=province
    )
    return schedule


def closed_days(province_id: int, start: date, end: date) -> dict[date, str]:
    """The office's closed days from ``start`` to ``end`` (inclusive), with their reasons;
    the province's own and every office's."""
    rows = ClosedDay.objects.filter(
        Q(province_id=province_id) | Q(province__isnull=True), day__gte=start, day__lte=end
    ).values_list("day", "reason")
    return dict(rows)


def closed_reason(province_id: int, day: date) -> str | None:
    return closed_days(province_id, day, day).get(day)


def policy_on(day: date) -> PolicyVersion:
    return policy_version_in_force(on=day)


def changeable_until(appointment: Appointment, *, policy: PolicyVersion) -> datetime:
    """The last moment the student may move or cancel the appointment."""
    return appointment.starts_at - timedelta(hours=policy.appointment_cutoff_hours)


def active_appointment(application: Application) -> Appointment | None:
    return (
        Appointment.objects.filter(application=application, status=AppointmentStatus.BOOKED)
        .select_related("province")
        .first()
    )


def application_appointments(application: Application) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(application=application)
        .select_related("province")
        .order_by("-starts_at", "-pk")
    )


def booking_refusal(application: Application, *, attended: bool | None = None) -> str | None:
    """Why this application cannot book an appointment now; None when it can. ``attended``:
    whether a visit is already recorded, when the caller has the appointments at hand."""
    if application.status not in OPEN_STATUSES:
        return _(
            "An appointment can be booked once your application is with the migration office "
            "(submitted, under review or information requested)."
        )
    if application.complete_at is not None:
        # Complete already: its kind needs no visit, or the visit is recorded
        # (applications.completeness); an open case waiting for its visit has no such day.
        if attended is None:
            attended = Appointment.objects.filter(
                application=application, status=AppointmentStatus.ATTENDED
            ).exists()
        if attended:
            return _("Your visit to the migration office is already recorded.")
        return _("This kind of application does not need a visit to the migration office.")
    if application.province_id is None:
        return _("Your address in Türkiye has no province; correct it first.")
    return None


def bookable_days(schedule: OfficeSchedule, *, today: date) -> tuple[date, date]:
    """The first and last day a student may book: from tomorrow (the office's day list is
    ready the day before) to the office's horizon."""
    return today + timedelta(days=1), today + timedelta(days=schedule.booking_horizon_days)


def earliest_start(*, now: datetime, policy: PolicyVersion) -> datetime:
    """The earliest time that can be booked: one the student can still move or cancel
    (the cut-off ahead), so no booking is final the moment it is made."""
    return now + timedelta(hours=policy.appointment_cutoff_hours)


def slot_states(schedule: OfficeSchedule, start: date, end: date) -> dict[datetime, SlotState]:
    """Every slot of the office's open days from ``start`` to ``end``, with what holds it."""
    province_id = schedule.province_id
    closed = closed_days(province_id, start, end)
    first, _next = day_bounds(start)
    _last, after = day_bounds(end)
    taken: dict[datetime, list[int | None]] = defaultdict(list)
    for starts_at, pool in Appointment.objects.filter(
        province_id=province_id,
        status__in=OCCUPYING_STATUSES,
        starts_at__gte=first,
        starts_at__lt=after,
    ).values_list("starts_at", "reserved_for_id"):
        taken[starts_at].append(pool)
    reserved: dict[date, dict[int, int]] = defaultdict(dict)
    for day, university_id, places in Reservation.objects.filter(
        province_id=province_id, day__gte=start, day__lte=end
    ).values_list("day", "university_id", "places"):
        reserved[day][university_id] = places
    states: dict[datetime, SlotState] = {}
    day = start
    while day <= end:
        if schedule.opens_on_weekday(day) and day not in closed:
            for starts_at in schedule.slot_starts(day):
                states[starts_at] = SlotState(
                    desks=schedule.desks, reserved=reserved[day], taken=taken[starts_at]
                )
        day += timedelta(days=1)
    return states


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    free: int


@dataclass(frozen=True)
class FreeDay:
    day: date
    free: int
    slots: list[FreeSlot]


def free_days(
    application: Application, *, now: datetime | None = None, count: int = FREE_DAYS_SHOWN
) -> list[FreeDay]:
    """The next ``count`` open days with a place for this student, each with its free slots."""
    province = application.province
    if province is None:
        return []
    now = now or timezone.now()
    today = office_today(now)
    earliest = earliest_start(now=now, policy=policy_on(today))
    schedule = schedule_for(province)
    first, last = bookable_days(schedule, today=today)
    by_day: dict[date, list[FreeSlot]] = defaultdict(list)
    for starts_at, state in sorted(slot_states(schedule, first, last).items()):
        free = state.free_for(application.university_id)
        if free and starts_at >= earliest:
            by_day[starts_at.astimezone(OFFICE_TIME_ZONE).date()].append(
                FreeSlot(starts_at=starts_at, free=free)
            )
    days = [
        FreeDay(day=day, free=sum(slot.free for slot in slots), slots=slots)
        for day, slots in sorted(by_day.items())
    ]
    return days[:count]


def day_list(province: Province, day: date) -> QuerySet[Appointment]:
    """The office's appointments of ``day`` that hold a desk, in the order of the day."""
    start, end = day_bounds(day)
    return (
        Appointment.objects.filter(
            province=province,
            status__in=OCCUPYING_STATUSES,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("application", "application__university", "reserved_for", "marked_by")
        .order_by("starts_at", "desk")
    )


def day_reservations(province: Province, day: date) -> QuerySet[Reservation]:
    return Reservation.objects.filter(province=province, day=day).select_related("university")


def office_calendar(province: Province, *, today: date) -> dict[str, Any]:
    """What the supervisors' page lists of an office from today on."""
    return {
        "closed_days": ClosedDay.objects.filter(
            Q(province=province) | Q(province__isnull=True), day__gte=today
        ).select_related("province"),
        "reservations": Reservation.objects.filter(province=province, day__gte=today)
        .select_related("university")
        .order_by("day", "university__name"),
    }


@dataclass(frozen=True)
class ReservedDay:
    reservation: Reservation
    slots: int
    taken: int

    @property
    def capacity(self) -> int:
        return self.slots * self.reservation.places


def reserved_days(university: University, *, today: date) -> list[ReservedDay]:
    """The university's reserved days from today on, with how many of its reserved places its
    students have taken."""
    reservations = list(
        Reservation.objects.filter(university=university, day__gte=today)
        .select_related("province")
        .order_by("day", "province__name")
    )
    rows = []
    for reservation in reservations:
        schedule = schedule_for(reservation.province)
        start, end = day_bounds(reservation.day)
        taken = Appointment.objects.filter(
            province_id=reservation.province_id,
            reserved_for=university,
            status__in=OCCUPYING_STATUSES,
            starts_at__gte=start,
            starts_at__lt=end,
        ).count()
        rows.append(
            ReservedDay(
                reservation=reservation,
                slots=len(schedule.slot_starts(reservation.day)),
                taken=taken,
            )
        )
    return rows


def student_appointments(user: Any) -> list[tuple[Application, Appointment | None, bool]]:
    """The dashboard's panel: each open case of the student's with a booked appointment or
    needing one, with that appointment (or None) and whether the last one was missed."""
    rows: list[tuple[Application, Appointment | None, bool]] = []
    # The latest appointment's id and status come with the cases (one query for all); the
    # appointment itself is read only when it is booked (a student has one open case).
    newest = Appointment.objects.filter(application=OuterRef("pk")).order_by("-starts_at", "-pk")
    cases = (
        Application.objects.filter(applicant=user, status__in=OPEN_STATUSES)
        .select_related("province")
        .annotate(
            latest_id=Subquery(newest.values("pk")[:1]),
            latest_status=Subquery(newest.values("status")[:1]),
            attended=Exists(
                Appointment.objects.filter(
                    application=OuterRef("pk"), status=AppointmentStatus.ATTENDED
                )
            ),
        )
    )
    for application in cases:
        booked = None
        if application.latest_status == AppointmentStatus.BOOKED:
            booked = Appointment.objects.select_related("province").get(pk=application.latest_id)
        if booked is None and booking_refusal(application, attended=application.attended):
            continue
        missed = application.latest_status == AppointmentStatus.MISSED
        rows.append((application, booked, missed))
    return rows


def appointment_steps(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The visit's steps from a case's history already loaded (no query): when, where, what."""
    steps = []
    for event in events:
        if event.kind != "appointment" or event.data.get("status") not in AppointmentStatus.values:
            continue
        steps.append(
            {
                "when": event.created_at,
                "starts_at": datetime.fromisoformat(event.data["starts_at"]),
                "office": event.data.get("office", ""),
                "status": event.data["status"],
                "label": AppointmentStatus(event.data["status"]).label,
            }
        )
    return steps
