"""The verified mobile number: reading Turkish and Azerbaijani numbers, the code sent by SMS
through the outbox, wrong tries, expiry and the limits on sending codes, and the pages.

The SMS backend is the in-memory one; the outbox's rows are delivered by the eager Celery task
after the commit (``django_capture_on_commit_callbacks``), as in production after a request.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts import mobile
from accounts.models import MobileCode, Profile
from notifications.channels import verified_phone
from notifications.models import Notification
from notifications.sms import locmem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ISTANBUL)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Call a service and deliver what it wrote to the outbox, as after a request's commit."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def sent_code(outbox) -> str:
    """The code in the newest SMS."""
    match = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert match, outbox[-1].text
    return match.group(1)


# --- reading numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+90 532 123 45 67", "+905321234567"),
        ("+90 (532) 123-45-67", "+905321234567"),
        ("0532 123 45 67", "+905321234567"),
        ("05321234567", "+905321234567"),
        ("0090 532 123 45 67", "+905321234567"),
        ("905321234567", "+905321234567"),
        ("+90 501 123 45 67", "+905011234567"),
        ("+994 50 123 45 67", "+994501234567"),
        ("050 123 45 67", "+994501234567"),
        ("00994 55 111 22 33", "+994551112233"),
        ("994701234567", "+994701234567"),
        ("  +994 77 123 45 67 ", "+994771234567"),
    ],
)
def test_turkish_and_azerbaijani_mobiles_in_any_notation_become_e164(raw, e164):
    assert mobile.mobile_parse(raw) == e164


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("+90 212 123 45 67", "not a mobile number"),  # Istanbul landline
        ("0212 123 45 67", "not a mobile number"),
        ("+994 12 123 45 67", "not a mobile number"),  # Baku landline
        ("+90 850 123 45 67", "not a mobile number"),  # a service number
        ("+49 151 12345678", "Türkiye (+90) and Azerbaijan (+994)"),
        ("+1 202 555 0199", "Türkiye (+90) and Azerbaijan (+994)"),
        ("+90 532 123 45 6", "not a phone number we can read"),  # a digit short
        ("hello", "not a phone number we can read"),
        ("12", "not a phone number we can read"),
        ("", "not a phone number we can read"),
    ],
)
def test_landlines_other_countries_and_garbage_are_refused_and_nothing_is_saved(
    student, send, sms_outbox, raw, says
):
    # The messages as the English page shows them.
    with translation.override("en"), pytest.raises(mobile.MobileError) as refused:
        send(mobile.mobile_set, user=student, raw=raw)

    assert says in refused.value.message
    assert not MobileCode.objects.exists()
    assert not Notification.objects.exists()
    assert sms_outbox == []
    assert Profile.objects.get(user=student).mobile == ""


def test_the_page_shows_the_refusal_next_to_the_field(student, client_for):
    response = client_for(student).post(reverse("mobile"), {"number": "+90 212 123 45 67"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "This is not a mobile number" in page
    assert not MobileCode.objects.exists()


# --- the code ------------------------------------------------------------------------------


def test_the_code_goes_as_an_sms_row_of_the_outbox_to_the_unverified_number(
    student, send, sms_outbox
):
    student.preferred_language = "tr"
    student.save()

    code_row = send(mobile.mobile_set, user=student, raw="0532 123 45 67")

    [row] = Notification.objects.all()
    assert (row.channel, row.to_phone, row.to_email) == ("sms", "+905321234567", "")
    assert (row.kind, row.language, row.recipient) == (mobile.MOBILE_CODE, "tr", student)
    assert row.in_inbox is False
    assert row.state == Notification.State.SENT
    [sms] = sms_outbox
    assert sms.to == "+905321234567"
    code = sent_code(sms_outbox)
    assert "10 dakika" in sms.text
    # At rest: only a keyed hash in the code's row; the outbox row held it encrypted and
    # forgot it once sent.
    assert code not in code_row.code_hash
    assert code not in str(row.context)
    assert "sealed" not in row.context
    # Not verified until the code is entered: no SMS notices go to it yet.
    assert verified_phone(student) is None
    assert Profile.objects.get(user=student).mobile == ""


def test_the_right_code_verifies_the_number(student, send, sms_outbox):
    send(mobile.mobile_set, user=student, raw="+994 50 123 45 67")

    mobile.mobile_verify(user=student, code=sent_code(sms_outbox))

    profile = Profile.objects.get(user=student)
    assert profile.mobile == "+994501234567"
    assert profile.mobile_verified_at == NOW
    assert verified_phone(student) == "+994501234567"
    assert mobile.verified_mobile(student) == "+994501234567"
    with pytest.raises(mobile.MobileError, match="No code is waiting"):
        mobile.mobile_verify(user=student, code=sent_code(sms_outbox))  # used once only


def test_a_wrong_code_is_counted_and_five_end_the_code(student, send, sms_outbox):
    send(mobile.mobile_set, user=student, raw="+905321234567")
    right = sent_code(sms_outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    with pytest.raises(mobile.MobileError, match="4 more times"):
        mobile.mobile_verify(user=student, code=wrong)
    assert MobileCode.objects.get().wrong_tries == 1  # counted, though the service refused
    for _ in range(4):
        with pytest.raises(mobile.MobileError):
            mobile.mobile_verify(user=student, code=wrong)

    with pytest.raises(mobile.MobileError, match="too many times"):
        mobile.mobile_verify(user=student, code=right)
    assert verified_phone(student) is None
    assert MobileCode.objects.get().wrong_tries == mobile.MAX_WRONG_TRIES


def test_a_malformed_code_is_not_a_try(student, send, sms_outbox):
    send(mobile.mobile_set, user=student, raw="+905321234567")

    with pytest.raises(mobile.MobileError, match="6 digits"):
        mobile.mobile_verify(user=student, code="12ab")

    assert MobileCode.objects.get().wrong_tries == 0
    mobile.mobile_verify(user=student, code=" ".join(sent_code(sms_outbox)))  # spaces are fine
    assert verified_phone(student) == "+905321234567"


def test_a_code_expires_after_ten_minutes(student, send, sms_outbox, clock):
    send(mobile.mobile_set, user=student, raw="+905321234567")
    code = sent_code(sms_outbox)

    clock.shift(timedelta(minutes=10))
    with pytest.raises(mobile.MobileError, match="expired"):
        mobile.mobile_verify(user=student, code=code)
    assert verified_phone(student) is None


def test_a_code_waits_a_minute_for_the_next_and_only_the_newest_counts(
    student, send, sms_outbox, clock
):
    send(mobile.mobile_set, user=student, raw="+905321234567")
    first = sent_code(sms_outbox)

    clock.shift(timedelta(seconds=30))
    with pytest.raises(mobile.MobileError, match="in 31 seconds"):
        send(mobile.mobile_code_resend, user=student)
    assert MobileCode.objects.count() == 1
    assert len(sms_outbox) == 1

    clock.shift(timedelta(seconds=31))
    send(mobile.mobile_code_resend, user=student)
    second = sent_code(sms_outbox)
    assert len(sms_outbox) == 2
    assert sms_outbox[1].to == "+905321234567"
    if first != second:  # one chance in a million that they are equal
        with pytest.raises(mobile.MobileError, match="wrong"):
            mobile.mobile_verify(user=student, code=first)
    mobile.mobile_verify(user=student, code=second)
    assert verified_phone(student) == "+905321234567"


def test_at_most_five_codes_in_24_hours(student, send, sms_outbox, clock):
    for _ in range(mobile.MAX_CODES_PER_DAY):
        send(mobile.mobile_set, user=student, raw="+905321234567")
        clock.shift(timedelta(minutes=5))

    with pytest.raises(mobile.MobileError, match="5 codes in the last 24 hours"):
        send(mobile.mobile_set, user=student, raw="+994501234567")
    with pytest.raises(mobile.MobileError, match="5 codes"):
        send(mobile.mobile_code_resend, user=student)
    assert len(sms_outbox) == 5

    clock.shift(timedelta(hours=24))
    send(mobile.mobile_set, user=student, raw="+994501234567")
    assert len(sms_outbox) == 6


def test_limits_are_per_person(student, send, sms_outbox):
    other = UserFactory()
    send(mobile.mobile_set, user=student, raw="+905321234567")
    send(mobile.mobile_set, user=other, raw="+905321234567")
    assert len(sms_outbox) == 2


def test_the_verified_number_stays_until_another_is_verified(student, send, sms_outbox, clock):
    send(mobile.mobile_set, user=student, raw="+905321234567")
    mobile.mobile_verify(user=student, code=sent_code(sms_outbox))
    clock.shift(timedelta(minutes=2))

    send(mobile.mobile_set, user=student, raw="+994501234567")
    assert verified_phone(student) == "+905321234567"
    assert sms_outbox[-1].to == "+994501234567"  # the code goes to the new number

    mobile.mobile_verify(user=student, code=sent_code(sms_outbox))
    assert verified_phone(student) == "+994501234567"


def test_the_verified_number_again_sends_nothing(student, send, sms_outbox, clock):
    send(mobile.mobile_set, user=student, raw="+905321234567")
    mobile.mobile_verify(user=student, code=sent_code(sms_outbox))
    clock.shift(timedelta(minutes=2))

    with pytest.raises(mobile.MobileError, match="already verified"):
        send(mobile.mobile_set, user=student, raw="0532 123 45 67")
    assert len(sms_outbox) == 1


def test_removing_the_number_stops_sms(student, send, sms_outbox):
    send(mobile.mobile_set, user=student, raw="+905321234567")
    mobile.mobile_verify(user=student, code=sent_code(sms_outbox))

    mobile.mobile_remove(user=student)

    assert verified_phone(student) is None


def test_a_code_sms_that_could_not_go_before_the_code_expired_is_not_sent(
    student, settings, clock, sms_outbox
):
    from notifications.tasks import deliver

    mobile.mobile_set(user=student, raw="+905321234567")  # not committed: nothing delivered
    row = Notification.objects.get()

    clock.shift(timedelta(minutes=11))
    assert deliver(row.pk) is False

    row.refresh_from_db()
    assert row.state == Notification.State.FAILED
    assert "sealed" not in row.context
    assert sms_outbox == []


# --- the pages -----------------------------------------------------------------------------


def test_entering_a_number_and_the_code_through_the_pages(student, client_for, sms_outbox):
    client = client_for(student)
    profile_page = client.get(reverse("profile")).content.decode()
    assert reverse("mobile") in profile_page

    page = client.get(reverse("mobile"))
    assert page.status_code == 200
    assert 'for="id_number"' in page.content.decode()

    response = client.post(reverse("mobile"), {"number": "0532 123 45 67"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mobile-verify")

    verify_page = client.get(reverse("mobile-verify")).content.decode()
    assert "+90 532 123 45 67" in verify_page
    assert 'for="id_code"' in verify_page
    assert 'autocomplete="one-time-code"' in verify_page

    wrong = client.post(
        reverse("mobile-verify"),
        {"code": "000000" if sent_code(sms_outbox) != "000000" else "111111"},
    )
    assert wrong.status_code == 400
    assert "The code is wrong" in wrong.content.decode()

    done = client.post(reverse("mobile-verify"), {"code": sent_code(sms_outbox)})
    assert done.status_code == 302
    assert done["Location"] == reverse("notification-preferences")
    assert verified_phone(student) == "+905321234567"
    assert "+90 532 123 45 67" in client.get(reverse("mobile")).content.decode()


def test_asking_again_too_soon_says_so_on_the_page(student, client_for, sms_outbox):
    client = client_for(student)
    client.post(reverse("mobile"), {"number": "+905321234567"})

    response = client.post(reverse("mobile-verify"), {"action": "resend"}, follow=True)

    assert "You can ask for another one in" in response.content.decode()
    assert len(sms_outbox) == 1


def test_the_pages_need_a_signed_in_person(client_for):
    for name in ("mobile", "mobile-verify"):
        response = client_for(None).get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
