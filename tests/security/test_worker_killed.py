"""Fault: the worker process is killed in the middle of sending a notice.

A real Celery worker (a subprocess, prefork pool) takes the send from Redis; the SMTP sink holds
the message's DATA open; the pool process is killed with SIGKILL. Celery gives the task back
(acks_late + reject_on_worker_lost) and another pool process runs it again — but the row is
still claimed by the dead process, so the redelivery sends nothing. The minute sweep frees the
row once the claim is older than STUCK_AFTER, and exactly one email arrives.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from celery import Celery
from django.db import connection
from django.utils import timezone

from applications import notices as app_notices
from notifications.models import Notification
from notifications.tasks import STUCK_AFTER, requeue_due_notifications
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = "redis://127.0.0.1:6379/12"


def wait_until(predicate, *, timeout=30.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout:g} s for {what}.")
        time.sleep(0.05)
    return result


class HoldingSink:
    """Accepts messages, except that it holds the first one's DATA open until released."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()
        self.accepted: list[bytes] = []
        self._first = True

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        if self._first:
            self._first = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Aborted"
        self.accepted.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def sink(settings):
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = HoldingSink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    handler.port = port
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


@pytest.fixture
def worker(sink):
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    database = connection.settings_dict
    environment = os.environ | {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    process = subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        broker.flushdb()


def pool_process(parent: int) -> int:
    found = subprocess.run(  # noqa: S603
        ["/usr/bin/pgrep", "-P", str(parent)], capture_output=True, text=True, check=False
    )
    children = [int(pid) for pid in found.stdout.split()]
    return children[0] if children else 0


def test_a_send_killed_midway_is_delivered_once(sink, worker):
    student = UserFactory(preferred_language="en")
    # Written directly, not through notification_create: this test process runs Celery
    # eagerly, and the send must happen in the worker.
    notice = Notification.objects.create(
        kind=app_notices.MESSAGE,
        to_email=student.email,
        language="en",
        recipient=student,
        dedupe_key="killed-midway",
        context={"reference": "AZTR-2026-000001", "path": "/"},
    )

    Celery(broker=BROKER_URL).send_task("notifications.tasks.send_notification", args=[notice.pk])
    assert sink.holding.wait(timeout=60), "the worker never reached the SMTP DATA step"
    victim = wait_until(lambda: pool_process(worker.pid), what="the pool process")
    os.kill(victim, signal.SIGKILL)

    # Celery starts a new pool process and runs the task again: the row is still claimed.
    wait_until(lambda: pool_process(worker.pid) not in (0, victim), what="a new pool process")
    time.sleep(3)
    row = Notification.objects.get(pk=notice.pk)
    assert row.state == Notification.State.SENDING
    assert sink.accepted == []

    # The minute sweep, once the claim is older than STUCK_AFTER, frees the row and sends it.
    later = timezone.now() + STUCK_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        requeue_due_notifications()
        requeue_due_notifications()
    wait_until(lambda: sink.accepted, what="the email")
    time.sleep(1)
    assert len(sink.accepted) == 1
    row = Notification.objects.get(pk=notice.pk)
    assert row.state == Notification.State.SENT
    assert row.attempts == 2
    # The worker's own account: the pool process was lost, and the redelivered run sent nothing.
    worker.terminate()
    log = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "WorkerLostError" in log
    assert "send_notification" in log
    assert ": False" in log
