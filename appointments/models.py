"""The provincial migration offices' calendars and the students' appointments at them.

An office (one per province) opens on some weekdays, gives slots of a fixed length between its
opening and closing time, and serves as many people per slot as it has desks. Supervisors close
days and reserve part of a day's desks for one university's students. An appointment takes one
desk of one slot: a booking counts the places under its ``Slot`` row's lock (``locking.py``),
and a partial unique index refuses two bookings of one desk at one time whatever wrote them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.append_only import AppendOnlyModel
from universities.models import Province, University

# Every office is in Türkiye: its slots are wall-clock times there, whatever the server's zone.
OFFICE_TIME_ZONE_NAME = "Europe/Istanbul"
OFFICE_TIME_ZONE = ZoneInfo(OFFICE_TIME_ZONE_NAME)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    # Moved to another time: this row ends, a new appointment is booked in its place.
    RESCHEDULED = "rescheduled", _("Moved to another time")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")


# What holds a desk at its time: a cancelled or moved appointment gives its desk back; one that
# was attended or missed keeps it (the time has been used, or is past).
OCCUPYING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ATTENDED,
    AppointmentStatus.MISSED,
)


class OfficeSchedule(models.Model):
    """When a province's migration office receives visitors (one row per province)."""

    province = models.OneToOneField(
        Province,
        on_delete=models.CASCADE,
        related_name="office_schedule",
        verbose_name=_("province"),
    )
    # ISO weekday numbers, Monday = 1: "12345" is Monday to Friday.
    weekdays = models.CharField(
        _("open on"),
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{0,7}$")],
    )
    opens_at = models.TimeField(_("first appointment at"), default=time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=time(16, 30))
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per appointment"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    desks = models.PositiveSmallIntegerField(
        _("desks (people per time slot)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("bookable this many days ahead"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    address = models.CharField(_("office address"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["province__name"]
        verbose_name = _("office schedule")
        verbose_name_plural = _("office schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="office_schedule_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="office_schedule_slot_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(desks__gte=1, desks__lte=50), name="office_schedule_desks_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.province)

    @property
    def open_weekdays(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.weekdays)

    def opens_on_weekday(self, day: date) -> bool:
        return day.isoweekday() in self.open_weekdays

    def slot_starts(self, day: date) -> list[datetime]:
        """The starting times of ``day``'s slots (aware, office time), each ending by closing
        time; on any day, open or not: whether the office opens is asked separately."""
        step = timedelta(minutes=self.slot_minutes)
        start = datetime.combine(day, self.opens_at, tzinfo=OFFICE_TIME_ZONE)
        close = datetime.combine(day, self.closes_at, tzinfo=OFFICE_TIME_ZONE)
        starts = []
        while start + step <= close:
            starts.append(start)
            start += step
        return starts


class ClosedDay(models.Model):
    """A day an office receives nobody (a public holiday): one province's, or every one's."""

    # None: every provincial office (a national holiday).
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closed_days",
        verbose_name=_("province"),
    )
    day = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set"), auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "day"],
                condition=Q(province__isnull=False),
                name="closed_day_once_per_province",
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=Q(province__isnull=True),
                name="closed_day_once_everywhere",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="closed_day_day_idx")]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.province or '*'}"


class Reservation(models.Model):
    """Places of each slot of one day kept for one university's students (the rest stays open
    to everyone, that university's students included)."""

    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("province")
    )
    day = models.DateField(_("date"))
    university = models.ForeignKey(
        University,
        on_delete=models.CASCADE,
        related_name="appointment_reservations",
        verbose_name=_("university"),
    )
    places = models.PositiveSmallIntegerField(
        _("places per time slot"), validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reserved by"),
    )
    created_at = models.DateTimeField(_("reserved"), auto_now_add=True)

    class Meta:
        ordering = ["day", "university__name"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "day", "university"], name="reservation_once_per_university"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="reservation_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.province}: {self.university} × {self.places}"


class Slot(models.Model):
    """The row a booking locks (``SELECT … FOR UPDATE``) before it counts the places of one time
    at one office. Made on the first booking of that time (``INSERT … ON CONFLICT DO NOTHING``),
    so two people racing for a slot wait for each other instead of both counting a free place."""

    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    starts_at = models.DateTimeField(_("starts"))

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.UniqueConstraint(fields=["province", "starts_at"], name="slot_once_per_time")
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.starts_at.isoformat()}"


class Appointment(models.Model):
    """One student's visit to the provincial office for one case (biometrics, originals).

    Every change of ``status`` goes through ``flow.py`` (the engine). Moving an appointment ends
    this row (``rescheduled``) and books a new one (``rescheduled_from``), so each row is one
    desk at one time, and its history says what became of it.
    """

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("application"),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("office (province)")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    desk = models.PositiveSmallIntegerField(_("desk"))
    # The university whose reserved places this booking took; None: an open place.
    reserved_for = models.ForeignKey(
        University,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reserved place of"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked by"),
    )
    rescheduled_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescheduled_to",
        verbose_name=_("moved from"),
    )
    # At the desk: who marked the visit attended or missed, and when.
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked"), null=True, blank=True)
    biometrics_taken = models.BooleanField(_("biometrics taken"), default=False)
    originals_seen = models.BooleanField(_("original documents seen"), default=False)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "desk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            # The database's own guarantee: one desk at one time holds one appointment.
            models.UniqueConstraint(
                fields=["province", "starts_at", "desk"],
                condition=Q(status__in=OCCUPYING_STATUSES),
                name="appointment_one_per_desk",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=AppointmentStatus.BOOKED),
                name="appointment_one_active_per_application",
                violation_error_message=_("This application already has an appointment."),
            ),
            models.CheckConstraint(condition=Q(desk__gte=1), name="appointment_desk_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
            # Attended means the visit did its work: biometrics taken and originals seen.
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.ATTENDED)
                | Q(biometrics_taken=True, originals_seen=True),
                name="appointment_attended_means_done",
            ),
        ]
        indexes = [
            # The reminder sweep (booked, starting tomorrow) and the desks' day lists.
            models.Index(fields=["status", "starts_at"], name="appointment_due_idx"),
            models.Index(fields=["province", "starts_at"], name="appointment_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.starts_at.isoformat()} #{self.desk}"

    # The engine's Case protocol: appointments are never assigned to an officer.
    assignee = None

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(OFFICE_TIME_ZONE)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(OFFICE_TIME_ZONE)

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED


class AppointmentEvent(AppendOnlyModel):
    """The append-only history of an appointment (the database refuses changes too)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        STATUS_CHANGED = "status_changed", _("Status changed")

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="events", verbose_name=_("appointment")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=AppointmentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=12, choices=AppointmentStatus.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")

    def __str__(self) -> str:
        return f"{self.appointment} {self.kind}"
