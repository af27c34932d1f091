"""Throttling, measured: how many requests each limited page takes before it refuses the next.

allauth counts sign-in, sign-up and password-reset requests per address and per account in the
cache (``ACCOUNT_RATE_LIMITS``); the portal's own limiter (``applications/ratelimit.py``) counts
the public verification page and the eligibility API per address and minute. The numbers come
from the settings, so these tests measure what is deployed. Every test runs under a frozen
clock, so no window ends half-way through.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
START = datetime(2026, 3, 2, 9, 0, 5, tzinfo=ISTANBUL)
LOGIN = reverse("account_login")
LOCKED = "signing in is locked for up to 15 minutes"
RESET_LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^/\s]+/)")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def allowed(action: str, per: str) -> int:
    """The number of requests ``ACCOUNT_RATE_LIMITS[action]`` allows ``per`` ip/key/user."""
    for rate in settings.ACCOUNT_RATE_LIMITS[action].split(","):
        amount, _period, rate_per = rate.strip().split("/")
        if rate_per == per:
            return int(amount)
    raise LookupError(f"no {per} limit for {action}")


def sign_in(client: Client, email: str, password: str = DEMO_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def signed_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


# --- repeated failed sign-ins lock the account ------------------------------------------------


def test_the_sixth_failed_sign_in_is_refused_even_with_the_right_password(client_for, clock):
    assert (settings.LOGIN_LOCKOUT_FAILURES, settings.LOGIN_LOCKOUT_MINUTES) == (5, 15)
    user = UserFactory()
    client = client_for()

    for _ in range(5):
        failed = sign_in(client, user.email, "not-the-password")
        assert failed.status_code == 200
        assert LOCKED not in failed.content.decode()
    refused = sign_in(client, user.email)

    assert refused.status_code == 200
    assert LOCKED in refused.content.decode()
    assert signed_in_user(client) is None
    # Locked for the period, from any address...
    clock.shift(timedelta(minutes=14, seconds=59))
    elsewhere = Client(headers={"accept-language": "en"}, REMOTE_ADDR="198.51.100.7")
    assert LOCKED in sign_in(elsewhere, user.email).content.decode()
    assert signed_in_user(elsewhere) is None
    # ...and open again after it.
    clock.shift(timedelta(seconds=2))
    assert sign_in(client, user.email).status_code == 302
    assert signed_in_user(client) == user.pk


def test_a_password_reset_unlocks_the_account(client_for, clock):
    user = UserFactory()
    client = client_for()
    for _ in range(5):
        sign_in(client, user.email, "not-the-password")
    assert LOCKED in sign_in(client, user.email).content.decode()

    client.post(reverse("account_reset_password"), {"email": user.email})
    link = RESET_LINK_RE.search(mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    new_password = "Silver-Lake-4826"
    client.post(form.wsgi_request.path, {"password1": new_password, "password2": new_password})

    assert sign_in(client, user.email, new_password).status_code == 302
    assert signed_in_user(client) == user.pk


def test_the_lock_is_per_account(client_for, clock):
    locked, other = UserFactory(), UserFactory()
    client = client_for()
    for _ in range(5):
        sign_in(client, locked.email, "not-the-password")

    assert sign_in(client, other.email).status_code == 302
    assert signed_in_user(client) == other.pk


def test_a_successful_sign_in_does_not_count_as_a_failure(client_for, clock):
    user = UserFactory()
    for _ in range(4):
        sign_in(client_for(), user.email, "not-the-password")
    for _ in range(3):
        client = client_for()
        assert sign_in(client, user.email).status_code == 302


def test_failures_from_one_address_are_limited_across_accounts(client_for, clock):
    """Trying one password on many accounts: an address gets 10 failures a minute."""
    per_minute = allowed("login_failed", "ip")
    client = client_for()
    users = UserFactory.create_batch(per_minute + 1)
    for user in users[:per_minute]:
        assert "too many" not in sign_in(client, user.email, "x" * 12).content.decode().lower()

    assert LOCKED in sign_in(client, users[-1].email).content.decode()
    clock.shift(timedelta(minutes=1))
    assert sign_in(client, users[-1].email).status_code == 302


# --- the pages allauth limits --------------------------------------------------------------------


def test_sign_in_requests_are_limited_per_address(client_for, clock):
    client = client_for()
    limit = allowed("login", "ip")
    for _ in range(limit):
        assert client.post(LOGIN, {}).status_code == 200

    refused = client.post(LOGIN, {})

    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert refused.templates[0].name == "429.html"
    clock.shift(timedelta(minutes=1))
    assert client.post(LOGIN, {}).status_code == 200


def test_sign_up_is_limited_per_address(client_for, clock):
    client = client_for()
    url = reverse("account_signup")
    for _ in range(allowed("signup", "ip")):
        assert client.post(url, {"email": "not-an-address"}).status_code == 200

    assert client.post(url, {"email": "not-an-address"}).status_code == 429


def test_password_reset_emails_are_limited_per_account(client_for, clock):
    client = client_for()
    url = reverse("account_reset_password")
    user = UserFactory()
    per_account = allowed("reset_password", "key")
    for _ in range(per_account):
        assert client.post(url, {"email": user.email}).status_code == 302

    assert client.post(url, {"email": user.email}).status_code == 429
    assert len(mail.outbox) == per_account
    clock.shift(timedelta(hours=1))
    assert client.post(url, {"email": user.email}).status_code == 302


def test_password_reset_is_limited_per_address(client_for, clock):
    client = client_for()
    url = reverse("account_reset_password")
    for n in range(allowed("reset_password", "ip")):
        assert client.post(url, {"email": f"someone{n}@example.com"}).status_code == 302

    assert client.post(url, {"email": "one.more@example.com"}).status_code == 429


def test_setting_a_new_password_from_a_link_is_limited_per_address(client_for, clock):
    client = client_for()
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "bad-key"})
    for _ in range(allowed("reset_password_from_key", "ip")):
        assert client.post(url, {}).status_code == 200

    assert client.post(url, {}).status_code == 429


def test_verification_emails_are_sent_at_most_every_3_minutes(client_for, clock):
    user = UserFactory(verified=False)
    client = client_for()

    for _ in range(3):
        sign_in(client, user.email)
    assert len(mail.outbox) == 1
    clock.shift(timedelta(minutes=3))
    sign_in(client, user.email)
    assert len(mail.outbox) == 2


# --- the portal's own limiter --------------------------------------------------------------------


def test_the_verification_page_is_limited_per_address(client_for, clock):
    client = client_for()
    for _ in range(settings.VERIFY_RATE_PER_MINUTE):
        assert client.get(reverse("permit-verify-form")).status_code == 200

    refused = client.get(reverse("permit-verify-form"))

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.get(reverse("permit-verify-form")).status_code == 200


def test_the_eligibility_api_is_limited_per_address(client_for, clock):
    assert settings.ELIGIBILITY_API_RATE_PER_MINUTE == 60
    client = client_for()
    url = reverse("eligibility-api")
    query = {"level": "bachelor", "programme_start": "2024-09-16", "passport_expiry": "2030-06-30"}
    for _ in range(60):
        assert client.get(url, query).status_code == 200

    refused = client.get(url, query)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "errors": {"__all__": ["Too many requests from your address. Try again in a minute."]}
    }
    assert client.get(url, query, REMOTE_ADDR="198.51.100.7").status_code == 200
    clock.shift(timedelta(minutes=1))
    assert client.get(url, query).status_code == 200


def test_the_api_limit_comes_from_the_setting(client, settings, clock):
    settings.ELIGIBILITY_API_RATE_PER_MINUTE = 2
    url = reverse("eligibility-api")

    assert [client.get(url).status_code for _ in range(3)] == [400, 400, 429]
