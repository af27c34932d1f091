"""Selecting the policy version in force and turning it into the rule engine's input."""

from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from . import eligibility
from .models import PolicyVersion, ProgrammeLength

# Every evaluation needs the versions; they change a few times a year. The cache is dropped
# when a version or one of its lengths changes (everywhere when CACHE_URL is Redis); the
# timeout bounds how long another process with an in-memory cache can lag behind.
VERSIONS_CACHE_KEY = "policy-versions"
VERSIONS_CACHE_SECONDS = 300


class NoPolicyInForce(LookupError):
    """No policy version is in force on the requested date."""

    def __init__(self, on: date) -> None:
        super().__init__(_("No permit policy is in force on %(date)s.") % {"date": on.isoformat()})
        self.on = on


def _versions_newest_first() -> list[PolicyVersion]:
    versions: list[PolicyVersion] | None = cache.get(VERSIONS_CACHE_KEY)
    if versions is None:
        versions = list(
            PolicyVersion.objects.prefetch_related("lengths").order_by("-effective_from")
        )
        cache.set(VERSIONS_CACHE_KEY, versions, VERSIONS_CACHE_SECONDS)
    return versions


@receiver([post_save, post_delete], sender=PolicyVersion)
@receiver([post_save, post_delete], sender=ProgrammeLength)
def _forget_versions(**kwargs: Any) -> None:
    cache.delete(VERSIONS_CACHE_KEY)
    # Again after the commit: a reader between the save and the commit may have cached the
    # old rows.
    transaction.on_commit(lambda: cache.delete(VERSIONS_CACHE_KEY))


def policy_version_in_force(*, on: date) -> PolicyVersion:
    for version in _versions_newest_first():
        if version.effective_from <= on:
            return version
    raise NoPolicyInForce(on)


def policy_from_version(version: PolicyVersion) -> eligibility.Policy:
    return eligibility.Policy(
        version=version.number,
        covered_levels=frozenset(version.covered_levels),
        lengths={
            (row.level, row.field): eligibility.ProgrammeLength(
                standard_years=row.standard_years, maximum_years=row.maximum_years
            )
            for row in version.lengths.all()
        },
        prep_year_years=version.prep_year_years,
        passport_margin_days=version.passport_margin_days,
        legal_stay_days=version.legal_stay_days,
    )


def eligibility_evaluate(
    *, inputs: eligibility.EligibilityInput
) -> tuple[eligibility.Outcome, PolicyVersion]:
    """Evaluate ``inputs`` under the version in force on ``inputs.on``."""
    version = policy_version_in_force(on=inputs.on)
    return eligibility.evaluate(inputs, policy_from_version(version)), version
