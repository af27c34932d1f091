"""The application's daily sweeps: inactive drafts, passports that will not do, information
requests coming due. Beat runs them nightly (``tasks.py``).

Each is idempotent: its dedupe keys are derived from the rows and dates it looks at, so running
it twice on one day (or a retry after a crash) sends nothing new, and each scans with an indexed
date condition. Each is set-based: one statement per kind of notice writes all of a night's
notices (``notifications.bulk``), with the contexts and keys the one-notice functions of
``notices.py`` give.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.mobile import verified_mobile_of
from core.dates import day_start
from notifications import bulk
from permits.models import PermitStatus

from . import notices
from .models import OPEN_STATUSES, Application, InfoRequest, Status
from .notices import PASSPORT_REPEAT_DAYS
from .services import drafts_purge_inactive

# Reminder points, in days before the date that matters.
HOLDER_PASSPORT_DAYS = (180, 90, 30)
INFO_DUE_DAYS = (7, 2)


def _applicant_context(prefix: str = "") -> dict[str, Any]:
    """``notices.applicant_context`` in SQL, for the application at ``prefix``."""
    return {
        "reference": bulk.or_empty(F(f"{prefix}reference")),
        "path": bulk.path("application-detail", F(f"{prefix}pk")),
    }


def _to_applicant(
    queryset: QuerySet[Any],
    *,
    kind: str,
    context: dict[str, Any],
    dedupe_key: Any,
    prefix: str = "",
) -> int:
    """The notices of ``kind`` to the student of each application (at ``prefix``), about it."""
    rows = bulk.notice_rows(
        queryset,
        recipient=f"{prefix}applicant",
        phone=verified_mobile_of(f"{prefix}applicant_id") if bulk.may_go_by_sms(kind) else None,
        context=JSONObject(**context),
        dedupe_key=dedupe_key,
        about=Application,
        about_id=F(f"{prefix}pk"),
    )
    return bulk.notify_many(kind=kind, rows=rows)


def sweep_inactive_drafts(*, today: date | None = None) -> dict[str, int]:
    """Remind owners of drafts untouched for DRAFT_REMINDER_DAYS; delete them at RETENTION."""
    today = today or timezone.localdate()
    remind_after = settings.DRAFT_REMINDER_DAYS
    retention = settings.DRAFT_RETENTION_DAYS
    # Indexed range on (status, updated_at): drafts last changed on or before the reminder day.
    due = Application.objects.filter(
        status=Status.DRAFT,
        submitted_at__isnull=True,
        updated_at__lt=day_start(today - timedelta(days=remind_after - 1)),
        updated_at__gte=day_start(today - timedelta(days=retention - 1)),
    )
    updated = bulk.local_date(F("updated_at"))
    reminded = _to_applicant(
        due,
        kind=notices.DRAFT_REMINDER,
        context={
            "updated": bulk.iso_date(updated),
            "delete_on": bulk.iso_date(bulk.plus_days(updated, retention)),
            "days": bulk.const(retention),
            "path": bulk.text("/applications/", F("pk"), "/tasks/"),
        },
        # One reminder per period of inactivity: a change starts a new period.
        dedupe_key=bulk.text("draft-reminder:", F("pk"), ":", bulk.iso_date(updated)),
    )
    deleted = drafts_purge_inactive()
    return {"reminded": reminded, "deleted": deleted}


def sweep_passports(*, today: date | None = None) -> dict[str, int]:
    """Passports that will not do: too short for an open application, or a holder's expiring."""
    today = today or timezone.localdate()
    # Partial index application_pp_short_idx: open applications whose passport is too short.
    # The conditions of ``notices.notify_passport_too_short``, which tells at submission.
    short = Application.objects.filter(
        status__in=OPEN_STATUSES,
        passport_expiry_date__lt=F("passport_required_until"),
        submitted_at__isnull=False,
    )
    expiry = bulk.iso_date(F("passport_expiry_date"))
    submitted = bulk.local_date(F("submitted_at"))
    period = bulk.whole_periods(bulk.days_between(today, submitted), PASSPORT_REPEAT_DAYS)
    too_short = _to_applicant(
        short,
        kind=notices.PASSPORT_TOO_SHORT,
        context=_applicant_context()
        | {
            "date": bulk.const(timezone.localdate().isoformat()),
            "passport_expiry": expiry,
            "required_until": bulk.iso_date(F("passport_required_until")),
            "margin_days": F("policy_version__passport_margin_days"),
        },
        dedupe_key=bulk.text("passport-short:", F("pk"), ":", expiry, ":", period),
    )
    # Partial index application_holder_pp_idx: approved applications by passport expiry.
    expiring = Application.objects.filter(
        status=Status.APPROVED,
        passport_expiry_date__gte=today + timedelta(days=1),
        passport_expiry_date__lte=today + timedelta(days=max(HOLDER_PASSPORT_DAYS)),
        # The passport on record of a permit that stands: not one an extension replaced,
        # nor one of a permit that was cancelled or ended.
        permit__status=PermitStatus.VALID,
        permit__extended_by__isnull=True,
    )
    days_left = bulk.days_until(F("passport_expiry_date"), today)
    holders = _to_applicant(
        expiring,
        kind=notices.PASSPORT_EXPIRING,
        context=_applicant_context() | {"passport_expiry": expiry, "days": days_left},
        # Per person and passport: two approved applications are still one passport (the
        # first by pk writes it).
        dedupe_key=bulk.text(
            "passport-expiring:",
            F("applicant_id"),
            ":",
            expiry,
            ":",
            bulk.threshold(days_left, HOLDER_PASSPORT_DAYS),
        ),
    )
    return {"too_short": too_short, "holders": holders}


def sweep_info_requests(*, today: date | None = None) -> dict[str, int]:
    """Open requests: remind the student 7 and 2 days ahead; the day after, tell the officer."""
    today = today or timezone.localdate()
    # Partial index inforequest_open_due_idx: open requests by deadline.
    open_requests = InfoRequest.objects.filter(state=InfoRequest.State.OPEN)
    due = open_requests.filter(
        due_date__gte=today + timedelta(days=1),
        due_date__lte=today + timedelta(days=max(INFO_DUE_DAYS)),
    )
    days_left = bulk.days_until(F("due_date"), today)
    reminded = _to_applicant(
        due,
        prefix="application__",
        kind=notices.INFO_DUE,
        context=_applicant_context("application__")
        | {"due_date": bulk.iso_date(F("due_date")), "message": F("message"), "days": days_left},
        dedupe_key=bulk.text("info-due:", F("pk"), ":", bulk.threshold(days_left, INFO_DUE_DAYS)),
    )
    # To the officer who has the case, or else the one who asked.
    overdue_rows = bulk.notice_rows(
        open_requests.filter(due_date__lt=today),
        recipient=("application__assignee", "requested_by"),
        context=JSONObject(
            reference=F("application__reference"),
            path=bulk.path("officer-review", F("application_id")),
            due_date=bulk.iso_date(F("due_date")),
        ),
        dedupe_key=bulk.text("info-overdue:", F("pk")),
        about=Application,
        about_id=F("application_id"),
    )
    overdue = bulk.notify_many(kind=notices.INFO_OVERDUE, rows=overdue_rows)
    return {"reminded": reminded, "overdue": overdue}
