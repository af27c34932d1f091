"""Daily sweeps. Each is idempotent: its dedupe keys are derived from the rows and dates it
looks at, so running it twice on one day (or a retry after a crash) sends nothing new.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import SUPERVISOR as SUPERVISOR_GROUP
from applications.models import OPEN_STATUSES, Application, InfoRequest, Permit, Status
from applications.services import drafts_purge_inactive
from officers.queue import LEGAL_DECISION_DAYS
from portal.dates import day_start

from .models import Notification
from .services import (
    applicant_context,
    notification_create,
    notify_applicant,
    notify_passport_too_short,
)


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
            kind=Notification.Kind.DRAFT_REMINDER,
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


def _threshold(days_left: int, thresholds: tuple[int, ...]) -> int:
    """The smallest reminder threshold not yet passed: with 180/90/30, 95 days left → 180."""
    return min(t for t in thresholds if days_left <= t)


# Reminder points, in days before the date that matters.
HOLDER_PASSPORT_DAYS = (180, 90, 30)
PERMIT_EXPIRY_DAYS = (60, 30, 7)
INFO_DUE_DAYS = (7, 2)


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
        )
        .select_related("applicant")
        .order_by("pk")
    )
    holders = 0
    for application in expiring.iterator():
        expiry = application.passport_expiry_date
        days_left = (expiry - today).days
        created = notify_applicant(
            kind=Notification.Kind.PASSPORT_EXPIRING,
            application=application,
            context=applicant_context(application)
            | {
                "passport_expiry": expiry.isoformat(),
                "days": days_left,
            },
            # Per person and passport: two approved applications are still one passport.
            dedupe_key=(
                f"passport-expiring:{application.applicant_id}:{expiry.isoformat()}:"
                f"{_threshold(days_left, HOLDER_PASSPORT_DAYS)}"
            ),
        )
        holders += created
    return {"too_short": too_short, "holders": holders}


def sweep_permits(*, today: date | None = None) -> dict[str, int]:
    """Permits ending within 60 days: the extension window (LFIP Art. 24) and its last weeks."""
    today = today or timezone.localdate()
    # Index permit_valid_to_idx.
    ending = (
        Permit.objects.filter(
            valid_to__gte=today + timedelta(days=1),
            valid_to__lte=today + timedelta(days=max(PERMIT_EXPIRY_DAYS)),
            application__status=Status.APPROVED,
        )
        .select_related("application__applicant")
        .order_by("pk")
    )
    count = 0
    for permit in ending.iterator():
        application = permit.application
        days_left = (permit.valid_to - today).days
        created = notify_applicant(
            kind=Notification.Kind.PERMIT_EXPIRING,
            application=application,
            context=applicant_context(application)
            | {
                "permit": permit.number,
                "valid_to": permit.valid_to.isoformat(),
                "window_opens": (
                    permit.valid_to - timedelta(days=max(PERMIT_EXPIRY_DAYS))
                ).isoformat(),
                "days": days_left,
            },
            dedupe_key=(
                f"permit-expiring:{permit.pk}:{permit.valid_to.isoformat()}:"
                f"{_threshold(days_left, PERMIT_EXPIRY_DAYS)}"
            ),
        )
        count += created
    return {"permits": count}


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
            kind=Notification.Kind.INFO_DUE,
            application=application,
            context=applicant_context(application)
            | {
                "due_date": request.due_date.isoformat(),
                "message": request.message,
                "days": days_left,
            },
            dedupe_key=f"info-due:{request.pk}:{_threshold(days_left, INFO_DUE_DAYS)}",
        )
        reminded += created
    overdue = 0
    for request in open_requests.filter(due_date__lt=today).order_by("pk").iterator():
        application = request.application
        officer = application.assignee or request.requested_by
        _notice, created = notification_create(
            kind=Notification.Kind.INFO_OVERDUE,
            to_email=officer.email,
            language=officer.preferred_language,
            recipient=officer,
            application=application,
            context={
                "reference": application.reference,
                "path": reverse("officer-review", args=[application.pk]),
                "due_date": request.due_date.isoformat(),
            },
            dedupe_key=f"info-overdue:{request.pk}",
        )
        overdue += created
    return {"reminded": reminded, "overdue": overdue}


# The digest lists this many applications by name; the rest are counted.
DIGEST_LIST_LIMIT = 50
NEAR_LEGAL_LIMIT_DAYS = 10


def sweep_supervisor_digest(*, today: date | None = None) -> dict[str, int]:
    """One email a day to each supervisor when open applications are past the internal target."""
    today = today or timezone.localdate()
    target = settings.OFFICER_SLA_TARGET_DAYS
    # "Within 10 days of the limit": open for at least 80 days, i.e. submitted 80+ days ago.
    near_age = LEGAL_DECISION_DAYS - NEAR_LEGAL_LIMIT_DAYS
    # Index application_queue_idx (status, submitted_at).
    late = Application.objects.filter(
        status__in=OPEN_STATUSES, submitted_at__lt=day_start(today - timedelta(days=target))
    )
    counts = late.aggregate(
        past_target=Count("pk"),
        near_limit=Count(
            "pk", filter=Q(submitted_at__lt=day_start(today - timedelta(days=near_age - 1)))
        ),
    )
    if not counts["past_target"]:
        return {"supervisors": 0, "past_target": 0}
    oldest = late.select_related("assignee").order_by("submitted_at", "pk")[:DIGEST_LIST_LIMIT]
    items = [
        {
            "reference": application.reference,
            "days": (today - timezone.localdate(application.submitted_at)).days,
            "officer": application.assignee.get_full_name() if application.assignee else "",
        }
        for application in oldest
    ]
    context = {
        "date": today.isoformat(),
        "path": reverse("supervisor-dashboard"),
        "target_days": target,
        "past_target": counts["past_target"],
        "near_limit": counts["near_limit"],
        "items": items,
        "more_items": counts["past_target"] - len(items),
    }
    supervisors = User.objects.filter(groups__name=SUPERVISOR_GROUP, is_active=True).distinct()
    sent = 0
    for supervisor in supervisors.order_by("pk"):
        _notice, created = notification_create(
            kind=Notification.Kind.SUPERVISOR_DIGEST,
            to_email=supervisor.email,
            language=supervisor.preferred_language,
            recipient=supervisor,
            context=context,
            dedupe_key=f"digest:{supervisor.pk}:{today.isoformat()}",
        )
        sent += created
    return {"supervisors": sent, "past_target": counts["past_target"]}
