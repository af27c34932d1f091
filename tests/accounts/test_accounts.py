"""Accounts through django-allauth as configured for the portal, and the consent page's redirect.

Email is the login (case does not matter), a new account remembers the language it was made in,
password reset and email change work, and the notice's ``next`` cannot send anyone off-site.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
NEW_PASSWORD = "Silver-Lake-4826"
RESET_LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^/\s]+/)")
CONFIRM_LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def signed_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


# --- signing in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["nigar.huseynova@example.com", "Nigar.Huseynova@Example.COM", "  NIGAR.HUSEYNOVA@EXAMPLE.COM"],
    ids=["as-registered", "mixed-case", "upper-case-with-space"],
)
def test_login_is_by_email_and_ignores_case(client, typed):
    user = UserFactory(email="nigar.huseynova@example.com")
    response = client.post(reverse("account_login"), {"login": typed, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert signed_in_user(client) == user.pk


def test_a_wrong_password_does_not_sign_in(client):
    UserFactory(email="nigar.huseynova@example.com")
    response = client.post(
        reverse("account_login"),
        {"login": "nigar.huseynova@example.com", "password": "not-the-password"},
    )
    assert response.status_code == 200
    assert signed_in_user(client) is None


def test_an_unverified_address_cannot_sign_in(client):
    user = UserFactory(verified=False)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user(client) is None
    # A fresh verification link is sent instead.
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert CONFIRM_LINK_RE.search(mail.outbox[0].body)


def test_the_same_address_in_another_case_cannot_sign_up_again(client):
    UserFactory(email="nigar.huseynova@example.com")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "NIGAR.Huseynova@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert User.objects.filter(email__iexact="nigar.huseynova@example.com").count() == 1
    assert signed_in_user(client) is None
    # allauth does not reveal whether an address is registered: the same page as a new sign-up.
    assert response.status_code in (200, 302)


# --- sign-up language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("tr", "tr"), ("en-GB,en;q=0.9", "en"), ("az", "az"), ("de", "az")],
    ids=["turkish", "english", "azerbaijani", "unsupported-falls-back"],
)
def test_a_new_account_keeps_the_language_of_sign_up(accept_language, expected):
    client = Client(headers={"accept-language": accept_language})
    response = client.post(
        reverse("account_signup"),
        {"email": "kamran@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(email="kamran@example.com").preferred_language == expected


# --- password reset --------------------------------------------------------------------------


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client):
    user = UserFactory(email="rauf@example.com")
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 200
    response = client.post(reverse("account_reset_password"), {"email": "Rauf@Example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rauf@example.com"]
    link = RESET_LINK_RE.search(mail.outbox[0].body).group(1)

    # allauth moves the key out of the URL into the session, then shows the form.
    response = client.get(link)
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    form_url = response.wsgi_request.path
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    fresh = Client()
    response = fresh.post(
        reverse("account_login"), {"login": "rauf@example.com", "password": NEW_PASSWORD}
    )
    assert signed_in_user(fresh) == user.pk


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    # Same answer as for a real account: nobody learns who is registered.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert not any(RESET_LINK_RE.search(message.body) for message in mail.outbox)


# --- email change ----------------------------------------------------------------------------


def test_the_email_page_needs_sign_in(client):
    response = client.get(reverse("account_email"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_changing_the_email_address_asks_to_verify_the_new_one(client, student):
    client.force_login(student)
    response = client.get(reverse("account_email"))
    assert response.status_code == 200
    assert student.email in response.content.decode()

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "new.address@example.com"}
    )
    assert response.status_code == 302
    pending = EmailAddress.objects.get(user=student, email="new.address@example.com")
    assert not pending.verified
    assert [message.to for message in mail.outbox] == [["new.address@example.com"]]
    link = CONFIRM_LINK_RE.search(mail.outbox[0].body).group(1)
    client.post(link)
    student.refresh_from_db()
    assert student.email == "new.address@example.com"


# --- the notice's next parameter -------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/accounts/login/",
        "//evil.example/dashboard/",
        "http:///evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
    ids=["absolute", "absolute-path", "scheme-relative", "triple-slash", "backslash", "js"],
)
def test_the_privacy_notice_never_redirects_off_site(client, target):
    user = UserFactory(consent=False)
    client.force_login(user)

    response = client.get(reverse("privacy-notice"), {"next": target})
    assert response.status_code == 200
    assert 'name="next" value=""' in response.content.decode()

    response = client.post(reverse("privacy-notice"), {"next": target})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("profile"))
    assert "evil" not in location
    assert "javascript" not in location
    assert Profile.objects.get(user=user).privacy_notice_accepted_at is not None


def test_the_privacy_notice_follows_a_local_next(client, student):
    """A student whose profile is complete goes straight back to where they were."""
    Profile.objects.filter(user=student).update(privacy_notice_version="2000-01")
    client.force_login(student)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("privacy-notice"))
    response = client.post(reverse("privacy-notice"), {"next": reverse("data-export")})
    assert response.status_code == 302
    assert response["Location"] == reverse("data-export")
    assert Profile.objects.get(user=student).privacy_notice_version != "2000-01"


def test_the_profile_never_redirects_off_site(client, student):
    client.force_login(student)
    data = {
        "surname": "Həsənov",
        "given_names": "Tural",
        "date_of_birth": "2003-02-01",
        "phone": "+994551112233",
        "fin": "6XYZ12P",
        "preferred_language": "az",
        "next": "https://evil.example",
    }
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.parametrize("born", ["2024-10-01", "2090-01-01"], ids=["today", "future"])
def test_the_profile_refuses_a_date_of_birth_not_in_the_past(client, born):
    """Copied into a new draft, such a date made the task list fail (document checklist)."""
    user = UserFactory(consent=False)
    client.force_login(user)
    client.post(reverse("privacy-notice"))
    with time_machine.travel(datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL), tick=False):
        response = client.post(
            reverse("profile"),
            {
                "surname": "Həsənov",
                "given_names": "Tural",
                "date_of_birth": born,
                "phone": "+994551112233",
                "fin": "6XYZ12P",
                "preferred_language": "az",
            },
            headers={"accept-language": "en"},
        )
    assert response.status_code == 400
    assert "The date of birth must be in the past." in response.content.decode()
    assert Profile.objects.get(user=user).date_of_birth is None


def test_the_privacy_notice_can_be_read_before_signing_up(client):
    response = client.get(reverse("privacy-notice"), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Who is responsible" in response.content.decode()
    signup = client.get(reverse("account_signup"), headers={"accept-language": "en"})
    assert reverse("privacy-notice") in signup.content.decode()


def test_accepting_the_notice_needs_an_account(client):
    response = client.post(reverse("privacy-notice"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
