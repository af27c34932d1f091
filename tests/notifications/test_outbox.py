"""The notification outbox without a worker: rows written with the change, delivered by
``deliver`` (directly or through eager Celery tasks) to Django's locmem mailbox."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from applications import notices as app_notices
from applications import workflow
from applications.models import Application, ApplicationEvent, Status
from applications.services import message_send
from notifications.kinds import ACCOUNT
from notifications.models import Notification
from notifications.tasks import backoff, deliver, requeue_due_notifications
from portal.celery import app as celery_app
from tests.factories import ApplicationFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)
SUBMITTED_SUBJECT = "We received your application %(reference)s"
# A word any translation of that subject contains: "application" in each language.
APPLICATION_WORD = {"az": "müraciət", "tr": "başvuru", "en": "application"}
PORTAL_NAME = "Azerbaijan–Türkiye student permit portal"
SIGN_UP_PASSWORD = "Gecə-Yolu-2024!"


class Rollback(Exception):
    pass


class FailingBackend(BaseEmailBackend):
    """An SMTP relay that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("relay refused the message")


# What the sweep inside SweepDuringSendBackend enqueued; None until it ran.
SWEEP: dict[str, int | None] = {"enqueued": None}


class SweepDuringSendBackend(LocmemBackend):
    """Delivers to ``mail.outbox``, but the minute sweep fires once while the message is sent."""

    def send_messages(self, email_messages):
        if "started" not in SWEEP:
            SWEEP["started"] = True  # before sweeping: a resend must not sweep again
            SWEEP["enqueued"] = requeue_due_notifications()
        return super().send_messages(email_messages)


def dotted(backend: type) -> str:
    # Under whatever name pytest imported this module.
    return f"{backend.__module__}.{backend.__qualname__}"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    assert celery_app.conf.task_always_eager  # no broker: .delay() runs the task here


def outbox_row(recipient, **fields) -> Notification:
    """A row as the services write it, without the on-commit enqueue."""
    fields.setdefault("kind", app_notices.SUBMITTED)
    fields.setdefault("context", {"reference": "AZTR-2024-000777", "path": "/applications/1/"})
    fields.setdefault("dedupe_key", f"test:{Notification.objects.count()}")
    return Notification.objects.create(
        recipient=recipient,
        to_email=recipient.email,
        language=recipient.preferred_language,
        **fields,
    )


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def detail_link(settings, application: Application) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('application-detail', args=[application.pk])}"


# --- written with the change -----------------------------------------------------------------


def test_a_submission_writes_one_pending_notice_sent_only_after_commit(
    application_in, django_capture_on_commit_callbacks, mailoutbox
):
    draft = application_in(Status.DRAFT, applicant=UserFactory(preferred_language="tr"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submitted = workflow.application_submit(
            application_id=draft.pk, actor=draft.applicant, expected_version=draft.version
        )
        # Inside the transaction: the row is there, nothing is sent yet.
        notification = Notification.objects.get()
        assert notification.state == Notification.State.PENDING
        assert mailoutbox == []

    event = ApplicationEvent.objects.get(
        application=draft, kind=ApplicationEvent.Kind.STATUS_CHANGED, to_status=Status.SUBMITTED
    )
    assert notification.kind == app_notices.SUBMITTED
    assert notification.language == "tr" == draft.applicant.preferred_language
    assert notification.dedupe_key == f"event:{event.pk}"
    assert notification.recipient == draft.applicant
    assert notification.to_email == draft.applicant.email
    assert notification.about == draft
    assert notification.context["reference"] == submitted.reference
    assert notification.attempts == 0
    # The only on-commit hook is the enqueue; run (eagerly) after the commit, it sends the row.
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert fresh(notification).state == Notification.State.SENT


def submit_in_failing_transaction(draft: Application) -> None:
    """Submit inside a transaction that fails afterwards; report the notices seen inside it."""
    with transaction.atomic():
        workflow.application_submit(
            application_id=draft.pk, actor=draft.applicant, expected_version=draft.version
        )
        raise Rollback(Notification.objects.filter(application=draft).count())


def test_the_notice_is_rolled_back_with_the_submission(
    application_in, django_capture_on_commit_callbacks, mailoutbox
):
    draft = application_in(Status.DRAFT)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback) as rolled_back,
    ):
        submit_in_failing_transaction(draft)

    assert rolled_back.value.args == (1,)  # written inside the transaction...
    assert not Notification.objects.exists()  # ...and gone with it
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert callbacks == []
    assert mailoutbox == []


def test_a_failed_submission_writes_no_notice(django_capture_on_commit_callbacks):
    # A complete form but no documents: the checklist is not met.
    draft = ApplicationFactory(declaration_accepted_at=NOW)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(workflow.IncompleteApplication),
    ):
        workflow.application_submit(
            application_id=draft.pk, actor=draft.applicant, expected_version=draft.version
        )

    assert not Notification.objects.exists()
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert callbacks == []


