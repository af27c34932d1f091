"""Permits coming to their end: the extension window (LFIP Art. 24) and its last weeks.

Idempotent like every sweep: the dedupe key names the permit, its end date and the threshold.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from core.dates import reminder_threshold
from notifications.services import notify_user
from rules.policies import NoPolicyInForce, policy_version_in_force

from . import notices
from .models import GRANTED, PENDING, Permit, PermitStatus

# Reminder points, in days before the permit ends.
PERMIT_EXPIRY_DAYS = (60, 30, 7)


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
    ending = (
        Permit.objects.filter(
            valid_to__gte=today + timedelta(days=1),
            valid_to__lte=today + timedelta(days=max(PERMIT_EXPIRY_DAYS)),
            application__status=GRANTED,
            status=PermitStatus.VALID,
            extended_by__isnull=True,
        )
        # A permit with an extension waiting for a decision (a NOT EXISTS over its cases).
        .exclude(extensions__status__in=PENDING)
        .select_related("application__applicant")
        .order_by("pk")
    )
    count = 0
    for permit in ending.iterator():
        application = permit.application
        days_left = (permit.valid_to - today).days
        created = notify_user(
            user=application.applicant,
            kind=notices.PERMIT_EXPIRING,
            about=application,
            context={
                "reference": application.reference or "",
                "path": reverse("permit-extend", args=[permit.pk]),
                "permit": permit.number,
                "valid_to": permit.valid_to.isoformat(),
                "window_opens": (permit.valid_to - timedelta(days=window_days)).isoformat(),
                "days": days_left,
            },
            dedupe_key=(
                f"permit-expiring:{permit.pk}:{permit.valid_to.isoformat()}:"
                f"{reminder_threshold(days_left, PERMIT_EXPIRY_DAYS)}"
            ),
        )
        count += created
    return {"permits": count}
