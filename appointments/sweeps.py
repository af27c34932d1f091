"""The appointments' sweep (beat, hourly from 09:00 to 20:00 Türkiye time, never at night: the
reminder also goes by SMS). Idempotent: every notice has its own deduplication key, so a second
run sends nothing new, and a missed run is caught up by the next one.

- the day before: "your appointment is tomorrow" to every student booked for tomorrow (an
  appointment booked during that day is reminded by the next run);
- after submission: an invitation to book to every open case still waiting for its visit (not
  complete: its kind needs one) that never had an appointment (a missed one has its own
  notice, which says to book again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from applications.models import OPEN_STATUSES, Application

from .models import Appointment, AppointmentStatus
from .notices import notify_invitation, notify_tomorrow
from .selectors import day_bounds, office_today


def sweep_appointment_reminders(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = office_today(now)
    start, end = day_bounds(today + timedelta(days=1))
    tomorrow = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            starts_at__gte=start,
            starts_at__lt=end,
            application__status__in=OPEN_STATUSES,
        )
        .select_related("application__applicant", "province")
        .order_by("pk")
    )
    reminded = sum(notify_tomorrow(appointment) for appointment in tomorrow.iterator())
    waiting = (
        Application.objects.filter(
            status__in=OPEN_STATUSES,
            # Not complete yet: the kind needs a visit (applications.completeness).
            complete_at__isnull=True,
            province__isnull=False,
            appointments__isnull=True,
        )
        .select_related("applicant", "province")
        .order_by("pk")
    )
    invited = sum(notify_invitation(application=application) for application in waiting.iterator())
    return {"reminded": reminded, "invited": invited}
