"""The outbox end to end: committed rows, a real Celery worker, a real SMTP server. Each test
with the worker runs on Redis and on RabbitMQ (ids ``[redis]``, ``[rabbitmq]``: conftest.py).

Transactional tests: the worker runs in a thread with its own database connection, so it only
sees what the test has committed. No clock is frozen while the worker runs (time_machine would
move the worker's clock too); only the SMTP-failure test, which needs no worker, travels.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from applications import notices as app_notices
from applications.models import Application, Status
from notifications.models import Notification
from notifications.tasks import (
    deliver,
    requeue_due_notifications,
    send_notification,
    send_notifications,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ISTANBUL = ZoneInfo("Europe/Istanbul")
# The factory's application is eligible on the worked example's date (its programme ends 2028).
SUBMISSION_DAY = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)
SEND_TASK = send_notification.name


def submit(application_in, **fields) -> Application:
    """A submitted application, submitted on SUBMISSION_DAY. The clock ticks, so the worker's
    timers run normally; its ``deliver`` sees the row as due whatever the date."""
    with time_machine.travel(SUBMISSION_DAY, tick=True):
        return application_in(Status.SUBMITTED, **fields)


def sent(notification: Notification) -> Notification | None:
    return Notification.objects.filter(pk=notification.pk, state=Notification.State.SENT).first()


def outbox_row(recipient, *, key: str) -> Notification:
    """A pending row written directly (no on-commit enqueue): the test decides who sends it."""
    return Notification.objects.create(
        kind=app_notices.SUBMITTED,
        recipient=recipient,
        to_email=recipient.email,
        language=recipient.preferred_language,
        context={"reference": "AZTR-2024-000321", "path": "/applications/321/"},
        dedupe_key=key,
    )


def test_a_submission_is_emailed_by_the_worker_in_the_students_language(
    application_in, settings, smtp_sink, celery_worker, wait_until
):
    student = UserFactory(preferred_language="tr")

    application = submit(application_in, applicant=student)

    [received] = smtp_sink.wait_for(1)
    assert received.rcpt_tos == (student.email,)
    assert received.message["To"] == student.email
    assert application.reference in received.subject
    assert "başvurunuzu aldık" in received.subject  # Turkish, as the student chose
    assert application.reference in received.text
    link = f"{settings.PUBLIC_BASE_URL}{reverse('application-detail', args=[application.pk])}"
    assert link in received.text
    assert f'href="{link}"' in received.html
    notification = wait_until(
        lambda: sent(Notification.objects.get(application=application)), what="state sent"
    )
    assert notification.attempts == 1
    assert notification.language == "tr"
    # The row is marked sent before the task returns (it may go on to other due rows).
    [run] = wait_until(lambda: celery_worker.tasks.runs(SEND_TASK), what="the send task's end")
    assert run.retval is True


def test_a_broker_outage_commits_the_change_and_the_sweep_sends_it_later(
    application_in, smtp_sink, celery_worker, caplog, wait_until
):
    with (
        celery_worker.broker_unreachable(),
        caplog.at_level(logging.WARNING, logger="notifications.services"),
    ):
        application = submit(application_in)

    # The submission committed; its notice waits in the outbox.
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    notification = Notification.objects.get(application=application)
    assert (notification.state, notification.attempts) == (Notification.State.PENDING, 0)
    assert f"notification {notification.pk} waits for the sweep" in caplog.text
    assert celery_worker.queued() == 0
    assert celery_worker.tasks.runs() == []
    assert smtp_sink.messages == []

    # The broker is back: the minute sweep (here run by the worker) sends it.
    sweep = requeue_due_notifications.delay()
    assert celery_worker.tasks.wait_for(sweep.id).retval == 1
    [received] = smtp_sink.wait_for(1)
    assert application.reference in received.subject
    wait_until(lambda: sent(notification), what="state sent")

    # The next sweep finds nothing due and nothing more is sent.
    again = requeue_due_notifications.delay()
    assert celery_worker.tasks.wait_for(again.id).retval == 0
    # One send: the minute sweep's message of due ids.
    assert [run.retval for run in celery_worker.tasks.runs(send_notifications.name)] == [1]
    assert celery_worker.tasks.runs(SEND_TASK) == []
    assert len(smtp_sink.messages) == 1


def test_the_send_task_run_twice_sends_one_email(student, smtp_sink, celery_worker):
    notification = outbox_row(student, key="test:twice")

    first = send_notification.delay(notification.pk)
    second = send_notification.delay(notification.pk)

    runs = [celery_worker.tasks.wait_for(result.id) for result in (first, second)]
    assert sorted(run.retval for run in runs) == [False, True]
    assert len(smtp_sink.messages) == 1
    assert smtp_sink.messages[0].rcpt_tos == (student.email,)
    row = Notification.objects.get(pk=notification.pk)
    assert (row.state, row.attempts) == (Notification.State.SENT, 1)


def test_two_concurrent_deliveries_of_one_row_send_one_email(student, smtp_sink):
    """The claim is one conditional UPDATE: of two racing senders exactly one wins."""
    notification = outbox_row(student, key="test:race")
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def sender() -> None:
        try:
            barrier.wait(timeout=10)
            result = deliver(notification.pk)
            with lock:
                results.append(result)
        except BaseException as exc:  # reported to the main thread below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(results) == [False, True]
    assert len(smtp_sink.messages) == 1
    assert Notification.objects.get(pk=notification.pk).attempts == 1


def test_an_unreachable_smtp_server_is_retried_with_backoff_then_given_up(
    settings, smtp_sink, closed_port, student
):
    settings.EMAIL_PORT = closed_port
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    start = SUBMISSION_DAY

    with time_machine.travel(start, tick=False) as clock:
        notification = outbox_row(student, key="test:smtp-down")

        assert deliver(notification.pk) is False
        row = Notification.objects.get(pk=notification.pk)
        assert (row.state, row.attempts) == (Notification.State.PENDING, 1)
        assert row.next_attempt_at == start + timedelta(seconds=60)
        assert row.last_error.startswith("ConnectionRefusedError")

        assert deliver(notification.pk) is False  # not due yet: no attempt
        assert Notification.objects.get(pk=notification.pk).attempts == 1

        clock.move_to(row.next_attempt_at)
        assert deliver(notification.pk) is False
        row = Notification.objects.get(pk=notification.pk)
        assert (row.state, row.attempts) == (Notification.State.PENDING, 2)
        assert row.next_attempt_at == start + timedelta(seconds=60 + 120)

        clock.move_to(row.next_attempt_at)
        assert deliver(notification.pk) is False
        row = Notification.objects.get(pk=notification.pk)
        assert (row.state, row.attempts) == (Notification.State.FAILED, 3)
        assert row.last_error.startswith("ConnectionRefusedError")

        clock.shift(timedelta(hours=1))
        assert deliver(notification.pk) is False
        assert Notification.objects.get(pk=notification.pk).attempts == 3

    assert smtp_sink.messages == []
