"""SMS through the outbox: the text, the backends, and delivery with retries, once only.

The provider is mocked at the edge only, with ``responses`` (the HTTP backend's ``requests``
calls); everything else is the real outbox: rows written by ``notify_user``, claimed, sent and
retried by ``deliver``, and in one test delivered by a real Celery worker on Redis.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Profile
from applications import notices as app_notices
from applications.models import Status
from notifications import kinds
from notifications.models import Notification
from notifications.services import notify_user
from notifications.sms import locmem
from notifications.sms.base import get_backend
from notifications.sms.console import ConsoleBackend
from notifications.sms.delivery import idempotency_key
from notifications.sms.http import HttpBackend
from notifications.sms.text import compose, fits, gsm_septets, sms_length, sms_text
from notifications.tasks import deliver, send_notification
from tests.factories import UserFactory

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ISTANBUL)
PROVIDER = "https://sms.example.test/v1/messages"
NUMBER = "+905321234567"
REFERENCE = "AZTR-2026-000123"
PATH = "/applications/123/"


def verify(user, number: str = NUMBER) -> None:
    Profile.objects.filter(user=user).update(mobile=number, mobile_verified_at=timezone.now())


@pytest.fixture
def verified(db):
    user = UserFactory(preferred_language="az")
    verify(user)
    return user


@pytest.fixture
def http_provider(settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_PROVIDER_URL = PROVIDER
    settings.SMS_PROVIDER_KEY = "provider-key-123"
    settings.SMS_PROVIDER_TIMEOUT_SECONDS = 4
    settings.SMS_SENDER = "AZTR"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def sms_row(user, kind: str = app_notices.APPROVED, **context) -> Notification:
    """The SMS row of a new notice (written by notify_user, not yet delivered)."""
    notify_user(
        user=user,
        kind=kind,
        context={"reference": REFERENCE, "path": PATH, **context},
        dedupe_key=f"test:{kind}",
    )
    return Notification.objects.get(channel=Notification.Channel.SMS)


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


# --- the text ------------------------------------------------------------------------------


def test_gsm_and_ucs2_lengths():
    assert gsm_septets("Decision on AZTR-2026-000123") == 28
    assert gsm_septets("€[]") == 6  # the extension table counts two
    assert gsm_septets("Qərar") is None  # ə is not in the GSM alphabet
    assert sms_length("a" * 10) == ("gsm-7", 10, 306)
    assert sms_length("ə" * 10) == ("ucs-2", 10, 134)
    assert fits("a" * 306)
    assert not fits("a" * 307)
    assert fits("ş" * 134)
    assert not fits("ş" * 135)


def test_a_long_text_is_cut_at_a_word_and_the_link_kept_whole():
    link = "https://permits.example.gov.az/applications/123/"
    text = "Müraciətiniz haqqında qərar var, ətraflı məlumat portaldadır " * 4

    message = compose(text, link)

    assert message.endswith(f"... {link}")
    assert fits(message)
    assert sms_length(message)[1] <= 134
    assert not fits(compose(text + " bir söz", "") + " " + link)  # it was too long indeed


@pytest.mark.django_db
def test_the_sms_says_the_reference_and_links_to_the_portal_and_nothing_else(verified, settings):
    settings.PUBLIC_BASE_URL = "https://permits.example.gov.az"
    row = sms_row(
        verified,
        app_notices.INFO_REQUESTED,
        message="Send the passport of Əli Məmmədov, C12345678",
        due_date="2026-12-20",
    )

    text = sms_text(row)

    assert REFERENCE in text
    assert text.endswith(f" https://permits.example.gov.az{PATH}")
    for private in ("Əli", "Məmmədov", "C12345678", "passport of"):
        assert private not in text
    assert fits(text)


@pytest.fixture
def translated_kind():
    """A kind whose SMS text is a sentence the catalogues already translate."""
    code = kinds.register(
        kinds.NoticeKind(
            code="test_translated_sms",
            label="test",
            sms=gettext_lazy("Application approved"),
            sms_by_default=True,
        )
    )
    yield code
    kinds._KINDS.pop(code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"), [("tr", "Başvuru onaylandı"), ("en", "Application approved")]
)
def test_the_sms_is_in_the_recipients_language(translated_kind, language, words):
    student = UserFactory(preferred_language=language)
    verify(student)
    row = sms_row(student, translated_kind)

    assert row.language == language
    assert sms_text(row).startswith(words)


# --- the backends --------------------------------------------------------------------------


def test_the_backend_is_chosen_by_short_name_or_dotted_path(settings):
    settings.SMS_BACKEND = "console"
    assert isinstance(get_backend(), ConsoleBackend)
    settings.SMS_BACKEND = "notifications.sms.locmem.LocmemBackend"
    assert isinstance(get_backend(), locmem.LocmemBackend)
    settings.SMS_BACKEND = "http"
    settings.SMS_PROVIDER_URL = PROVIDER
    settings.SMS_PROVIDER_KEY = "key"
    assert isinstance(get_backend(), HttpBackend)


@pytest.mark.django_db
def test_the_console_backend_prints_the_sms(verified, settings, capsys):
    settings.SMS_BACKEND = "console"
    row = sms_row(verified)

    assert deliver(row.pk) is True

    out = capsys.readouterr().out
    assert f"SMS from {settings.SMS_SENDER} to {NUMBER}" in out
    assert REFERENCE in out
    assert f"{settings.PUBLIC_BASE_URL}{PATH}" in out
    row = fresh(row)
    assert row.state == Notification.State.SENT
    assert row.provider_message_id.startswith("console-")


@pytest.mark.django_db
def test_a_decision_reaches_a_verified_student_by_sms_in_the_console(
    application_in, settings, capsys, django_capture_on_commit_callbacks
):
    """What `make run` shows: the decision's SMS in the output of the process that sends it."""
    settings.SMS_BACKEND = "console"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    student = UserFactory(preferred_language="tr")
    verify(student)

    with django_capture_on_commit_callbacks(execute=True):
        application = application_in(Status.APPROVED, applicant=student)

    out = capsys.readouterr().out
    assert f"SMS from AZTR to {NUMBER}" in out
    # In the student's language (tr): the reference, never a name.
    assert f"{application.reference} numaralı" in out
    assert application.surname not in out
    link = f"{settings.PUBLIC_BASE_URL}{reverse('application-detail', args=[application.pk])}"
    assert link in out
    sms = Notification.objects.get(application=application, channel="sms")
    assert (sms.kind, sms.language, sms.recipient, sms.to_phone) == (
        app_notices.APPROVED,
        "tr",
        student,
        NUMBER,
    )
    assert sms.state == Notification.State.SENT
    email = Notification.objects.get(
        application=application, kind=app_notices.APPROVED, channel="email"
    )
    assert email.state == Notification.State.SENT


