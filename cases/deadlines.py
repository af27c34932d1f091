"""Time limits on a case, counted as the law counts them: from submission, in elapsed days.

The legal limit is LFIP Art. 21(5)'s 90 days for a complete application; the internal target
(``OFFICER_SLA_TARGET_DAYS``) is the office's own, shorter promise. The queue's badge, its
"past the target" filter, the supervisor dashboard and the daily digest all read these, so a
count in one place and the list it links to agree.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

LEGAL_DECISION_DAYS = 90  # LFIP Art. 21(5)
# The digest's "close to the limit": open this many days before the 90 or more.
NEAR_LEGAL_LIMIT_DAYS = 10


def sla_target_days() -> int:
    days: int = settings.OFFICER_SLA_TARGET_DAYS
    return days


def age_days(submitted_at: datetime | None, *, today: date) -> int | None:
    """Whole days since submission, on the office's calendar; None for a case never submitted."""
    if submitted_at is None:
        return None
    return (today - timezone.localdate(submitted_at)).days


def sla_state(*, is_open: bool, age: int | None) -> str:
    """``ok``, ``target`` (past the internal target), ``legal`` (past 90 days) or ``done``."""
    if not is_open or age is None:
        return "done"
    if age > LEGAL_DECISION_DAYS:
        return "legal"
    if age > sla_target_days():
        return "target"
    return "ok"
