"""The notices about appointments: what each says, and the rule that sends them.

Written in the transaction of the change that causes them (the outbox delivers after the
commit), in the student's language. Each is about the application, so it shows in the case's
delivery log on the officer's review page. Dates travel as ISO strings (each language writes
them its own way), times as the office's wall-clock time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.kinds import NoticeKind, register
from notifications.services import notify_user

from .models import OFFICE_TIME_ZONE, Appointment, AppointmentEvent, AppointmentStatus

LINK = _("Open your appointment")
BRING = _(
    "Bring your passport and the originals of the documents you uploaded; your fingerprints "
    "and photo are taken there."
)

APPOINTMENT_INVITATION = register(
    NoticeKind(
        code="appointment_invitation",
        label=_("Book your visit to the migration office"),
        subject=_("Book your visit to the migration office for %(reference)s"),
        what_happened=_(
            "Your application %(reference)s needs a visit to the provincial migration office "
            "in %(office)s, where your fingerprints and photo are taken and your original "
            "documents are seen."
        ),
        next_step=_("Choose a free time on the appointment page."),
        link_label=_("Book an appointment"),
    )
)

APPOINTMENT_BOOKED = register(
    NoticeKind(
        code="appointment_booked",
        label=_("Appointment booked"),
        subject=_("Your appointment on %(date)s at %(time)s (%(reference)s)"),
        what_happened=_(
            "You have an appointment at the provincial migration office in %(office)s on "
            "%(date)s at %(time)s (Türkiye time), for %(reference)s."
        ),
        next_step=_(
            "Add it to your calendar with the calendar file on the appointment page. You can "
            "move or cancel it until %(cutoff_date)s, %(cutoff_time)s."
        ),
        link_label=LINK,
    )
)

APPOINTMENT_RESCHEDULED = register(
    NoticeKind(
        code="appointment_rescheduled",
        label=_("Appointment moved"),
        subject=_("Your appointment is moved to %(date)s at %(time)s (%(reference)s)"),
        what_happened=_(
            "Your appointment at the provincial migration office in %(office)s is now on "
            "%(date)s at %(time)s (Türkiye time). The earlier time is free for others."
        ),
        next_step=_(
            "Replace the appointment in your calendar with the new calendar file on the "
            "appointment page. You can move or cancel it until %(cutoff_date)s, %(cutoff_time)s."
        ),
        link_label=LINK,
    )
)

APPOINTMENT_CANCELLED = register(
    NoticeKind(
        code="appointment_cancelled",
        label=_("Appointment cancelled"),
        subject=_("Your appointment on %(date)s is cancelled (%(reference)s)"),
        what_happened=_("You cancelled your appointment on %(date)s at %(time)s."),
        next_step=_("Your application still needs the visit: book a new appointment when you can."),
        link_label=_("Book an appointment"),
    )
)

APPOINTMENT_RELEASED = register(
    NoticeKind(
        code="appointment_released",
        label=_("Appointment cancelled: the application is closed"),
        subject=_("Your appointment on %(date)s is cancelled (%(reference)s)"),
        what_happened=_(
            "Your application is closed, so your appointment at the provincial migration office "
            "in %(office)s on %(date)s at %(time)s is cancelled and its place given to others."
        ),
        next_step=_("You do not need to go to the office for this application."),
        link_label=_("See your application"),
    )
)

APPOINTMENT_CANCELLED_BY_OFFICE = register(
    NoticeKind(
        code="appointment_cancelled_by_office",
        label=_("Appointment cancelled by the office"),
        subject=_("The office cancelled your appointment on %(date)s (%(reference)s)"),
        what_happened=_(
            "The provincial migration office in %(office)s cancelled your appointment on "
            "%(date)s at %(time)s: %(reason)s"
        ),
        next_step=_("Please book a new appointment; we are sorry for the trouble."),
        link_label=_("Book an appointment"),
    )
)

APPOINTMENT_ATTENDED = register(
    NoticeKind(
        code="appointment_attended",
        label=_("Visit recorded"),
        subject=_("Your visit to the migration office is recorded (%(reference)s)"),
        what_happened=_(
            "The office recorded your visit on %(date)s: your fingerprints and photo were taken "
            "and your original documents seen."
        ),
        next_step=_("You do not need to do anything now; we will write when it is decided."),
        link_label=_("Open your application"),
    )
)

APPOINTMENT_MISSED = register(
    NoticeKind(
        code="appointment_missed",
        label=_("Appointment missed"),
        subject=_("You missed your appointment on %(date)s (%(reference)s)"),
        what_happened=_(
            "The provincial migration office in %(office)s recorded that you did not come to "
            "your appointment on %(date)s at %(time)s."
        ),
        next_step=_(
            "Your application cannot be decided without the visit: book a new appointment now."
        ),
        link_label=_("Book an appointment"),
    )
)

APPOINTMENT_TOMORROW = register(
    NoticeKind(
        code="appointment_tomorrow",
        label=_("Appointment tomorrow"),
        subject=_("Reminder: your appointment tomorrow at %(time)s (%(reference)s)"),
        what_happened=_(
            "Your appointment at the provincial migration office in %(office)s is tomorrow, "
            "%(date)s, at %(time)s (Türkiye time)."
        ),
        next_step=BRING,
        link_label=LINK,
        sms=_(
            "Reminder: your appointment at the migration office for %(reference)s is tomorrow. "
            "Time and place: on the portal."
        ),
        sms_by_default=True,
    )
)


def local_clock(moment: datetime) -> tuple[str, str]:
    """(ISO date, HH:MM) in the office's time zone."""
    local = moment.astimezone(OFFICE_TIME_ZONE)
    return local.date().isoformat(), local.strftime("%H:%M")


