"""Policy versions: the rules in force on a date decide, and a new version needs no release."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from rules.eligibility import EligibilityInput
from rules.models import PolicyVersion, ProgrammeLength
from rules.policies import (
    NoPolicyInForce,
    eligibility_evaluate,
    policy_from_version,
    policy_version_in_force,
)

pytestmark = pytest.mark.django_db

V1_FROM = date(2024, 6, 7)
V2_FROM = date(2025, 9, 1)


@pytest.fixture
def version_2() -> PolicyVersion:
    """A stricter margin from 2025-09-01; the programme lengths are copied from version 1."""
    v1 = PolicyVersion.objects.get(number=1)
    v2 = PolicyVersion.objects.create(
        number=2,
        title="Published agreement text: 90-day passport margin",
        effective_from=V2_FROM,
        covered_levels=v1.covered_levels,
        prep_year_years=v1.prep_year_years,
        passport_margin_days=90,
        legal_stay_days=v1.legal_stay_days,
        decision_days=v1.decision_days,
        info_request_days=v1.info_request_days,
    )
    ProgrammeLength.objects.bulk_create(
        ProgrammeLength(
            policy=v2,
            level=row.level,
            field=row.field,
            standard_years=row.standard_years,
            maximum_years=row.maximum_years,
        )
        for row in v1.lengths.all()
    )
    return v2


def check(client, on: str) -> dict:
    response = client.get(
        reverse("eligibility-api"),
        {
            "level": "master",
            "programme_start": "2025-09-15",
            "passport_expiry": "2027-11-20",
            "on": on,
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_version_1_from_the_migration():
    v1 = policy_version_in_force(on=V1_FROM)

    assert v1.number == 1
    policy = policy_from_version(v1)
    assert policy.covered_levels == frozenset({"bachelor", "master", "doctoral"})
    assert policy.passport_margin_days == 60
    assert policy.legal_stay_days == 90
    assert policy.prep_year_years == 1
    assert policy.lengths[("bachelor", "general")].standard_years == 4
    assert policy.lengths[("bachelor", "medicine")].maximum_years == 9
    assert policy.lengths[("doctoral", "any")].standard_years == 4


def test_nothing_is_in_force_before_the_agreement():
    with pytest.raises(NoPolicyInForce) as excinfo:
        policy_version_in_force(on=date(2024, 6, 6))

    assert excinfo.value.on == date(2024, 6, 6)
    assert "2024-06-06" in str(excinfo.value)


def test_the_api_uses_the_version_in_force_on_the_evaluation_date(client, version_2):
    # Master's from 2025-09-15: two standard years end on 2027-09-14.
    before = check(client, on="2025-08-31")
    assert before["policy_version"] == 1
    assert before["permit_end"] == "2027-09-14"
    assert before["passport_required_until"] == "2027-11-13"  # + 60 days
    assert before["passport_ok"] is True

    after = check(client, on="2025-09-01")
    assert after["policy_version"] == 2
    assert after["passport_required_until"] == "2027-12-13"  # + 90 days
    # The same passport no longer suffices, and the fallback uses the new margin too.
    assert after["passport_ok"] is False
    assert after["max_permit_end_by_passport"] == "2027-08-22"  # 2027-11-20 - 90 days


def test_a_later_version_does_not_change_earlier_evaluations(version_2):
    inputs = EligibilityInput(
        level="bachelor",
        field="general",
        programme_start=date(2024, 9, 16),
        passport_expiry=date(2029, 1, 1),
        on=date(2024, 10, 1),
    )
    outcome, version = eligibility_evaluate(inputs=inputs)

    assert version.number == 1
    assert outcome.policy_version == 1
    assert outcome.passport_required_until == date(2028, 11, 14)


def test_a_version_without_lengths_for_a_level_is_a_clear_400(client):
    v2 = PolicyVersion.objects.create(
        number=2,
        title="Incomplete draft",
        effective_from=V2_FROM,
        covered_levels=["bachelor"],
    )
    ProgrammeLength.objects.create(
        policy=v2, level="bachelor", field="general", standard_years=4, maximum_years=7
    )

    response = client.get(
        reverse("eligibility-api"),
        {
            "level": "master",
            "programme_start": "2025-09-15",
            "passport_expiry": "2030-01-01",
            "on": "2025-09-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Policy version 2" in response.json()["errors"]["level"][0]
