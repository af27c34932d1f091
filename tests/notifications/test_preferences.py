"""Which channels a notice takes: the defaults, the person's choice, and the verified number.

The most important kinds (a decision, an information request and its reminder, a passport or
permit about to run out) go by e-mail and SMS unless the person chose otherwise; other kinds
with an SMS text by e-mail unless chosen; kinds without one by e-mail only. Nobody without a
verified mobile number gets an SMS, whatever they chose.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from applications import notices as app_notices
from notifications.channels import channel_preferences_set, chosen_channels, delivery_for
from notifications.inbox import inbox_for, unread_count
from notifications.models import ChannelPreference, Notification
from notifications.services import notify_user
from permits import notices as permit_notices
from reports import notices as report_notices
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "+905321234567"
IMPORTANT = (
    app_notices.APPROVED,
    app_notices.REJECTED,
    app_notices.INFO_REQUESTED,
    app_notices.INFO_DUE,
    app_notices.PASSPORT_TOO_SHORT,
    app_notices.PASSPORT_EXPIRING,
    permit_notices.PERMIT_EXPIRING,
    report_notices.REPORT_INFO_REQUESTED,
    report_notices.REPORT_INFO_DUE,
)


def verify(user, number: str = NUMBER) -> None:
    Profile.objects.filter(user=user).update(mobile=number, mobile_verified_at=timezone.now())


@pytest.fixture
def verified(student):
    verify(student)
    return student


def notify(user, kind: str, key: str = "test:1") -> bool:
    return notify_user(
        user=user,
        kind=kind,
        context={"reference": "AZTR-2026-000123", "path": "/applications/123/"},
        dedupe_key=key,
    )


def channels_of(key: str = "test:1") -> list[tuple[str, str]]:
    rows = Notification.objects.filter(dedupe_key__startswith=key).order_by("channel")
    return [(row.channel, row.to_email or row.to_phone) for row in rows]


@pytest.mark.parametrize("kind", IMPORTANT)
def test_the_important_kinds_go_by_email_and_sms_by_default(verified, kind):
    assert notify(verified, kind) is True

    assert channels_of() == [("email", verified.email), ("sms", NUMBER)]
    sms = Notification.objects.get(channel="sms")
    assert (sms.dedupe_key, sms.kind, sms.recipient) == ("test:1:sms", kind, verified)
    assert sms.language == verified.preferred_language
    # One notice in the inbox, not two.
    assert unread_count(verified) == 1
    assert list(inbox_for(verified)) == [Notification.objects.get(channel="email")]


@pytest.mark.parametrize(
    "kind",
    [app_notices.SUBMITTED, app_notices.MESSAGE, report_notices.REPORT_RECEIVED],
)
def test_kinds_without_an_sms_text_go_by_email_only(verified, kind):
    channel_preferences_set(user=verified, choices={kind: "sms"})  # not a choice: ignored

    notify(verified, kind)

    assert channels_of() == [("email", verified.email)]
    assert not ChannelPreference.objects.exists()


def test_a_kind_with_an_sms_text_but_not_important_goes_by_email_unless_chosen(verified):
    notify(verified, report_notices.REPORT_ACCEPTED, key="test:1")
    assert channels_of("test:1") == [("email", verified.email)]

    channel_preferences_set(user=verified, choices={report_notices.REPORT_ACCEPTED: "both"})
    notify(verified, report_notices.REPORT_ACCEPTED, key="test:2")
    assert channels_of("test:2") == [("email", verified.email), ("sms", NUMBER)]


def test_sms_only_is_honoured_and_the_sms_is_the_inbox_copy(verified):
    channel_preferences_set(user=verified, choices={app_notices.APPROVED: "sms"})

    notify(verified, app_notices.APPROVED)

    assert channels_of() == [("sms", NUMBER)]
    [row] = inbox_for(verified)
    assert (row.channel, row.in_inbox) == ("sms", True)


def test_email_only_for_an_important_kind_is_honoured(verified):
    channel_preferences_set(user=verified, choices={app_notices.REJECTED: "email"})

    notify(verified, app_notices.REJECTED)

    assert channels_of() == [("email", verified.email)]


def test_no_sms_without_a_verified_number_whatever_was_chosen(student):
    channel_preferences_set(user=student, choices={app_notices.APPROVED: "sms"})
    # A number entered but never verified (its code not entered) does not count.
    Profile.objects.filter(user=student).update(mobile="", mobile_verified_at=None)

    notify(student, app_notices.APPROVED)

    assert channels_of() == [("email", student.email)]


def test_a_notice_is_written_once_per_key_whatever_the_channels_become(verified):
    assert notify(verified, app_notices.APPROVED) is True
    assert notify(verified, app_notices.APPROVED) is False

    channel_preferences_set(user=verified, choices={app_notices.APPROVED: "sms"})
    assert notify(verified, app_notices.APPROVED) is False
    channel_preferences_set(user=verified, choices={app_notices.APPROVED: "email"})
    assert notify(verified, app_notices.APPROVED) is False

    assert len(channels_of()) == 2


def test_an_sms_only_notice_is_not_sent_again_by_email_after_a_change_of_mind(verified):
    channel_preferences_set(user=verified, choices={app_notices.APPROVED: "sms"})
    notify(verified, app_notices.APPROVED)
    channel_preferences_set(user=verified, choices={app_notices.APPROVED: "email"})

    assert notify(verified, app_notices.APPROVED) is False
    assert channels_of() == [("sms", NUMBER)]


def test_choices_are_per_person(verified):
    other = UserFactory()
    verify(other, "+994501234567")
    channel_preferences_set(user=verified, choices={app_notices.APPROVED: "email"})

    notify(other, app_notices.APPROVED)

    assert channels_of() == [("email", other.email), ("sms", "+994501234567")]


def test_the_choice_costs_no_query_for_a_kind_without_sms_and_one_without_a_number(student):
    with CaptureQueriesContext(connection) as none:
        assert delivery_for(user=student, kind=app_notices.SUBMITTED).phone is None
    with CaptureQueriesContext(connection) as one:
        assert delivery_for(user=student, kind=app_notices.APPROVED).phone is None
    assert (len(none), len(one)) == (0, 1)


def test_defaults_and_choices_as_the_page_shows_them(verified):
    choices = chosen_channels(verified)
    assert choices[app_notices.APPROVED] == "both"
    assert choices[report_notices.REPORT_ACCEPTED] == "email"
    assert app_notices.SUBMITTED not in choices
    assert "mobile_code" not in choices  # the verification code is no notice to choose for

    channel_preferences_set(
        user=verified, choices={app_notices.APPROVED: "sms", app_notices.INFO_DUE: "nonsense"}
    )
    choices = chosen_channels(verified)
    assert (choices[app_notices.APPROVED], choices[app_notices.INFO_DUE]) == ("sms", "both")


# --- the page ------------------------------------------------------------------------------


def test_the_page_has_a_labelled_choice_per_kind_with_an_sms_text(verified, client_for):
    response = client_for(verified).get(reverse("notification-preferences"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>How notices reach you</h1>" in page
    assert "+90 532 123 45 67" in page
    assert "<legend" in page
    assert "Application approved" in page
    field = app_notices.APPROVED
    for value in ("email", "sms", "both"):
        assert f'name="{field}" value="{value}"' in page
    assert "Unless you choose otherwise: by e-mail and SMS." in page
    assert "come by e-mail only" in page  # the kinds without SMS say so
    assert f'name="{app_notices.SUBMITTED}"' not in page


def test_saving_the_page_stores_the_choices(verified, client_for):
    choices = chosen_channels(verified) | {app_notices.APPROVED: "sms"}

    response = client_for(verified).post(reverse("notification-preferences"), choices)

    assert response.status_code == 302
    assert ChannelPreference.objects.get(user=verified, kind=app_notices.APPROVED).channels == "sms"
    notify(verified, app_notices.APPROVED)
    assert channels_of() == [("sms", NUMBER)]


def test_a_choice_missing_or_unknown_is_shown_as_an_error(verified, client_for):
    choices = chosen_channels(verified) | {app_notices.APPROVED: "pigeon"}

    response = client_for(verified).post(reverse("notification-preferences"), choices)

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ChannelPreference.objects.exists()


def test_without_a_verified_number_the_page_says_everything_comes_by_email(student, client_for):
    page = client_for(student).get(reverse("notification-preferences")).content.decode()

    assert "You have no verified mobile number" in page
    assert reverse("mobile") in page


def test_the_page_needs_a_signed_in_person_and_a_csrf_token(verified, client_for):
    response = client_for(None).get(reverse("notification-preferences"))
    assert response.status_code == 302

    client = Client(enforce_csrf_checks=True)
    client.force_login(verified)
    response = client.post(reverse("notification-preferences"), chosen_channels(verified))
    assert response.status_code == 403