# --- delivery --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "browsing_in"), [("az", "en"), ("tr", "az"), ("en", "tr")], ids=str
)
def test_delivery_sends_one_email_in_the_recipients_language(
    application_in, settings, mailoutbox, language, browsing_in
):
    student = UserFactory(preferred_language=language)
    application = application_in(Status.SUBMITTED, applicant=student)
    notification = Notification.objects.get(application=application)
    reference = application.reference

    # Whatever language is active where the task runs, the recipient's is used.
    with translation.override(browsing_in):
        assert deliver(notification.pk) is True

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [student.email]
    with translation.override(language):
        expected_subject = gettext(SUBMITTED_SUBJECT) % {"reference": reference}
        portal_name = gettext(PORTAL_NAME)
    assert message.subject == expected_subject
    assert APPLICATION_WORD[language] in message.subject.lower(), message.subject
    assert reference in message.body
    assert portal_name in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert reference in html
    assert f'lang="{language}"' in html
    link = detail_link(settings, application)
    assert link in message.body
    assert f'href="{link}"' in html

    notification = fresh(notification)
    assert notification.state == Notification.State.SENT
    assert notification.sent_at == NOW
    assert notification.attempts == 1
    assert notification.last_error == ""

    # A second run of the task finds the row claimed and sent: nothing more goes out.
    assert deliver(notification.pk) is False
    assert len(mailoutbox) == 1
    assert fresh(notification).attempts == 1


def test_the_catalogues_translate_the_submission_subject():
    """The emails above are only Azerbaijani and Turkish if the catalogues say so."""
    for language in ("az", "tr"):
        with translation.override(language):
            translated = gettext(SUBMITTED_SUBJECT)
        assert translated != SUBMITTED_SUBJECT, f"no {language} translation of the subject"
        assert "%(reference)s" in translated


def test_backoff_doubles_from_the_base_delay():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
        timedelta(seconds=480),
    ]


def test_a_failing_backend_is_retried_with_backoff_then_given_up(
    settings, student, clock, mailoutbox
):
    settings.EMAIL_BACKEND = dotted(FailingBackend)
    notification = outbox_row(student)

    assert deliver(notification.pk) is False
    row = fresh(notification)
    assert row.state == Notification.State.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(seconds=60)
    assert row.last_error == "SMTPException: relay refused the message"

    # Not due yet: the task does nothing, not even count an attempt.
    clock.shift(timedelta(seconds=59))
    assert deliver(notification.pk) is False
    assert fresh(notification).attempts == 1

    clock.shift(timedelta(seconds=1))
    assert deliver(notification.pk) is False
    row = fresh(notification)
    assert (row.state, row.attempts) == (Notification.State.PENDING, 2)
    assert row.next_attempt_at == NOW + timedelta(seconds=60 + 120)

    clock.move_to(row.next_attempt_at)
    assert deliver(notification.pk) is False
    row = fresh(notification)
    assert (row.state, row.attempts) == (Notification.State.FAILED, 3)  # MAX_ATTEMPTS
    assert row.last_error == "SMTPException: relay refused the message"
    assert row.sent_at is None

    # Given up for good: later runs leave it alone.
    clock.shift(timedelta(days=1))
    assert deliver(notification.pk) is False
    assert fresh(notification).attempts == 3
    assert mailoutbox == []


def test_a_later_attempt_that_works_clears_the_error(settings, student, clock, mailoutbox):
    settings.EMAIL_BACKEND = dotted(FailingBackend)
    notification = outbox_row(student)
    assert deliver(notification.pk) is False

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(fresh(notification).next_attempt_at)
    assert deliver(notification.pk) is True

    row = fresh(notification)
    assert (row.state, row.attempts, row.last_error) == (Notification.State.SENT, 2, "")
    assert len(mailoutbox) == 1


# --- the minute sweep ------------------------------------------------------------------------


def test_the_sweep_sends_what_is_due_and_leaves_the_rest(student, mailoutbox):
    due = outbox_row(student, next_attempt_at=NOW - timedelta(minutes=3))
    due_now = outbox_row(student)
    later = outbox_row(student, next_attempt_at=NOW + timedelta(minutes=5))
    sent = outbox_row(student, state=Notification.State.SENT, attempts=1)
    failed = outbox_row(student, state=Notification.State.FAILED, attempts=3)

    result = requeue_due_notifications.delay()

    assert result.get() == 2
    assert sorted(message.to[0] for message in mailoutbox) == [student.email] * 2
    assert fresh(due).state == fresh(due_now).state == Notification.State.SENT
    later = fresh(later)
    assert (later.state, later.attempts) == (Notification.State.PENDING, 0)
    assert fresh(sent).attempts == 1
    assert (fresh(failed).state, fresh(failed).attempts) == (Notification.State.FAILED, 3)

    # Nothing left that is due.
    assert requeue_due_notifications.delay().get() == 0
    assert len(mailoutbox) == 2


