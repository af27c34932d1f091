"""Daily sweeps. Each is idempotent: its dedupe keys are derived from the rows and dates it
looks at, so running it twice on one day (or a retry after a crash) sends nothing new.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from applications.models import Application, Status
from applications.services import drafts_purge_inactive

from .models import Notification
from .services import notification_create


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sweep_inactive_drafts(*, today: date | None = None) -> dict[str, int]:
    """Remind owners of drafts untouched for DRAFT_REMINDER_DAYS; delete them at RETENTION."""
    today = today or timezone.localdate()
    remind_after = settings.DRAFT_REMINDER_DAYS
    retention = settings.DRAFT_RETENTION_DAYS
    # Indexed range on (status, updated_at): drafts last changed on or before the reminder day.
    due = (
        Application.objects.filter(
            status=Status.DRAFT,
            submitted_at__isnull=True,
            updated_at__lt=_start_of(today - timedelta(days=remind_after - 1)),
            updated_at__gte=_start_of(today - timedelta(days=retention - 1)),
        )
        .select_related("applicant")
        .order_by("pk")
    )
    reminded = 0
    for application in due.iterator():
        updated = timezone.localdate(application.updated_at)
        delete_on = updated + timedelta(days=retention)
        student = application.applicant
        notification_create(
            kind=Notification.Kind.DRAFT_REMINDER,
            to_email=student.email,
            language=student.preferred_language,
            recipient=student,
            application=application,
            context={
                "updated": updated.isoformat(),
                "delete_on": delete_on.isoformat(),
                "days": retention,
                "path": f"/applications/{application.pk}/tasks/",
            },
            # One reminder per period of inactivity: a change starts a new period.
            dedupe_key=f"draft-reminder:{application.pk}:{updated.isoformat()}",
        )
        reminded += 1
    deleted = drafts_purge_inactive()
    return {"reminded": reminded, "deleted": deleted}
