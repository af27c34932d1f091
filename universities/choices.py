"""The universities and provinces as ``(id, name)`` choices, for the forms that list them all.

The officers' queue offers both in its filter form on every view; reading and building 284
model instances took more of that page than its own rows (BENCHMARKS.md). The lists are kept
in the cache and dropped when a row changes (``core.reference_cache``).
"""

from __future__ import annotations

from core.reference_cache import cached, forget_when_changed

from .models import Province, University

UNIVERSITY_CHOICES_KEY = "university-choices"
PROVINCE_CHOICES_KEY = "province-choices"


def university_choices() -> list[tuple[int, str]]:
    return cached(
        UNIVERSITY_CHOICES_KEY,
        lambda: list(University.objects.order_by("name", "pk").values_list("pk", "name")),
    )


def province_choices() -> list[tuple[int, str]]:
    return cached(
        PROVINCE_CHOICES_KEY,
        lambda: list(Province.objects.order_by("name", "pk").values_list("pk", "name")),
    )


forget_when_changed(UNIVERSITY_CHOICES_KEY, University)
forget_when_changed(PROVINCE_CHOICES_KEY, Province)
