"""Application reference numbers: ``AZTR-<year>-<6 digits>``, one sequence per year.

Allocation is race-free without relying on database-specific sequences: the counter row is
incremented with a single UPDATE, which holds the row lock until the surrounding transaction
commits, so two transactions can never read the same value. A rolled-back transaction gives
its number back, so references have no gaps caused by failed submissions.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import ReferenceCounter

REFERENCE_PREFIX = "AZTR"
REFERENCE_RE = re.compile(r"^AZTR-(?P<year>\d{4})-(?P<number>\d{6})$")
MAX_PER_YEAR = 999_999


class ReferencesExhausted(RuntimeError):
    """A year's six-digit range is used up; the format itself would have to change."""


def format_reference(*, year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"


@transaction.atomic
def reference_allocate(*, year: int) -> str:
    """Return the next unused reference for ``year``; call it inside the submitting transaction."""
    if not ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1):
        try:
            # First reference of the year; a concurrent first one makes this insert fail.
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year, last=1)
        except IntegrityError:
            ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = ReferenceCounter.objects.values_list("last", flat=True).get(year=year)
    if number > MAX_PER_YEAR:
        raise ReferencesExhausted(f"No references left for {year}.")
    return format_reference(year=year, number=number)
