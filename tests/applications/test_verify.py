"""Public permit verification: what the page shows (and never shows), states, 404, rate limit."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from permits.models import Permit
from permits.views import mask_name, normalise_code
from tests.applications.test_letters import approved_permit

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
# The worked example's decision date (RULES.md); permit_bounds gives 2024-10-01 … 2028-09-15.
DECIDED = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limit counts in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def clock():
    """Frozen at the decision date; tests move it with ``clock.move_to`` / ``clock.shift``."""
    with time_machine.travel(DECIDED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def english(client):
    """Dates and words in English (the portal's default language is Azerbaijani)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def permit() -> Permit:
    return approved_permit(surname="Məmmədova", given_names="Gülşən Aygün")


def verify_url(code: str) -> str:
    return f"/verify/{quote(code)}/"


def test_mask_keeps_only_the_initials_with_a_fixed_run_of_asterisks():
    assert mask_name("Gülşən Məmmədova") == "G**** M****"
    assert mask_name("Əli  Məmmədov") == "Ə**** M****"
    assert mask_name("Gülşən Aygün Məmmədova") == "G**** A**** M****"


def test_code_normalisation_ignores_case_spaces_and_hyphens():
    assert normalise_code("  ab2c-d3ef g4h ") == "AB2CD3EFG4H"
    assert normalise_code("") == ""


def test_valid_permit_shows_validity_dates_and_masked_name(english, permit):
    assert (permit.valid_from.isoformat(), permit.valid_to.isoformat()) == (
        "2024-10-01",
        "2028-09-15",
    )

    response = english.get(verify_url(permit.verification_code))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-state="valid"' in content
    assert "valid today" in content
    assert "1 Oct 2024" in content
    assert "15 Sep 2028" in content
    assert "G**** A**** M****" in content


def test_valid_permit_page_shows_no_other_personal_data(english, permit):
    application = permit.application

    content = english.get(verify_url(permit.verification_code)).content.decode()

    for name_part in ("Gülşən", "Aygün", "Məmmədova", application.full_name):
        assert name_part not in content
    assert application.fin not in content
    assert application.passport_number not in content
    assert application.university.name not in content
    assert application.place_of_birth not in content
    assert application.student_number not in content
    assert application.contact_email not in content
    for birth_date in ("14 Mar 2005", "2005-03-14", "14.03.2005"):
        assert birth_date not in content
    # Nothing beyond the promise: not the permit number, which contains the reference.
    assert permit.number not in content
    assert application.reference not in content


@pytest.mark.parametrize(
    "variant",
    [
        lambda code: code.lower(),
        lambda code: f"{code[:4]}-{code[4:8]}-{code[8:]}",
        lambda code: f" {code[:5]} {code[5:].lower()} ",
        lambda code: f"{code[:3]} - {code[3:]}".lower(),
    ],
)
def test_code_in_the_address_is_case_space_and_hyphen_insensitive(english, permit, variant):
    response = english.get(verify_url(variant(permit.verification_code)))

    assert response.status_code == 200
    assert "G**** A**** M****" in response.content.decode()


def test_not_yet_valid_is_stated_plainly(english, permit, clock):
    clock.move_to(datetime(2024, 9, 30, 23, 30, tzinfo=ISTANBUL))

    response = english.get(verify_url(permit.verification_code))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-state="not_yet_valid"' in content
    assert "Not yet valid" in content
    assert "valid today" not in content


def test_last_day_in_turkiye_is_still_valid(english, permit, clock):
    # 23:30 in Istanbul on the last day is already the next day in UTC.
    clock.move_to(datetime(2028, 9, 15, 23, 30, tzinfo=ISTANBUL))

    response = english.get(verify_url(permit.verification_code))

    assert 'data-state="valid"' in response.content.decode()


def test_expired_is_stated_plainly(english, permit, clock):
    clock.move_to(datetime(2028, 9, 16, 0, 30, tzinfo=ISTANBUL))

    response = english.get(verify_url(permit.verification_code))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-state="expired"' in content
    assert "Expired" in content
    assert "valid today" not in content
    assert "15 Sep 2028" in content


@pytest.mark.parametrize(
    "code",
    [
        "ABCDEFGHJK",  # well formed, never issued
        "A0I1O",  # impossible characters, wrong length
        "x" * 200,
    ],
)
def test_unknown_code_is_a_plain_404(english, permit, code):
    assert permit.verification_code != code

    response = english.get(verify_url(code))

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert "Page not found" in content
    assert "data-state" not in content
    assert permit.number not in content


def _page_without_address_and_token(response, code: str) -> str:
    # The language switcher echoes the address in "next", and every page has a fresh CSRF token.
    content = response.content.decode().replace(code, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content)


def test_the_same_404_page_whatever_the_code_looks_like(english, permit):
    well_formed = english.get(verify_url("ABCDEFGHJK"))
    malformed = english.get(verify_url("zz"))

    assert well_formed.status_code == malformed.status_code == 404
    assert _page_without_address_and_token(
        well_formed, "ABCDEFGHJK"
    ) == _page_without_address_and_token(malformed, "zz")


def test_every_unknown_page_gets_the_friendly_404(english):
    response = english.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert "Page not found" in response.content.decode()


def test_form_redirects_to_the_normalised_code(english, permit):
    typed = f" {permit.verification_code[:5].lower()}-{permit.verification_code[5:]} "

    response = english.get("/verify/", {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{permit.verification_code}/"
    assert english.get(response["Location"]).status_code == 200


def test_form_without_a_code_is_shown_empty(english):
    response = english.get("/verify/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="code"' in content
    assert "There is a problem" not in content


@pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFGHJ0", "ABCDEFGHJKL"])
def test_form_rejects_a_code_that_cannot_exist(english, typed):
    response = english.get("/verify/", {"code": typed})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_only_get_is_allowed(english, permit):
    assert english.post("/verify/", {"code": permit.verification_code}).status_code == 405
    assert english.post(verify_url(permit.verification_code)).status_code == 405


@pytest.mark.parametrize("path", ["/verify/", "/verify/?code=nonsense", "/verify/ABCDEFGHJK/"])
def test_every_verification_response_is_uncached_and_unindexed(english, path):
    response = english.get(path)

    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_permit_page_headers(english, permit):
    response = english.get(verify_url(permit.verification_code))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_redirect_headers(english, permit):
    response = english.get("/verify/", {"code": permit.verification_code})

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_rate_limit_counts_both_pages_per_address_and_resets_next_minute(
    english, permit, settings, clock
):
    settings.VERIFY_RATE_PER_MINUTE = 20
    code_url = verify_url(permit.verification_code)
    for i in range(20):
        # Both pages, known and unknown codes: one counter.
        path = ("/verify/", code_url, "/verify/ABCDEFGHJK/")[i % 3]
        assert english.get(path).status_code in (200, 404), i

    limited = english.get(code_url)

    assert limited.status_code == 429
    content = limited.content.decode()
    assert "try again in a minute" in content
    assert permit.number not in content
    assert "no-store" in limited["Cache-Control"]
    assert limited["X-Robots-Tag"] == "noindex"
    assert limited["Retry-After"] == "60"
    assert english.get("/verify/").status_code == 429
    # Another address has its own counter; a forged X-Forwarded-For is not another address.
    assert english.get(code_url, REMOTE_ADDR="192.0.2.44").status_code == 200
    assert english.get(code_url, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429

    clock.shift(timedelta(seconds=60))

    assert english.get(code_url).status_code == 200


def test_rate_limit_window_is_the_clock_minute(english, settings, clock):
    settings.VERIFY_RATE_PER_MINUTE = 3
    clock.move_to(DECIDED + timedelta(seconds=59))
    for _ in range(3):
        assert english.get("/verify/").status_code == 200
    assert english.get("/verify/").status_code == 429

    clock.move_to(DECIDED + timedelta(seconds=60))

    assert english.get("/verify/").status_code == 200


def test_permit_of_an_application_no_longer_approved_is_not_valid(english, permit):
    # Status is only ever changed by the workflow; no transition leaves "approved" today, so the
    # state is forced here to pin what the page would say.
    type(permit.application).objects.filter(pk=permit.application.pk).update(status="withdrawn")

    content = english.get(verify_url(permit.verification_code)).content.decode()

    assert 'data-state="not_valid"' in content
    assert "valid today" not in content


def test_the_status_a_permit_stands_on_is_the_approved_one():
    # permits cannot import the applications app; the value they share is pinned here.
    from applications.models import OPEN_STATUSES, Status
    from permits.models import GRANTED, PENDING

    assert Status(GRANTED) == Status.APPROVED
    assert set(PENDING) == set(OPEN_STATUSES)
