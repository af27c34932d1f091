"""The appointments' sweep (beat, hourly from 09:00 to 20:00 Türkiye time, never at night: the
reminder also goes by SMS). Idempotent: every notice has its own deduplication key, so a second
run sends nothing new, and a missed run is caught up by the next one. Set-based: one statement
per kind of notice (``notifications.bulk``), with the contexts of ``notices.py``.

- the day before: "your appointment is tomorrow" to every student booked for tomorrow (an
  appointment booked during that day is reminded by the next run);
- after submission: an invitation to book to every open case still waiting for its visit (not
  complete: its kind needs one) that never had an appointment (a missed one has its own
  notice, which says to book again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.mobile import verified_mobile_of
from applications.models import OPEN_STATUSES, Application
from notifications import bulk

from .models import OFFICE_TIME_ZONE_NAME, Appointment, AppointmentStatus
from .notices import APPOINTMENT_INVITATION, APPOINTMENT_TOMORROW
from .selectors import day_bounds, office_today


def sweep_appointment_reminders(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = office_today(now)
    start, end = day_bounds(today + timedelta(days=1))
    tomorrow = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        starts_at__gte=start,
        starts_at__lt=end,
        application__status__in=OPEN_STATUSES,
    )
    reminders = bulk.notice_rows(
        tomorrow,
        recipient="application__applicant",
        phone=verified_mobile_of("application__applicant_id"),
        # ``notices.appointment_context``: the office's wall-clock date and time.
        context=JSONObject(
            reference=bulk.or_empty(F("application__reference")),
            path=bulk.path("application-appointment", F("application_id")),
            date=bulk.local_text(F("starts_at"), OFFICE_TIME_ZONE_NAME, "YYYY-MM-DD"),
            time=bulk.local_text(F("starts_at"), OFFICE_TIME_ZONE_NAME, "HH24:MI"),
            office=F("province__name"),
        ),
        dedupe_key=bulk.text("appointment-tomorrow:", F("pk")),
        about=Application,
        about_id=F("application_id"),
    )
    reminded = bulk.notify_many(kind=APPOINTMENT_TOMORROW, rows=reminders)
    waiting = Application.objects.filter(
        status__in=OPEN_STATUSES,
        # Not complete yet: the kind needs a visit (applications.completeness).
        complete_at__isnull=True,
        province__isnull=False,
        appointments__isnull=True,
    )
    invitations = bulk.notice_rows(
        waiting,
        recipient="applicant",
        context=JSONObject(
            reference=bulk.or_empty(F("reference")),
            path=bulk.path("application-appointment", F("pk")),
            office=F("province__name"),
        ),
        dedupe_key=bulk.text("appointment-invite:", F("pk")),
        about=Application,
        about_id=F("pk"),
    )
    invited = bulk.notify_many(kind=APPOINTMENT_INVITATION, rows=invitations)
    return {"reminded": reminded, "invited": invited}
