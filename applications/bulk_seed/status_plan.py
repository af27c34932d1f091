"""How many applications of each status a run makes: exact counts, so the tests can check them."""

from __future__ import annotations

import random

from applications.models import Status

# Shares of each status; the counts are exact (see ``status_plan``).
STATUS_MIX: tuple[tuple[str, float], ...] = (
    (Status.DRAFT, 0.08),
    (Status.SUBMITTED, 0.10),
    (Status.UNDER_REVIEW, 0.09),
    (Status.INFO_REQUESTED, 0.03),
    (Status.APPROVED, 0.55),
    (Status.REJECTED, 0.08),
    (Status.WITHDRAWN, 0.07),
)
OPEN = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
FINAL = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)
# A decided or withdrawn application belongs to a student who applied before this often.
RETURNING_STUDENT_SHARE = 0.2


def status_plan(total: int, *, rng: random.Random) -> list[str]:
    """Exactly ``round(share × total)`` of each status (the rest approved), shuffled."""
    counts = {status: int(share * total) for status, share in STATUS_MIX}
    counts[Status.APPROVED] += total - sum(counts.values())
    plan = [status for status, count in counts.items() for _ in range(count)]
    rng.shuffle(plan)
    return plan


def expected_counts(total: int) -> dict[str, int]:
    """The number of applications per status that ``seed_bulk --applications total`` creates."""
    counts = {str(status): int(share * total) for status, share in STATUS_MIX}
    counts[Status.APPROVED.value] += total - sum(counts.values())
    return counts