def appointment_page(application_id: int) -> str:
    return reverse("application-appointment", args=[application_id])


def appointment_context(appointment: Appointment) -> dict[str, Any]:
    day, clock = local_clock(appointment.starts_at)
    return {
        "reference": appointment.application.reference or "",
        "path": appointment_page(appointment.application_id),
        "date": day,
        "time": clock,
        "office": appointment.province.name,
    }


def _send(appointment: Appointment, kind: str, key: str, **extra: Any) -> bool:
    return notify_user(
        user=appointment.application.applicant,
        kind=kind,
        about=appointment.application,
        context=appointment_context(appointment) | extra,
        dedupe_key=f"{key}:{appointment.pk}",
    )


def notify_booked(appointment: Appointment, *, changeable_until: datetime) -> None:
    cutoff_date, cutoff_time = local_clock(changeable_until)
    moved = appointment.rescheduled_from_id is not None
    _send(
        appointment,
        APPOINTMENT_RESCHEDULED if moved else APPOINTMENT_BOOKED,
        "appointment-rescheduled" if moved else "appointment-booked",
        cutoff_date=cutoff_date,
        cutoff_time=cutoff_time,
    )


def notify_appointment_change(*, appointment: Appointment, event: AppointmentEvent) -> None:
    """The engine's hook for every status change. A move says nothing here: the new
    appointment's notice (``notify_booked``) tells the student, once it exists."""
    status = event.to_status
    if status == AppointmentStatus.CANCELLED and (event.data or {}).get("case_closed"):
        _send(
            appointment,
            APPOINTMENT_RELEASED,
            "appointment-cancelled",
            path=reverse("application-detail", args=[appointment.application_id]),
        )
    elif status == AppointmentStatus.CANCELLED:
        if event.actor_id == appointment.application.applicant_id:
            _send(appointment, APPOINTMENT_CANCELLED, "appointment-cancelled")
        else:
            _send(
                appointment,
                APPOINTMENT_CANCELLED_BY_OFFICE,
                "appointment-cancelled",
                reason=event.note,
            )
    elif status == AppointmentStatus.MISSED:
        _send(appointment, APPOINTMENT_MISSED, "appointment-missed")
    elif status == AppointmentStatus.ATTENDED:
        _send(
            appointment,
            APPOINTMENT_ATTENDED,
            "appointment-attended",
            path=reverse("application-detail", args=[appointment.application_id]),
        )


def notify_tomorrow(appointment: Appointment) -> bool:
    return _send(appointment, APPOINTMENT_TOMORROW, "appointment-tomorrow")


def notify_invitation(*, application: Any) -> bool:
    return notify_user(
        user=application.applicant,
        kind=APPOINTMENT_INVITATION,
        about=application,
        context={
            "reference": application.reference or "",
            "path": appointment_page(application.pk),
            "office": application.province.name if application.province_id else "",
        },
        dedupe_key=f"appointment-invite:{application.pk}",
    )
