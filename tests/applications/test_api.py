"""``GET /api/eligibility/``: the JSON face of the rule engine (README, RULES.md worked example)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from rules.forms import EligibilityApiForm

pytestmark = pytest.mark.django_db

URL = reverse("eligibility-api")

# The README's list of what every 200 answer carries.
RESPONSE_KEYS = {
    "eligible",
    "concession_applies",
    "policy_version",
    "standard_end",
    "maximum_end",
    "programme_end",
    "permit_start",
    "permit_end",
    "passport_required_until",
    "passport_ok",
    "max_permit_end_by_passport",
    "reasons",
    "warnings",
}
DATE_KEYS = {
    "standard_end",
    "maximum_end",
    "programme_end",
    "permit_start",
    "permit_end",
    "passport_required_until",
}

WORKED_EXAMPLE = {
    "level": "bachelor",
    "programme_start": "2024-09-16",
    "on": "2024-10-01",
    "passport_expiry": "2029-01-01",
}


def get(client: Client, language: str | None = "en", **params: object):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.get(URL, params, **headers)


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}
    return body["errors"]


class TestWorkedExample:
    def test_passport_valid_until_2029_qualifies(self, client):
        response = get(client, **WORKED_EXAMPLE)

        assert response.status_code == 200
        body = response.json()
        assert body["eligible"] is True
        assert body["concession_applies"] is True
        assert body["passport_ok"] is True
        assert body["policy_version"] == 1
        assert body["standard_end"] == "2028-09-15"
        assert body["programme_end"] == "2028-09-15"
        assert body["permit_start"] == "2024-10-01"
        assert body["permit_end"] == "2028-09-15"
        assert body["passport_required_until"] == "2028-11-14"
        assert body["max_permit_end_by_passport"] is None
        assert body["reasons"] == []
        assert body["warnings"] == []

    def test_passport_expiring_mid_2028_is_too_short(self, client):
        response = get(client, **{**WORKED_EXAMPLE, "passport_expiry": "2028-06-30"})

        assert response.status_code == 200
        body = response.json()
        assert body["eligible"] is False
        assert body["concession_applies"] is True
        assert body["passport_ok"] is False
        assert body["permit_end"] == "2028-09-15"
        assert body["passport_required_until"] == "2028-11-14"
        assert body["max_permit_end_by_passport"] == "2028-05-01"
        assert [reason["code"] for reason in body["reasons"]] == ["passport_too_short"]
        # The student is told the date to renew for and the fallback end, not only a code.
        assert "14 Nov 2028" in body["reasons"][0]["message"]
        assert "1 May 2028" in body["reasons"][0]["message"]

    def test_passport_valid_exactly_until_the_required_date_is_enough(self, client):
        body = get(client, **{**WORKED_EXAMPLE, "passport_expiry": "2028-11-14"}).json()
        assert body["passport_ok"] is True
        assert body["eligible"] is True

        body = get(client, **{**WORKED_EXAMPLE, "passport_expiry": "2028-11-13"}).json()
        assert body["passport_ok"] is False

    def test_every_documented_key_is_present_and_dates_are_iso(self, client):
        body = get(client, **{**WORKED_EXAMPLE, "passport_expiry": "2028-06-30"}).json()

        assert set(body) >= RESPONSE_KEYS
        for key in [*DATE_KEYS, "max_permit_end_by_passport"]:
            assert date.fromisoformat(body[key]).isoformat() == body[key], key
        for finding in body["reasons"]:
            assert set(finding) == {"code", "message"}


class TestDefaults:
    def test_on_defaults_to_todays_date_in_turkiye(self, client):
        # 22:30 UTC on 30 September is already 1 October in Istanbul (UTC+3).
        with time_machine.travel(datetime(2024, 9, 30, 22, 30, tzinfo=UTC), tick=False):
            params = {k: v for k, v in WORKED_EXAMPLE.items() if k != "on"}
            body = get(client, **params).json()

        assert body["permit_start"] == "2024-10-01"
        assert body["passport_required_until"] == "2028-11-14"

    def test_empty_on_also_means_today(self, client):
        with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False):
            body = get(client, **{**WORKED_EXAMPLE, "on": ""}).json()
        assert body["permit_start"] == "2025-03-03"

    @pytest.mark.parametrize("field", [None, ""])
    def test_field_defaults_to_general(self, client, field):
        params = dict(WORKED_EXAMPLE)
        if field is not None:
            params["field"] = field
        body = get(client, **params).json()
        # Four standard years: the general bachelor's length, not medicine's six.
        assert body["standard_end"] == "2028-09-15"
        assert body["maximum_end"] == "2031-09-15"

    def test_field_changes_the_programme_length(self, client):
        body = get(client, **{**WORKED_EXAMPLE, "field": "medicine"}).json()
        assert body["standard_end"] == "2030-09-15"
        assert body["maximum_end"] == "2033-09-15"
        assert [r["code"] for r in body["reasons"]] == ["passport_too_short"]

    @pytest.mark.parametrize(
        ("value", "standard_end"),
        [
            ("true", "2029-09-15"),
            ("1", "2029-09-15"),
            ("TRUE", "2029-09-15"),
            ("false", "2028-09-15"),
            ("0", "2028-09-15"),
            ("", "2028-09-15"),
        ],
    )
    def test_prep_year_adds_one_year(self, client, value, standard_end):
        body = get(client, **{**WORKED_EXAMPLE, "prep_year": value}).json()
        assert body["standard_end"] == standard_end

    def test_entry_date_more_than_90_days_before_warns_but_does_not_block(self, client):
        body = get(client, **{**WORKED_EXAMPLE, "entry_date": "2024-06-30"}).json()
        assert body["eligible"] is True
        assert [w["code"] for w in body["warnings"]] == ["legal_stay_exceeded"]

        body = get(client, **{**WORKED_EXAMPLE, "entry_date": "2024-07-03"}).json()
        assert body["warnings"] == []


class TestBadInput:
    @pytest.mark.parametrize(
        ("override", "param"),
        [
            ({"level": "diploma"}, "level"),
            ({"field": "law"}, "field"),
            ({"programme_start": "16.09.2024"}, "programme_start"),
            ({"programme_start": "2024-02-30"}, "programme_start"),
            ({"passport_expiry": "2029-13-01"}, "passport_expiry"),
            ({"passport_expiry": "9999-12-31"}, "passport_expiry"),
            ({"programme_start": "0001-01-01"}, "programme_start"),
            ({"programme_end": "9999-12-31"}, "programme_end"),
            ({"entry_date": "1900-01-01"}, "entry_date"),
            ({"on": "9999-12-31"}, "on"),
            ({"on": "tomorrow"}, "on"),
            ({"programme_end": "2024-09-16"}, "programme_end"),
            ({"programme_end": "2024-09-15"}, "programme_end"),
            ({"prep_year": "maybe"}, "prep_year"),
            ({"prep_year": "yes"}, "prep_year"),
            ({"entry_date": "2024-10-02"}, "entry_date"),
            # Policy version 1 came into force on 2024-06-07, the agreement's signature.
            ({"on": "2024-06-06"}, "on"),
        ],
    )
    def test_rejected_with_the_parameter_named(self, client, override, param):
        errors = errors_of(get(client, **{**WORKED_EXAMPLE, **override}))

        assert list(errors) == [param]
        assert len(errors[param]) >= 1
        assert all(isinstance(message, str) and message for message in errors[param])

    @pytest.mark.parametrize("missing", ["level", "programme_start", "passport_expiry"])
    def test_each_required_parameter(self, client, missing):
        params = {k: v for k, v in WORKED_EXAMPLE.items() if k != missing}
        errors = errors_of(get(client, **params))
        assert errors == {missing: ["This field is required."]}

    def test_all_problems_are_reported_at_once(self, client):
        errors = errors_of(get(client, level="x", programme_start="y", prep_year="z"))
        assert set(errors) == {"level", "programme_start", "passport_expiry", "prep_year"}

    def test_date_messages_show_the_expected_format_and_range(self, client):
        errors = errors_of(get(client, **{**WORKED_EXAMPLE, "programme_start": "2024-02-30"}))
        assert "YYYY-MM-DD" in errors["programme_start"][0]

        errors = errors_of(get(client, **{**WORKED_EXAMPLE, "passport_expiry": "9999-12-31"}))
        assert "1950-01-01" in errors["passport_expiry"][0]
        assert "2150-12-31" in errors["passport_expiry"][0]

    def test_no_policy_in_force_names_the_date(self, client):
        errors = errors_of(get(client, **{**WORKED_EXAMPLE, "on": "2024-06-06"}))
        assert "2024-06-06" in errors["on"][0]

    def test_the_first_day_of_policy_1_is_accepted(self, client):
        response = get(client, **{**WORKED_EXAMPLE, "on": "2024-06-07"})
        assert response.status_code == 200
        assert response.json()["policy_version"] == 1

    def test_only_get_is_allowed(self, client):
        assert client.post(URL, WORKED_EXAMPLE).status_code == 405


class TestLanguage:
    def test_english_when_asked_for(self, client):
        response = get(client, language="en", programme_start="2024-09-16")

        assert response["Content-Language"] == "en"
        assert errors_of(response)["level"] == ["This field is required."]

    def test_azerbaijani_by_default(self, client):
        response = get(client, language=None, programme_start="2024-09-16")

        assert response["Content-Language"] == "az"
        with translation.override("az"):
            expected = str(forms.Field.default_error_messages["required"])
        assert expected != "This field is required."
        assert errors_of(response)["level"] == [expected]

    def test_the_portals_own_messages_are_translated(self, client):
        en = errors_of(get(client, language="en", **{**WORKED_EXAMPLE, "prep_year": "maybe"}))
        az = errors_of(get(client, language=None, **{**WORKED_EXAMPLE, "prep_year": "maybe"}))

        assert en == {"prep_year": ["Use true or false."]}
        with translation.override("az"):
            expected = str(EligibilityApiForm.base_fields["prep_year"].error_messages["invalid"])
        assert expected != "Use true or false."
        assert az == {"prep_year": [expected]}

    def test_non_ascii_messages_are_sent_as_utf8_text(self, client):
        response = get(client, language=None, programme_start="2024-09-16")
        # ensure_ascii=False: the Azerbaijani letters travel as UTF-8, not as \\u escapes.
        assert "\\u" not in response.content.decode()


# --- Whatever arrives in the query string, the answer is 200 or 400, never a server error. ---

PARAMS = (
    "level",
    "field",
    "programme_start",
    "programme_end",
    "prep_year",
    "passport_expiry",
    "entry_date",
    "on",
)
text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)),  # surrogates cannot travel in a URL
    max_size=20,
)
any_date = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
plausible_date = st.dates(min_value=date(1949, 6, 1), max_value=date(2151, 6, 30)).map(
    date.isoformat
)
plausible = {
    "level": st.sampled_from(["associate", "bachelor", "master", "doctoral"]),
    "field": st.sampled_from(["general", "medicine", "dentistry", "pharmacy", "veterinary"]),
    "prep_year": st.sampled_from(["true", "false", "1", "0"]),
}
query = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(text, any_date, plausible_date, plausible.get(name, plausible_date))
        for name in PARAMS
    },
)


@hyp_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=query)
@pytest.mark.parametrize("url_name", ["eligibility-api", "eligibility"])
def test_arbitrary_input_never_causes_a_server_error(client, settings, url_name, params):
    # Hundreds of requests from one address in one frozen minute: the API's rate limit would
    # answer 429 (it is measured in tests/accounts/test_throttling.py).
    settings.ELIGIBILITY_API_RATE_PER_MINUTE = 100_000
    # The client only sends GETs, so sharing it between examples carries no state over.
    with time_machine.travel(datetime(2024, 10, 1, 12, 0, tzinfo=UTC), tick=False):
        response = client.get(reverse(url_name), params)

    assert response.status_code in (200, 400), (params, response.content[:500])
    if url_name == "eligibility-api":
        body = response.json()
        if response.status_code == 200:
            assert set(body) >= RESPONSE_KEYS
        else:
            assert body["errors"]
            assert all(
                isinstance(m, str) and m for messages in body["errors"].values() for m in messages
            )


def test_query_string_with_unusual_encoding_is_handled(client):
    # A raw query string (repeated keys, stray separators) is parsed, never crashes.
    raw = urlencode([("level", "bachelor"), ("level", "master")]) + "&&=&programme_start"
    response = client.get(f"{URL}?{raw}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"programme_start", "passport_expiry"}


def test_dates_at_the_edges_of_the_accepted_range_are_evaluated(client):
    # The latest accepted start plus the longest length must not overflow the date arithmetic.
    response = get(
        client,
        level="bachelor",
        field="medicine",
        prep_year="true",
        programme_start="2150-12-31",
        passport_expiry="2150-12-31",
        on="2150-12-31",
    )
    assert response.status_code == 200
    assert response.json()["maximum_end"] == (date(2160, 12, 31) - timedelta(days=1)).isoformat()
