"""Permits coming to their end: the extension window (LFIP Art. 24) and its last weeks.

Idempotent like every sweep: the dedupe key names the permit, its end date and the threshold.
Set-based like every sweep: one statement writes all the night's reminders
(``notifications.bulk``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.db.models import F, Model
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.mobile import verified_mobile_of
from notifications import bulk
from rules.policies import NoPolicyInForce, policy_version_in_force

from . import notices
from .models import GRANTED, PENDING, Permit, PermitStatus

# Reminder points, in days before the permit ends.
PERMIT_EXPIRY_DAYS = (60, 30, 7)


def _application_model() -> type[Model]:
    """The application model, which permits may not import (it is the layer above)."""
    return cast(type[Model], Permit._meta.get_field("application").related_model)


def sweep_permits(*, today: date | None = None) -> dict[str, int]:
    """Permits ending within 60 days: the extension window (LFIP Art. 24) and its last weeks.

    Each reminder links to the permit's extension page. A permit whose extension has been
    submitted, or granted, is reminded no more: the student was told at submission that the
    extension is being decided.
    """
    today = today or timezone.localdate()
    try:
        window_days = policy_version_in_force(on=today).extension_window_days
    except NoPolicyInForce:
        window_days = max(PERMIT_EXPIRY_DAYS)
    # Index permit_valid_to_idx.
    ending = Permit.objects.filter(
        valid_to__gte=today + timedelta(days=1),
        valid_to__lte=today + timedelta(days=max(PERMIT_EXPIRY_DAYS)),
        application__status=GRANTED,
        status=PermitStatus.VALID,
        extended_by__isnull=True,
    ).exclude(extensions__status__in=PENDING)  # an extension waiting for a decision
    days_left = bulk.days_until(F("valid_to"), today)
    valid_to = bulk.iso_date(F("valid_to"))
    context: Any = JSONObject(
        reference=bulk.or_empty(F("application__reference")),
        path=bulk.path("permit-extend", F("pk")),
        permit=F("number"),
        valid_to=valid_to,
        window_opens=bulk.iso_date(bulk.plus_days(F("valid_to"), -window_days)),
        days=days_left,
    )
    rows = bulk.notice_rows(
        ending,
        recipient="application__applicant",
        phone=verified_mobile_of("application__applicant_id"),
        context=context,
        dedupe_key=bulk.text(
            "permit-expiring:",
            F("pk"),
            ":",
            valid_to,
            ":",
            bulk.threshold(days_left, PERMIT_EXPIRY_DAYS),
        ),
        about=_application_model(),
        about_id=F("application_id"),
    )
    return {"permits": bulk.notify_many(kind=notices.PERMIT_EXPIRING, rows=rows)}
