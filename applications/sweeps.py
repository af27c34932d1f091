"""The application's daily sweeps: inactive drafts, passports that will not do, information
requests coming due. Beat runs them nightly (``tasks.py``).

Each is idempotent: its dedupe keys are derived from the rows and dates it looks at, so running
it twice on one day (or a retry after a crash) sends nothing new, and each scans with an indexed
date condition.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.dates import day_start, reminder_threshold
from notifications.services import notify_user
from permits.models import PermitStatus

from . import notices
from .models import OPEN_STATUSES, Application, InfoRequest, Status
from .notices import applicant_context, notify_applicant, notify_passport_too_short
from .services import drafts_purge_inactive

# Reminder points, in days before the date that matters.
HOLDER_PASSPORT_DAYS = (180, 90, 30)
INFO_DUE_DAYS = (7, 2)


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
            updated_at__lt=day_start(today - timedelta(days=remind_after - 1)),
            updated_at__gte=day_start(today - timedelta(days=retention - 1)),
        )
        .select_related("applicant")
        .order_by("pk")
    )
    reminded = 0
    for application in due.iterator():
        updated = timezone.localdate(application.updated_at)
        delete_on = updated + timedelta(days=retention)
        created = notify_applicant(
            kind=notices.DRAFT_REMINDER,
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
        reminded += created
    deleted = drafts_purge_inactive()
    return {"reminded": reminded, "deleted": deleted}


def sweep_passports(*, today: date | None = None) -> dict[str, int]:
    """Passports that will not do: too short for an open application, or a holder's expiring."""
    today = today or timezone.localdate()
    # Partial index application_pp_short_idx: open applications whose passport is too short.
    short = (
        Application.objects.filter(
            status__in=OPEN_STATUSES, passport_expiry_date__lt=F("passport_required_until")
        )
        .select_related("applicant", "policy_version")
        .order_by("pk")
    )
    too_short = 0
    for application in short.iterator():
        too_short += notify_passport_too_short(application=application, today=today)
    # Partial index application_holder_pp_idx: approved applications by passport expiry.
    expiring = (
        Application.objects.filter(
            status=Status.APPROVED,
            passport_expiry_date__gte=today + timedelta(days=1),
            passport_expiry_date__lte=today + timedelta(days=max(HOLDER_PASSPORT_DAYS)),
            # The passport on record of a permit that stands: not one an extension replaced,
            # nor one of a permit that was cancelled or ended.
            permit__status=PermitStatus.VALID,
            permit__extended_by__isnull=True,
        )
        .select_related("applicant")
        .order_by("pk")
    )
    holders = 0
    for application in expiring.iterator():
        # Never NULL here: ``expiring`` filters on the date.
        expiry = cast(date, application.passport_expiry_date)
        days_left = (expiry - today).days
        created = notify_applicant(
            kind=notices.PASSPORT_EXPIRING,
            application=application,
            context=applicant_context(application)
            | {
                "passport_expiry": expiry.isoformat(),
                "days": days_left,
            },
            # Per person and passport: two approved applications are still one passport.
            dedupe_key=(
                f"passport-expiring:{application.applicant_id}:{expiry.isoformat()}:"
                f"{reminder_threshold(days_left, HOLDER_PASSPORT_DAYS)}"
            ),
        )
        holders += created
    return {"too_short": too_short, "holders": holders}


def sweep_info_requests(*, today: date | None = None) -> dict[str, int]:
    """Open requests: remind the student 7 and 2 days ahead; the day after, tell the officer."""
    today = today or timezone.localdate()
    # Partial index inforequest_open_due_idx: open requests by deadline.
    open_requests = InfoRequest.objects.filter(state=InfoRequest.State.OPEN).select_related(
        "application__applicant", "application__assignee", "requested_by"
    )
    due = open_requests.filter(
        due_date__gte=today + timedelta(days=1),
        due_date__lte=today + timedelta(days=max(INFO_DUE_DAYS)),
    ).order_by("pk")
    reminded = 0
    for request in due.iterator():
        application = request.application
        days_left = (request.due_date - today).days
        created = notify_applicant(
            kind=notices.INFO_DUE,
            application=application,
            context=applicant_context(application)
            | {
                "due_date": request.due_date.isoformat(),
                "message": request.message,
                "days": days_left,
            },
            dedupe_key=f"info-due:{request.pk}:{reminder_threshold(days_left, INFO_DUE_DAYS)}",
        )
        reminded += created
    overdue = 0
    for request in open_requests.filter(due_date__lt=today).order_by("pk").iterator():
        application = request.application
        officer = application.assignee or request.requested_by
        created = notify_user(
            user=officer,
            kind=notices.INFO_OVERDUE,
            about=application,
            context={
                "reference": application.reference,
                "path": reverse("officer-review", args=[application.pk]),
                "due_date": request.due_date.isoformat(),
            },
            dedupe_key=f"info-overdue:{request.pk}",
        )
        overdue += created
    return {"reminded": reminded, "overdue": overdue}
