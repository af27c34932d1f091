"""The SMS provider's signed delivery reports (``/notifications/sms/status/``).

A report is trusted only with a valid HMAC-SHA256 signature of its raw body under
``SMS_CALLBACK_SECRET`` and a timestamp within five minutes; it must name a message we sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ISTANBUL)
SECRET = "callback-secret-for-the-tests-0123456789"
URL = "/notifications/sms/status/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.SMS_CALLBACK_SECRET = SECRET


@pytest.fixture
def sent_sms(db) -> Notification:
    user = UserFactory()
    return Notification.objects.create(
        kind="approved",
        channel=Notification.Channel.SMS,
        to_phone="+905321234567",
        language="en",
        recipient=user,
        dedupe_key="test:callback:sms",
        context={"reference": "AZTR-2026-000123", "path": "/applications/1/"},
        state=Notification.State.SENT,
        sent_at=NOW - timedelta(minutes=1),
        provider_message_id="prov-123",
        delivery_status=Notification.DeliveryStatus.ACCEPTED,
        delivery_status_at=NOW - timedelta(minutes=1),
        in_inbox=False,
    )


def body(message_id="prov-123", status="delivered", at: datetime = NOW) -> bytes:
    return json.dumps(
        {"message_id": message_id, "status": status, "timestamp": int(at.timestamp())}
    ).encode()


def sign(raw: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def report(raw: bytes, signature: str | None = None, client: Client | None = None):
    headers = {} if signature is None else {"X-SMS-Signature": signature}
    # As the provider sends it: no session, no CSRF token.
    client = client or Client(enforce_csrf_checks=True)
    return client.post(URL, raw, content_type="application/json", headers=headers)


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def test_the_url_is_named():
    assert reverse("sms-status-callback") == URL


def test_a_signed_report_records_the_delivery(sent_sms, clock):
    clock.shift(timedelta(seconds=20))
    raw = body(at=NOW + timedelta(seconds=15))

    response = report(raw, sign(raw))

    assert response.status_code == 200
    assert response.json() == {"status": "delivered"}
    row = fresh(sent_sms)
    assert row.delivery_status == Notification.DeliveryStatus.DELIVERED
    assert row.delivery_status_at == NOW + timedelta(seconds=15)
    assert row.state == Notification.State.SENT  # the outbox's own state is not the provider's


def test_the_signature_may_carry_its_algorithm(sent_sms):
    raw = body(status="undelivered")
    assert report(raw, f"sha256={sign(raw)}").status_code == 200
    assert fresh(sent_sms).delivery_status == Notification.DeliveryStatus.UNDELIVERED


@pytest.mark.parametrize(
    "signature",
    [None, "", "not-hex", "çok gizli", sign(body(), "another-secret"), sign(body(status="failed"))],
    ids=["missing", "empty", "garbage", "not-ascii", "other-secret", "other-body"],
)
def test_a_bad_signature_is_refused_and_changes_nothing(sent_sms, signature):
    response = report(body(), signature)

    assert response.status_code == 403
    assert fresh(sent_sms).delivery_status == Notification.DeliveryStatus.ACCEPTED


def test_without_a_secret_configured_every_report_is_refused(sent_sms, settings):
    settings.SMS_CALLBACK_SECRET = ""
    raw = body()
    assert report(raw, sign(raw, "")).status_code == 403


@pytest.mark.parametrize(
    "age", [timedelta(minutes=6), timedelta(minutes=-6)], ids=["stale", "future"]
)
def test_a_report_outside_five_minutes_is_refused(sent_sms, age):
    raw = body(at=NOW - age)

    response = report(raw, sign(raw))

    assert response.status_code == 403
    assert fresh(sent_sms).delivery_status == Notification.DeliveryStatus.ACCEPTED


def test_a_report_just_within_five_minutes_counts(sent_sms):
    raw = body(at=NOW - timedelta(minutes=4, seconds=59))
    assert report(raw, sign(raw)).status_code == 200


def test_a_report_about_an_unknown_message_is_not_found(sent_sms):
    raw = body(message_id="prov-unknown")

    assert report(raw, sign(raw)).status_code == 404
    assert fresh(sent_sms).delivery_status == Notification.DeliveryStatus.ACCEPTED


def test_an_email_row_is_no_sms_message(sent_sms, student):
    Notification.objects.create(
        kind="approved",
        to_email=student.email,
        language="en",
        dedupe_key="test:callback:email",
        provider_message_id="prov-email",
    )
    raw = body(message_id="prov-email")
    assert report(raw, sign(raw)).status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        json.dumps({"message_id": "prov-123", "status": "lost in space", "timestamp": 1}).encode(),
        json.dumps({"message_id": "prov-123", "status": "delivered"}).encode(),
        json.dumps({"message_id": 5, "status": "delivered", "timestamp": 1}).encode(),
    ],
    ids=["not-json", "not-an-object", "unknown-status", "no-timestamp", "id-not-text"],
)
def test_a_signed_report_we_cannot_read_is_a_bad_request(sent_sms, raw):
    assert report(raw, sign(raw)).status_code == 400
    assert fresh(sent_sms).delivery_status == Notification.DeliveryStatus.ACCEPTED


def test_reports_out_of_order_do_not_move_the_status_back(sent_sms, clock):
    delivered = body(status="delivered", at=NOW)
    late_accepted = body(status="sent", at=NOW + timedelta(seconds=5))
    older_final = body(status="expired", at=NOW - timedelta(seconds=30))

    for raw in (delivered, late_accepted, older_final):
        assert report(raw, sign(raw)).status_code == 200

    row = fresh(sent_sms)
    assert (row.delivery_status, row.delivery_status_at) == ("delivered", NOW)


def test_a_replayed_report_changes_nothing_more(sent_sms):
    raw = body()
    assert report(raw, sign(raw)).status_code == 200
    assert report(raw, sign(raw)).status_code == 200
    assert fresh(sent_sms).delivery_status == "delivered"


def test_only_post_is_allowed():
    assert Client().get(URL).status_code == 405


def test_only_this_view_is_exempt_from_csrf(student):
    """The inbox's POSTs still need the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(reverse("notification-read-all")).status_code == 403