def test_the_sweep_frees_notices_stuck_in_sending(student, mailoutbox):
    # A worker claimed this row eleven minutes ago and died; another is sending right now.
    stuck = outbox_row(
        student,
        state=Notification.State.SENDING,
        attempts=1,
        next_attempt_at=NOW - timedelta(minutes=11),
    )
    busy = outbox_row(student, state=Notification.State.SENDING, attempts=1, next_attempt_at=NOW)

    assert requeue_due_notifications.delay().get() == 1

    stuck = fresh(stuck)
    assert (stuck.state, stuck.attempts) == (Notification.State.SENT, 2)
    busy = fresh(busy)
    assert (busy.state, busy.attempts) == (Notification.State.SENDING, 1)
    assert len(mailoutbox) == 1


def test_a_sweep_during_the_send_of_a_long_overdue_notice_does_not_send_it_again(
    settings, student, mailoutbox
):
    # Due half an hour ago (the broker was down); being sent now when the sweep fires.
    settings.EMAIL_BACKEND = dotted(SweepDuringSendBackend)
    SWEEP.clear()
    overdue = outbox_row(student, next_attempt_at=NOW - timedelta(minutes=30))

    assert deliver(overdue.pk) is True

    assert len(mailoutbox) == 1
    assert SWEEP["enqueued"] == 0  # the sweep saw a row being sent, not a stuck one
    assert fresh(overdue).state == Notification.State.SENT


# --- messages and account emails -------------------------------------------------------------


def test_a_students_message_notifies_the_assigned_officer(application_in, settings, mailoutbox):
    officer = OfficerFactory(preferred_language="tr")
    application = application_in(
        Status.UNDER_REVIEW, officer=officer, applicant=UserFactory(preferred_language="az")
    )

    message = message_send(
        application_id=application.pk, actor=application.applicant, body="Salam, sualım var."
    )

    notification = Notification.objects.get(dedupe_key=f"message:{message.pk}")
    assert notification.kind == app_notices.MESSAGE
    assert notification.recipient == officer
    assert notification.to_email == officer.email
    assert notification.language == "tr"
    review = reverse("officer-review", args=[application.pk])
    assert notification.context == {"reference": application.reference, "path": review}

    assert deliver(notification.pk) is True
    [email] = mailoutbox
    assert email.to == [officer.email]
    assert application.reference in email.subject
    assert f"{settings.PUBLIC_BASE_URL}{review}" in email.body


def test_an_officers_message_notifies_the_student(application_in, settings, mailoutbox):
    officer = OfficerFactory(preferred_language="tr")
    student = UserFactory(preferred_language="az")
    application = application_in(Status.UNDER_REVIEW, officer=officer, applicant=student)

    message = message_send(
        application_id=application.pk, actor=officer, body="Pasaportunuzun kopyasını yükleyin."
    )

    notification = Notification.objects.get(dedupe_key=f"message:{message.pk}")
    assert notification.kind == app_notices.MESSAGE
    assert (notification.recipient, notification.language) == (student, "az")
    assert deliver(notification.pk) is True
    [email] = mailoutbox
    assert email.to == [student.email]
    assert detail_link(settings, application) in email.body


def test_a_message_before_any_officer_is_assigned_notifies_nobody(application_in):
    application = application_in(Status.SUBMITTED)

    message_send(application_id=application.pk, actor=application.applicant, body="Salam.")

    assert not Notification.objects.filter(kind=app_notices.MESSAGE).exists()


def test_the_sign_up_verification_email_goes_through_the_outbox(
    client_for, fresh_cache, mailoutbox
):
    response = client_for().post(
        reverse("account_signup"),
        {
            "email": "leyla@example.com",
            "password1": SIGN_UP_PASSWORD,
            "password2": SIGN_UP_PASSWORD,
        },
    )

    assert response.status_code == 302
    notification = Notification.objects.get(kind=ACCOUNT)
    assert notification.to_email == "leyla@example.com"
    assert notification.language == "en"  # the language the page was asked in
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 1
    [email] = mailoutbox
    assert email.to == ["leyla@example.com"]
    assert email.subject == notification.context["subject"]
    assert email.body == notification.context["text"]
    assert "/accounts/confirm-email/" in email.body


def test_a_row_whose_sends_keep_killing_the_worker_ends_as_failed(settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    start = datetime(2025, 1, 1, 12, 0, tzinfo=ZoneInfo("Europe/Istanbul"))
    user = UserFactory()
    with time_machine.travel(start, tick=False):
        notification = Notification.objects.create(
            kind=app_notices.MESSAGE,
            to_email=user.email,
            language="en",
            dedupe_key="stuck-forever",
            state=Notification.State.SENDING,
            attempts=3,
            next_attempt_at=start,
        )
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        requeue_due_notifications()
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.last_error