@pytest.mark.django_db
def test_a_student_without_a_verified_number_gets_no_sms_of_the_decision(application_in):
    application = application_in(Status.APPROVED)
    assert not Notification.objects.filter(application=application, channel="sms").exists()


# --- the HTTP provider ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_provider_gets_the_sms_and_its_id_is_kept(verified, http_provider, settings):
    http_provider.add(responses.POST, PROVIDER, json={"id": "prov-1"}, status=202)
    row = sms_row(verified)

    assert deliver(row.pk) is True

    [call] = http_provider.calls
    body = json.loads(call.request.body)
    assert body["to"] == NUMBER
    assert body["from"] == "AZTR"
    assert body["text"] == sms_text(row)
    assert body["status_callback"] == f"{settings.PUBLIC_BASE_URL}/notifications/sms/status/"
    assert call.request.headers["Authorization"] == "Bearer provider-key-123"
    assert call.request.headers["Idempotency-Key"] == idempotency_key(row) == body["reference"]
    assert call.request.req_kwargs["timeout"] == 4
    row = fresh(row)
    assert (row.state, row.attempts) == (Notification.State.SENT, 1)
    assert (row.provider_message_id, row.delivery_status) == ("prov-1", "accepted")


@pytest.mark.django_db
def test_a_provider_error_is_retried_with_backoff_and_the_retry_is_the_same_message(
    verified, http_provider
):
    http_provider.add(responses.POST, PROVIDER, json={"error": "busy"}, status=503)
    http_provider.add(responses.POST, PROVIDER, json={"message_id": "prov-2"}, status=200)
    with time_machine.travel(NOW, tick=False) as clock:
        row = sms_row(verified)

        assert deliver(row.pk) is False
        row = fresh(row)
        assert (row.state, row.attempts) == (Notification.State.PENDING, 1)
        assert row.next_attempt_at == NOW + timedelta(seconds=60)
        assert row.last_error.startswith("SmsError: The SMS provider answered 503")

        assert deliver(row.pk) is False  # not due yet: no request
        assert len(http_provider.calls) == 1

        clock.move_to(row.next_attempt_at)
        assert deliver(row.pk) is True

    first, second = http_provider.calls
    assert first.request.headers["Idempotency-Key"] == second.request.headers["Idempotency-Key"]
    assert first.request.body == second.request.body
    row = fresh(row)
    assert (row.state, row.attempts, row.provider_message_id) == (
        Notification.State.SENT,
        2,
        "prov-2",
    )
    assert row.last_error == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [requests.exceptions.ReadTimeout("read timed out"), requests.exceptions.ConnectTimeout()],
    ids=["read-timeout", "connect-timeout"],
)
def test_a_time_out_is_retried(verified, http_provider, failure):
    http_provider.add(responses.POST, PROVIDER, body=failure)
    http_provider.add(responses.POST, PROVIDER, json={"id": "prov-3"}, status=201)
    with time_machine.travel(NOW, tick=False) as clock:
        row = sms_row(verified)
        assert deliver(row.pk) is False
        row = fresh(row)
        assert row.state == Notification.State.PENDING
        assert "did not answer within 4 s" in row.last_error

        clock.move_to(row.next_attempt_at)
        assert deliver(row.pk) is True

    assert fresh(row).provider_message_id == "prov-3"


