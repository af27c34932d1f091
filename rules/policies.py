"""Selecting the policy version in force and turning it into the rule engine's input."""

from datetime import date

from django.utils.translation import gettext as _

from core.reference_cache import cached, forget_when_changed

from . import eligibility
from .models import PolicyVersion, ProgrammeLength

# Every evaluation needs the versions; they change a few times a year (core.reference_cache).
VERSIONS_CACHE_KEY = "policy-versions"


class NoPolicyInForce(LookupError):
    """No policy version is in force on the requested date."""

    def __init__(self, on: date) -> None:
        super().__init__(_("No permit policy is in force on %(date)s.") % {"date": on.isoformat()})
        self.on = on


def _versions_newest_first() -> list[PolicyVersion]:
    return cached(
        VERSIONS_CACHE_KEY,
        lambda: list(PolicyVersion.objects.prefetch_related("lengths").order_by("-effective_from")),
    )


forget_when_changed(VERSIONS_CACHE_KEY, PolicyVersion, ProgrammeLength)


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
