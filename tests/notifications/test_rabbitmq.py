"""What is RabbitMQ's own in the outbox. (The shared worker tests run on both brokers: see
``broker_url`` in conftest.py.)

- The settings choose the transport options by the broker URL's scheme: Redis's visibility
  timeout, RabbitMQ's publisher confirms.
- ``/healthz/`` checks an ``amqp://`` broker as it checks a ``redis://`` one.
- A worker killed outright in the middle of a send: RabbitMQ requeues the message it had not
  acknowledged (acks_late) as soon as the worker's connection drops — Redis would hold it for the
  visibility timeout, an hour — so another worker runs the send again at once. That run sends
  nothing (the dead worker's claim still holds the row); the minute sweep frees the row once the
  claim is stale, and exactly one email arrives.
"""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications import notices as app_notices
from notifications.models import Notification
from notifications.tasks import (
    STUCK_AFTER,
    requeue_due_notifications,
    send_notification,
    send_notifications,
)
from portal.celery import app as celery_app
from tests.factories import UserFactory
from tests.notifications.conftest import (
    TRANSPORT_OPTIONS,
    UNREACHABLE_BROKER_URLS,
    broker_queues,
    conf_overrides,
)

ROOT = Path(__file__).resolve().parents[2]
SEND_TASK = send_notification.name


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("", "redis"),  # no broker: eager, and the options are Redis's (harmless)
        ("redis://127.0.0.1:6379/0", "redis"),
        ("amqp://guest:guest@127.0.0.1:5672//", "rabbitmq"),
        ("amqps://portal:secret@mq.example.internal:5671/portal", "rabbitmq"),
    ],
    ids=["unset", "redis", "amqp", "amqps"],
)
def test_the_settings_choose_the_transport_options_by_the_broker_scheme(monkeypatch, url, kind):
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT", raising=False)

    values = runpy.run_path(str(ROOT / "portal" / "settings.py"))

    # The test workers (conftest.py) use the same, so they run as production would.
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"] == TRANSPORT_OPTIONS[kind]


@pytest.mark.django_db
def test_the_health_check_reaches_rabbitmq_and_reports_it_down(
    client, settings, monkeypatch, rabbitmq_url
):
    for variable in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(variable, raising=False)  # they would win over app.conf
    settings.CELERY_TASK_ALWAYS_EAGER = False
    options = TRANSPORT_OPTIONS["rabbitmq"]

    with conf_overrides(celery_app.conf, broker_url=rabbitmq_url, broker_transport_options=options):
        up = client.get(reverse("healthz"))
    with conf_overrides(
        celery_app.conf,
        broker_url=UNREACHABLE_BROKER_URLS["rabbitmq"],
        broker_transport_options=options,
    ):
        down = client.get(reverse("healthz"))

    assert up.status_code == 200
    assert up.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert down.status_code == 503
    assert down.json()["down"] == ["broker"]
    assert down.json()["checks"]["broker"].startswith("down: ")


# --- a worker killed mid-send ----------------------------------------------------------------


def _database_url() -> str:
    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    return (
        f"postgres://{quote(database['USER'], safe='')}{password}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )


@dataclass
class DoomedWorker:
    """A real worker in its own process (solo pool), configured by the environment as in
    production; the test kills it. Its output goes to ``log``."""

    environment: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
                [
                    str(Path(sys.executable).with_name("celery")),
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    "--hostname=doomed@%h",
                ],
                cwd=ROOT,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return self.process

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def doomed_worker(rabbitmq_url, smtp_sink, tmp_path) -> Iterator[DoomedWorker]:
    """A worker process on RabbitMQ, on the test database, sending to ``smtp_sink``."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("CELERY_")
    } | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": rabbitmq_url,
        "EMAIL_URL": f"smtp://{smtp_sink.host}:{smtp_sink.port}",
    }
    worker = DoomedWorker(environment, tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_send_is_redelivered_at_once_and_the_notice_sent_once(
    rabbitmq_url, smtp_sink, doomed_worker, start_celery_worker, wait_until
):
    student = UserFactory(preferred_language="en")
    notice = Notification.objects.create(  # committed; no on-commit enqueue: the test sends it
        kind=app_notices.MESSAGE,
        recipient=student,
        to_email=student.email,
        language="en",
        context={"reference": "AZTR-2026-000001", "path": "/"},
        dedupe_key="test:rabbitmq-killed",
    )
    smtp_sink.hold_next()
    publisher = Celery(broker=rabbitmq_url, set_as_current=False)
    try:
        publisher.send_task(SEND_TASK, args=[notice.pk])
    finally:
        publisher.close()

    # The worker claims the row and is killed (SIGKILL, the whole worker) in the SMTP DATA step.
    worker = doomed_worker.start()
    if not smtp_sink.holding.wait(timeout=30):
        raise AssertionError(
            "The worker never reached the SMTP DATA step:\n" + doomed_worker.log.read_text()
        )
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    smtp_sink.release.set()

    # RabbitMQ has the unacknowledged message back in the queue at once.
    queues = broker_queues(rabbitmq_url)
    try:
        wait_until(lambda: queues.queued() == 1, timeout=5, what="RabbitMQ to requeue the send")
    finally:
        queues.close()
    row = Notification.objects.get(pk=notice.pk)
    assert (row.state, row.attempts) == (Notification.State.SENDING, 1)
    assert smtp_sink.messages == []

    with start_celery_worker(rabbitmq_url) as survivor:
        # Another worker runs the redelivered send: the row is still claimed, nothing is sent.
        [rerun] = wait_until(lambda: survivor.tasks.runs(SEND_TASK), what="the redelivered send")
        assert rerun.redelivered
        assert rerun.retval is False
        row = Notification.objects.get(pk=notice.pk)
        assert (row.state, row.attempts) == (Notification.State.SENDING, 1)

        # Time passes (the claim becomes stale); the minute sweep frees the row and sends it.
        Notification.objects.filter(pk=notice.pk).update(
            next_attempt_at=timezone.now() - STUCK_AFTER - timedelta(minutes=1)
        )
        sweep = requeue_due_notifications.delay()
        assert survivor.tasks.wait_for(sweep.id).retval == 1
        [received] = smtp_sink.wait_for(1)
        assert received.rcpt_tos == (student.email,)
        row = wait_until(
            lambda: Notification.objects.filter(
                pk=notice.pk, state=Notification.State.SENT
            ).first(),
            what="state sent",
        )
        assert row.attempts == 2

        # Nothing is due any more, and nothing else was sent.
        again = requeue_due_notifications.delay()
        assert survivor.tasks.wait_for(again.id).retval == 0
        # The redelivery sent nothing; the minute sweep's message (a list of ids) sent the row.
        assert [run.retval for run in survivor.tasks.runs(SEND_TASK)] == [False]
        assert [run.retval for run in survivor.tasks.runs(send_notifications.name)] == [1]
        assert survivor.queued() == 0
    assert len(smtp_sink.messages) == 1
