"""Staff sign in with two factors; their sessions end after 30 idle minutes; students are not asked.

Officers, supervisors and admin users must enter a code from an authenticator app (allauth.mfa,
TOTP) or a recovery code before any page opens (``accounts/middleware.py``). The codes are
computed here the way an authenticator app does, with allauth's own TOTP functions.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from accounts.services import totp_authenticator_set
from applications.models import Status
from tests.factories import DEMO_PASSWORD, OfficerFactory, SupervisorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
QUEUE = reverse("officer-queue")
ACTIVATE = reverse("mfa_activate_totp")
AUTHENTICATE = reverse("mfa_authenticate")
REAUTHENTICATE = reverse("mfa_reauthenticate")
LOGIN = reverse("account_login")
STAFF = pytest.mark.parametrize(
    "factory", [OfficerFactory, SupervisorFactory], ids=["officer", "supervisor"]
)


@pytest.fixture(autouse=True)
def _clock():
    """A frozen clock: a code computed here is still current when the portal checks it.

    Tests that move the clock travel again inside this one.
    """
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, 5, tzinfo=ISTANBUL), tick=False):
        yield


def totp_code(secret: str, *, offset: int = 0) -> str:
    """What an authenticator app set up with ``secret`` shows now (``offset`` periods away)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def a_wrong_code(secret: str) -> str:
    return f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"


def sign_in(client: Client, user) -> object:
    return client.post(LOGIN, {"login": user.email, "password": DEMO_PASSWORD})


def confirm_password(client: Client, then: str) -> None:
    """allauth asks for the password again before any change to the second factor."""
    asked = client.get(then)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(
        reverse("account_reauthenticate"), {"password": DEMO_PASSWORD, "next": then}
    )
    assert response["Location"] == then


def signed_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def staff_pages(user) -> list[str]:
    """The workspace pages this user may open once signed in with both factors."""
    pages = [QUEUE, reverse("officer-queue-export")]
    if user.groups.filter(name="supervisor").exists():
        pages.append(reverse("supervisor-dashboard"))
    return pages


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


# --- an officer without an authenticator app ----------------------------------------------------


@STAFF
def test_staff_without_an_authenticator_are_sent_to_set_one_up_and_get_no_workspace(
    client_for, factory
):
    user = factory()
    client = client_for()

    assert sign_in(client, user)["Location"] == QUEUE
    assert signed_in_user(client) == user.pk
    for url in [*staff_pages(user), "/admin/"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, ACTIVATE), url

    confirm_password(client, ACTIVATE)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "sign in with a code from an authenticator app. Set one up" in html
    assert page.context["form"].secret in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert h1_count(html) == 1


def test_setting_up_the_authenticator_opens_the_workspace(client_for, application_in):
    officer = OfficerFactory()
    application = application_in(Status.SUBMITTED)
    client = client_for()
    sign_in(client, officer)
    confirm_password(client, ACTIVATE)
    secret = client.get(ACTIVATE).context["form"].secret

    wrong = client.post(ACTIVATE, {"code": a_wrong_code(secret)})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"]
    assert client.get(QUEUE)["Location"] == ACTIVATE

    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert set(Authenticator.objects.filter(user=officer).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }

    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    assert len(codes.context["unused_codes"]) == 10
    assert h1_count(codes.content.decode()) == 1
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert application.reference in queue.content.decode()


# --- signing in with an authenticator app --------------------------------------------------------


@STAFF
def test_signing_in_takes_a_valid_code_before_the_workspace_opens(client_for, factory):
    user = factory()
    totp_authenticator_set(user=user, secret=SECRET)
    client = client_for()

    response = sign_in(client, user)
    assert response["Location"] == AUTHENTICATE
    # The password alone has not signed anyone in.
    assert signed_in_user(client) is None
    assert client.get(QUEUE)["Location"].startswith(LOGIN)

    page = client.get(AUTHENTICATE)
    assert page.status_code == 200
    assert h1_count(page.content.decode()) == 1

    wrong = client.post(AUTHENTICATE, {"code": a_wrong_code(SECRET)})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"]
    assert signed_in_user(client) is None

    response = client.post(AUTHENTICATE, {"code": totp_code(SECRET)})
    assert response["Location"] == QUEUE
    assert signed_in_user(client) == user.pk
    for url in staff_pages(user):
        assert client.get(url).status_code == 200, url