@pytest.mark.django_db
def test_a_connection_error_and_a_wrong_key_are_retried_too(verified, http_provider):
    http_provider.add(responses.POST, PROVIDER, body=requests.exceptions.ConnectionError("refused"))
    http_provider.add(responses.POST, PROVIDER, json={"error": "bad key"}, status=401)
    with time_machine.travel(NOW, tick=False) as clock:
        row = sms_row(verified)
        assert deliver(row.pk) is False
        clock.move_to(fresh(row).next_attempt_at)
        assert deliver(row.pk) is False
        row = fresh(row)
        assert (row.state, row.attempts) == (Notification.State.PENDING, 2)
        assert "answered 401" in row.last_error


@pytest.mark.django_db
def test_a_message_the_provider_refuses_fails_at_once(verified, http_provider):
    http_provider.add(responses.POST, PROVIDER, json={"error": "invalid number"}, status=400)
    with time_machine.travel(NOW, tick=False) as clock:
        row = sms_row(verified)

        assert deliver(row.pk) is False
        row = fresh(row)
        assert (row.state, row.attempts) == (Notification.State.FAILED, 1)
        assert row.last_error.startswith("SmsRefused: The SMS provider refused the message (400)")

        clock.shift(timedelta(hours=1))
        assert deliver(row.pk) is False
    assert len(http_provider.calls) == 1


@pytest.mark.django_db
def test_a_provider_that_keeps_failing_is_given_up_after_the_attempts(verified, http_provider):
    http_provider.add(responses.POST, PROVIDER, status=500)
    with time_machine.travel(NOW, tick=False) as clock:
        row = sms_row(verified)
        for attempt in (1, 2, 3):
            clock.move_to(fresh(row).next_attempt_at)
            assert deliver(row.pk) is False
            assert fresh(row).attempts == attempt
        row = fresh(row)
        assert row.state == Notification.State.FAILED
        assert row.next_attempt_at == NOW + timedelta(seconds=60 + 120)  # the third attempt's
        clock.shift(timedelta(hours=2))
        assert deliver(row.pk) is False
    assert len(http_provider.calls) == 3


@pytest.mark.django_db
def test_a_sent_sms_is_never_sent_again(verified, http_provider):
    http_provider.add(responses.POST, PROVIDER, json={"id": "prov-4"}, status=200)
    row = sms_row(verified)

    assert deliver(row.pk) is True
    assert deliver(row.pk) is False
    assert send_notification.apply(args=[row.pk]).get() is False  # a redelivered task

    assert len(http_provider.calls) == 1
    assert fresh(row).attempts == 1


@pytest.mark.django_db
def test_the_email_and_the_sms_of_a_notice_are_delivered_separately(
    verified, http_provider, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    http_provider.add(responses.POST, PROVIDER, status=503)
    sms = sms_row(verified)
    email = Notification.objects.get(channel=Notification.Channel.EMAIL)

    assert deliver(email.pk) is True
    assert deliver(sms.pk) is False

    assert len(mailoutbox) == 1
    assert (fresh(email).state, fresh(sms).state) == ("sent", "pending")


# --- a real worker -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_sends_the_sms_once_though_the_task_runs_twice(
    settings, smtp_sink, celery_worker, wait_until
):
    """The real path: the row committed, the send task on Redis, a worker thread sending it;
    the provider mocked at its edge (``responses`` patches requests process-wide)."""
    settings.SMS_BACKEND = "http"
    settings.SMS_PROVIDER_URL = PROVIDER
    settings.SMS_PROVIDER_KEY = "provider-key-123"
    student = UserFactory()
    verify(student)
    with responses.RequestsMock() as provider:
        provider.add(responses.POST, PROVIDER, json={"id": "prov-worker"}, status=200)
        notify_user(
            user=student,
            kind=app_notices.APPROVED,
            context={"reference": REFERENCE, "path": PATH},
            dedupe_key="test:worker",
        )  # autocommit: its on-commit hooks enqueue both rows now
        row = Notification.objects.get(channel="sms")
        again = send_notification.delay(row.pk)
        celery_worker.tasks.wait_for(again.id)
        wait_until(
            lambda: (
                fresh(row).state == Notification.State.SENT and len(celery_worker.tasks.runs()) >= 3
            ),
            what="both rows delivered and the second task run",
        )
        assert len(provider.calls) == 1
    smtp_sink.wait_for(1)
    assert fresh(row).provider_message_id == "prov-worker"


@pytest.mark.parametrize(
    "overrides",
    [{"SMS_PROVIDER_URL": None}, {"SMS_PROVIDER_KEY": None}, {"SMS_CALLBACK_SECRET": "short"}],
    ids=["no-url", "no-key", "short-secret"],
)
def test_production_refuses_the_http_backend_without_its_settings(overrides):
    from tests.security.test_deploy_settings import manage

    result = manage("check", **overrides)

    assert result.returncode != 0
    assert "SMS_BACKEND=http needs SMS_PROVIDER_URL, SMS_PROVIDER_KEY" in result.stderr
