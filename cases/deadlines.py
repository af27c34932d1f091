"""Time limits on a case, counted as the law counts them, in elapsed days from the moment the
case's clock starts (``CaseKind.clock_field``): for an application, the day it is complete
(handed in, or its visit to the office recorded, see ``applications.completeness``); for a
report, its submission. A case whose clock has not started has no age and is never late.

The legal limit is LFIP Art. 21(5)'s 90 days for a complete application; the internal target
(``OFFICER_SLA_TARGET_DAYS``) is the office's own, shorter promise. The queue's badge, its
"past the target" filter, the supervisor dashboard and the daily digest all read these, so a
count in one place and the list it links to agree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core.dates import day_start

LEGAL_DECISION_DAYS = 90  # LFIP Art. 21(5)
# The digest's "close to the limit": open this many days before the 90 or more.
NEAR_LEGAL_LIMIT_DAYS = 10


def sla_target_days() -> int:
    days: int = settings.OFFICER_SLA_TARGET_DAYS
    return days


def age_days(clock_from: datetime | None, *, today: date) -> int | None:
    """Whole days since the clock started, on the office's calendar; None before it starts."""
    if clock_from is None:
        return None
    return (today - timezone.localdate(clock_from)).days


def legal_due_on(clock_from: datetime | None) -> date | None:
    """The last day of the legal limit; None before the clock starts."""
    if clock_from is None:
        return None
    return timezone.localdate(clock_from) + timedelta(days=LEGAL_DECISION_DAYS)


def started_before(days: int, *, today: date) -> datetime:
    """A clock started before this moment is more than ``days`` old today (``age_days`` >
    ``days``): what every count of late cases filters on, so a count and the badges of the
    list it links to agree."""
    return day_start(today - timedelta(days=days))


def sla_state(*, is_open: bool, age: int | None) -> str:
    """``ok``, ``target`` (past the internal target), ``legal`` (past 90 days), ``waiting``
    (open, its clock not started: an application waiting for its visit) or ``done``."""
    if not is_open:
        return "done"
    if age is None:
        return "waiting"
    if age > LEGAL_DECISION_DAYS:
        return "legal"
    if age > sla_target_days():
        return "target"
    return "ok"
