"""Notifications sent through a real Celery worker on Redis into an SMTP sink: emails per second."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import common  # this folder is not a package
from progress import log


class CountingSink:
    """An aiosmtpd handler that only counts the messages it accepts."""

    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        with self._lock:
            self.received += 1
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _notifications(count: int) -> list[int]:
    """``count`` pending notices to seeded students, in their languages; their ids."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import User
    from applications import notices as app_notices
    from applications.models import Application
    from notifications.models import Notification

    about_type = ContentType.objects.get_for_model(Application)
    Notification.objects.filter(dedupe_key__startswith="bench-email:").delete()
    students = list(
        User.objects.filter(email__endswith="@bulk.example.com", profile__isnull=False)
        .order_by("pk")
        .values_list("pk", "email", "preferred_language")[:1000]
    )
    applications = dict(
        Application.objects.filter(applicant_id__in=[s[0] for s in students])
        .exclude(reference=None)
        .values_list("applicant_id", "pk")
    )
    rows = []
    for n in range(count):
        pk, email, language = students[n % len(students)]
        rows.append(
            Notification(
                recipient_id=pk,
                to_email=email,
                about_type=about_type if pk in applications else None,
                about_id=applications.get(pk),
                kind=app_notices.SUBMITTED,
                language=language,
                context={
                    "reference": f"AZTR-2026-{n:06d}",
                    "path": "/dashboard/",
                    "date": "2026-11-27",
                },
                dedupe_key=f"bench-email:{n}",
            )
        )
    return [n.pk for n in Notification.objects.bulk_create(rows, batch_size=2000)]


def emails(count: int, *, pool: str = "prefork", processes: int = 2, threads: int = 8) -> dict:
    """Send ``count`` notices through real workers into an SMTP sink; emails per second.

    The tasks are queued first, then the workers start: the rate is the workers' own, from the
    first email sent to the last (``sent_at``), not the speed of this process's enqueueing.
    """
    import redis
    from aiosmtpd.controller import Controller
    from django.db.models import Max, Min

    from notifications.models import Notification
    from notifications.tasks import send_notification

    broker = redis.Redis.from_url(common.BROKER_URL)
    broker.flushdb()
    ids = _notifications(count)
    log(f"Queueing {count} emails ...")
    for pk in ids:
        send_notification.delay(pk)

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CELERY_BROKER_URL": common.BROKER_URL,
    }
    # prefork: one worker whose two child processes each send one email at a time (Celery's
    # default pool). threads: two worker processes, each sending with `threads` threads.
    if pool == "prefork":
        commands = [["--pool=prefork", f"--concurrency={processes}", "--hostname=bench@%h"]]
    else:
        commands = [
            ["--pool=threads", f"--concurrency={threads}", f"--hostname=bench{n}@%h"]
            for n in range(processes)
        ]
    worker_log = (common.RESULTS / "worker.log").open("w")
    log(f"Sending them through {processes} worker processes ({pool}) ...")
    started = time.perf_counter()
    workers = [
        subprocess.Popen(  # noqa: S603 (our own venv's celery, fixed arguments)
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "portal",
                "worker",
                *options,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=common.ROOT,
            env=env,
            # The workers' banners and logs go to a file: stdout carries only the JSON.
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        for options in commands
    ]
    try:
        pending = Notification.objects.filter(pk__in=ids, state=Notification.State.PENDING)
        deadline = time.monotonic() + 900
        while (
            pending.exists()
            or Notification.objects.filter(pk__in=ids, state=Notification.State.SENDING).exists()
        ):
            if any(w.poll() is not None for w in workers):
                raise RuntimeError("A Celery worker stopped: see bench/results/worker.log")
            if time.monotonic() > deadline:
                raise RuntimeError("The emails were not all sent within 15 minutes.")
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        controller.stop()
        worker_log.close()
        broker.flushdb()
    sent = Notification.objects.filter(pk__in=ids, state=Notification.State.SENT)
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    return {
        "emails": count,
        "worker_processes": processes,
        "pool": pool if pool == "prefork" else f"threads ({threads} per process)",
        "sent": sent.count(),
        "failed": Notification.objects.filter(pk__in=ids, state=Notification.State.FAILED).count(),
        "received_by_sink": sink.received,
        "first_to_last_sent_seconds": round(seconds, 2),
        "emails_per_second": round((sent.count() - 1) / seconds, 1),
        "wall_seconds_with_worker_start": round(wall, 2),
    }