def test_a_code_is_accepted_once(client_for):
    officer = OfficerFactory()
    totp_authenticator_set(user=officer, secret=SECRET)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 5, tzinfo=ISTANBUL), tick=False):
        first = client_for()
        sign_in(first, officer)
        code = totp_code(SECRET)
        assert first.post(AUTHENTICATE, {"code": code})["Location"] == QUEUE

        second = client_for()
        sign_in(second, officer)
        replay = second.post(AUTHENTICATE, {"code": code})
        assert replay.status_code == 200
        assert signed_in_user(second) is None


def test_a_recovery_code_signs_in_once(client_for):
    officer = OfficerFactory()
    totp_authenticator_set(user=officer, secret=SECRET)
    codes = (
        Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    client = client_for()

    sign_in(client, officer)
    assert client.post(AUTHENTICATE, {"code": codes[0]})["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200

    client.post(reverse("account_logout"))
    sign_in(client, officer)
    used_again = client.post(AUTHENTICATE, {"code": codes[0]})
    assert used_again.status_code == 200
    assert signed_in_user(client) is None
    assert client.post(AUTHENTICATE, {"code": codes[1]})["Location"] == QUEUE


def test_students_are_not_asked_for_a_second_factor(client_for, student):
    client = client_for()

    response = sign_in(client, student)

    assert response["Location"] == reverse("dashboard")
    assert signed_in_user(client) == student.pk
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("profile")).status_code == 200


def test_the_admin_signs_in_through_the_two_factor_sign_in(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- sessions without the second factor ----------------------------------------------------------


@pytest.mark.without_mfa_mark
@STAFF
def test_a_password_only_staff_session_opens_nothing(client_for, factory):
    """``force_login`` without the conftest's mark: what a password-only sign-in would give."""
    user = factory()
    client = client_for(user)

    for url in [*staff_pages(user), "/admin/"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, ACTIVATE), url
    # ...nor a student's page or the public ones.
    assert client.get(reverse("dashboard"))["Location"] == ACTIVATE
    assert client.get(reverse("home"))["Location"] == ACTIVATE
    # Signing out and changing the language still work.
    assert client.post(reverse("set_language"), {"language": "tr"}).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert signed_in_user(client) is None


@pytest.mark.without_mfa_mark
def test_a_session_without_the_code_is_asked_for_it_when_the_app_is_set_up(client_for):
    officer = OfficerFactory()
    totp_authenticator_set(user=officer, secret=SECRET)
    client = client_for(officer)

    response = client.get(QUEUE)
    assert response["Location"] == f"{REAUTHENTICATE}?next=%2Fofficers%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert h1_count(page.content.decode()) == 1

    confirmed = client.post(REAUTHENTICATE, {"code": totp_code(SECRET), "next": QUEUE})
    assert confirmed["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200


@pytest.mark.without_mfa_mark
def test_admin_users_need_the_second_factor_too(client_for, django_user_model):
    admin = django_user_model.objects.create_user(
        email="admin@example.com", password="a-long-password-1", is_staff=True
    )
    client = client_for(admin)

    assert client.get("/admin/")["Location"] == ACTIVATE


def test_client_for_gives_staff_a_session_that_passed_the_second_factor(client_for, officer):
    assert client_for(officer).get(QUEUE).status_code == 200


# --- keeping the authenticator ------------------------------------------------------------------


def test_staff_cannot_remove_their_authenticator_app(client_for, officer):
    totp_authenticator_set(user=officer, secret=SECRET)
    client = client_for(officer)
    confirm_password(client, reverse("mfa_deactivate_totp"))

    page = client.get(reverse("mfa_deactivate_totp"))
    assert page.status_code == 200
    assert page.context["form"].errors
    client.post(reverse("mfa_deactivate_totp"))

    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()


def test_students_may_remove_theirs(client_for, student):
    totp_authenticator_set(user=student, secret=SECRET)
    client = client_for(student)
    confirm_password(client, reverse("mfa_deactivate_totp"))

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=student).exists()


def test_the_two_factor_overview_is_in_the_portal_layout(client_for, officer):
    totp_authenticator_set(user=officer, secret=SECRET)

    page = client_for(officer).get(reverse("mfa_index"))

    html = page.content.decode()
    assert page.status_code == 200
    assert h1_count(html) == 1
    assert "site-header" in html
    assert "You have 10 unused recovery codes." in html


def test_staff_can_renew_their_recovery_codes(client_for, officer):
    totp_authenticator_set(user=officer, secret=SECRET)
    old = Authenticator.objects.get(user=officer, type="recovery_codes").wrap().get_unused_codes()
    client = client_for(officer)
    generate = reverse("mfa_generate_recovery_codes")
    confirm_password(client, generate)

    page = client.get(generate)
    assert page.status_code == 200
    assert h1_count(page.content.decode()) == 1
    assert client.post(generate)["Location"] == reverse("mfa_view_recovery_codes")

    new = Authenticator.objects.get(user=officer, type="recovery_codes").wrap().get_unused_codes()
    assert len(new) == 10
    assert set(new).isdisjoint(old)


def test_the_demo_secret_must_be_base32(officer):
    with pytest.raises(ValueError, match="base32"):
        totp_authenticator_set(user=officer, secret="not a secret!")
    totp_authenticator_set(user=officer, secret=SECRET.lower())
    totp_authenticator_set(user=officer, secret=SECRET)
    assert Authenticator.objects.filter(user=officer).count() == 2


# --- idle staff sessions ------------------------------------------------------------------------


def test_staff_sessions_end_after_30_idle_minutes(client_for, settings):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    supervisor = SupervisorFactory()
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ISTANBUL), tick=False) as clock:
        client = client_for(supervisor)
        assert client.get(QUEUE).status_code == 200

        clock.shift(timedelta(minutes=29))
        assert client.get(QUEUE).status_code == 200
        # Sliding: every request starts the 30 minutes again.
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("supervisor-dashboard")).status_code == 200

        clock.shift(timedelta(minutes=31))
        response = client.get(QUEUE)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert signed_in_user(client) is None


def test_the_idle_period_comes_from_the_setting(client_for, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 10 * 60
    officer = OfficerFactory()
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ISTANBUL), tick=False) as clock:
        client = client_for(officer)
        clock.shift(timedelta(minutes=9))
        assert client.get(QUEUE).status_code == 200
        clock.shift(timedelta(minutes=11))
        assert client.get(QUEUE).status_code == 302


def test_a_real_sign_in_starts_the_idle_period(client_for):
    officer = OfficerFactory()
    totp_authenticator_set(user=officer, secret=SECRET)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 5, tzinfo=ISTANBUL), tick=False) as clock:
        client = client_for()
        sign_in(client, officer)
        client.post(AUTHENTICATE, {"code": totp_code(SECRET)})
        assert client.session.get_expiry_age() == 30 * 60

        clock.shift(timedelta(minutes=31))
        assert client.get(QUEUE)["Location"].startswith(LOGIN)


def test_students_keep_the_ordinary_session_length(client_for, student):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ISTANBUL), tick=False) as clock:
        client = client_for()
        sign_in(client, student)
        clock.shift(timedelta(minutes=31))
        assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(timedelta(days=3))
        assert client.get(reverse("dashboard")).status_code == 200
