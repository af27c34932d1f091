"""Notices through real Celery workers: e-mails into an SMTP sink, SMS into a fake provider.

One run measures, against the same receiver each time:

- the workers: ``count`` e-mail rows (then ``count`` SMS rows) and their sends queued first on
  Redis as the sweeps queue them (``send_notifications``, ENQUEUE_BATCH ids to a message), then
  one worker (``--pool=prefork --concurrency=2``: two worker processes, or ``threads``)
  started; the rate is from the first message the receiver got to the last, so it is the
  workers', not their start-up's nor the enqueueing's. Every row must end "sent", and each
  row's message arrive once (its Message-ID for e-mail, its idempotency key for SMS). The
  e-mails once more with a task per row (``send_notification``, as a notice written on its
  own is queued);
- the ceiling: two plain processes sending the same messages (rendered beforehand, by
  ``build_email`` and the HTTP backend's own request) on one persistent connection each, with
  ``smtplib`` and ``requests.Session``. ``*_to_ceiling_ratio`` is workers ÷ ceiling.

The receivers run in this process: aiosmtpd, and a threaded HTTP server that answers like the
provider ``notifications/sms/http.py`` expects (202, ``{"id": ...}``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import common  # this folder is not a package
import outbox_aside
from delivery_ceiling import (
    PROCESSES,
    PROVIDER_KEY,
    ceiling,
    email_messages,
    http_sender,
    sms_requests,
    smtp_sender,
)
from progress import log

# A Redis database of this benchmark's own: the sweeps benchmark enqueues into common's.
BROKER_URL = os.environ.get("BENCH_EMAIL_BROKER_URL", "redis://127.0.0.1:6379/11")
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)


class Receiver:
    """What a sink got: a key per message (to find duplicates), first and last arrival."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.keys: Counter[str] = Counter()
            self.first = self.last = 0.0

    def got(self, key: str) -> None:
        now = time.perf_counter()
        with self._lock:
            self.keys[key] += 1
            self.first = self.first or now
            self.last = now

    @property
    def count(self) -> int:
        with self._lock:
            return sum(self.keys.values())

    def figures(self, expected: set[str]) -> dict:
        with self._lock:
            keys, span = Counter(self.keys), self.last - self.first
        total = sum(keys.values())
        return {
            "received": total,
            "duplicates": total - len(keys),
            "lost": len(expected - set(keys)),
            "unexpected": len(set(keys) - expected),
            "first_to_last_received_seconds": round(span, 3),
            "per_second": round((total - 1) / span, 1) if span > 0 else None,
        }


class SmtpSink(Receiver):
    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        found = MESSAGE_ID.search(envelope.original_content or envelope.content)
        self.got(found.group(1).decode() if found else "")
        return "250 Message accepted for delivery"


def fake_provider(receiver: Receiver) -> ThreadingHTTPServer:
    """The SMS provider: HTTP/1.1 with keep-alive, 202 and the message's id for every POST."""

    class Provider(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The answer's headers and body are two writes: without this, Nagle's algorithm holds
        # the body until the client's delayed ACK (40 ms), for the workers and ceiling alike.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # http.server's hook name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            receiver.got(body["reference"])
            answer = json.dumps({"id": f"fake-{body['reference']}"}).encode()
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:  # quiet: stdout carries only the JSON
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rows(count: int, channel: str) -> list:
    """``count`` pending notices to seeded students, in their languages; written in bulk, so no
    task is enqueued for them here."""
    from accounts.models import User
    from applications import notices as app_notices
    from notifications.models import Notification

    prefix = f"bench-{channel}:"
    Notification.objects.filter(dedupe_key__startswith=prefix).delete()
    students = list(
        User.objects.filter(email__endswith="@bulk.example.com", profile__isnull=False)
        .order_by("pk")
        .values_list("pk", "email", "preferred_language")[:1000]
    )
    sms = channel == Notification.Channel.SMS
    rows = []
    for n in range(count):
        pk, email, language = students[n % len(students)]
        rows.append(
            Notification(
                recipient_id=pk,
                channel=channel,
                to_email="" if sms else email,
                to_phone=f"+90532{n:07d}" if sms else "",
                kind=app_notices.APPROVED if sms else app_notices.SUBMITTED,
                language=language,
                context={"reference": f"AZTR-2026-{n:06d}", "path": "/dashboard/"},
                dedupe_key=f"{prefix}{n}",
                in_inbox=not sms,
            )
        )
    return Notification.objects.bulk_create(rows, batch_size=2000)


def _enqueue(ids: list[int], *, per_row: bool) -> None:
    """As the sweeps queue them (``enqueue_listed``: ENQUEUE_BATCH ids to a message), or a task
    per row, as notices written one at a time are queued."""
    from notifications.tasks import ENQUEUE_BATCH, send_notification, send_notifications
    from portal.celery import app

    with app.connection_for_write(BROKER_URL) as connection:
        producer = app.amqp.Producer(connection)
        if per_row:
            for pk in ids:
                send_notification.apply_async(args=[pk], producer=producer)
            return
        for start in range(0, len(ids), ENQUEUE_BATCH):
            send_notifications.apply_async(
                args=[ids[start : start + ENQUEUE_BATCH]], producer=producer
            )


def _workers(env: dict, *, pool: str, threads: int) -> list[subprocess.Popen]:
    # prefork: one worker whose two child processes each send one message at a time (Celery's
    # default pool). threads: two worker processes, each sending with `threads` threads.
    if pool == "prefork":
        commands = [["--pool=prefork", f"--concurrency={PROCESSES}", "--hostname=bench@%h"]]
    else:
        commands = [
            ["--pool=threads", f"--concurrency={threads}", f"--hostname=bench{n}@%h"]
            for n in range(PROCESSES)
        ]
    worker_log = (common.RESULTS / "worker.log").open("a")
    return [
        subprocess.Popen(  # noqa: S603 (our own venv's celery, fixed arguments)
            [
                str(Path(sys.executable).with_name("celery")),
                *("-A", "portal", "worker", *options, "--loglevel=WARNING"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=common.ROOT,
            env=env,
            # The workers' banners and logs go to a file: stdout carries only the JSON.
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        for options in commands
    ]


def _through_workers(
    channel: str,
    count: int,
    receiver: Receiver,
    env: dict,
    *,
    pool: str,
    threads: int,
    per_row: bool = False,
) -> tuple[dict, list]:
    """Rows and their tasks queued, then the workers started; the figures once all are done."""
    import redis
    from django.db.models import Max, Min

    from notifications.models import Notification

    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    rows = _rows(count, channel)
    ids = [row.pk for row in rows]
    way = "a task each" if per_row else "listed"
    log(f"Queueing the sends of {count} {channel} rows ({way}) ...")
    _enqueue(ids, per_row=per_row)
    receiver.reset()
    log(f"Sending them through {PROCESSES} worker processes ({pool}) ...")
    workers = _workers(env | {"CELERY_BROKER_URL": BROKER_URL}, pool=pool, threads=threads)
    mine = Notification.objects.filter(pk__in=ids)
    busy = (Notification.State.PENDING, Notification.State.SENDING)
    deadline = time.monotonic() + 900
    try:
        # The receiver's count is free to read; the database is asked every 2 s (to see failed
        # rows), and at the end until the last "sent" is committed.
        checked = 0.0
        while True:
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("A Celery worker stopped: see bench/results/worker.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"The {channel} rows were not all sent within 15 minutes.")
            if receiver.count >= count or time.monotonic() - checked > 2:
                checked = time.monotonic()
                if not mine.filter(state__in=busy).exists():
                    break
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        broker.flushdb()
    sent = mine.filter(state=Notification.State.SENT)
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds() if span["first"] else 0.0
    return {
        "rows": count,
        "sent": sent.count(),
        "failed": mine.filter(state=Notification.State.FAILED).count(),
        "attempts_over_one": mine.filter(attempts__gt=1).count(),
        "first_to_last_sent_at_seconds": round(seconds, 3),
    }, rows


def _ratio(workers: dict, ceiling: dict) -> float | None:
    if not workers["per_second"] or not ceiling["per_second"]:
        return None
    return round(workers["per_second"] / ceiling["per_second"], 2)


def emails(count: int, *, pool: str = "prefork", threads: int = 8, sms: bool = True) -> dict:
    """E-mails (and SMS) per second through two worker processes, and their ceilings."""
    from aiosmtpd.controller import Controller

    from notifications.emails import message_id
    from notifications.sms.delivery import idempotency_key

    (common.RESULTS / "worker.log").write_text("")
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    provider_sink = Receiver()
    provider = fake_provider(provider_sink)
    url = f"http://127.0.0.1:{provider.server_address[1]}/messages"
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SMS_BACKEND": "http",
        "SMS_PROVIDER_URL": url,
        "SMS_PROVIDER_KEY": PROVIDER_KEY,
        "SMS_CALLBACK_SECRET": "bench-callback-secret-of-at-least-32-characters",
        # A worker keeps its database connection between tasks, as a deployment sets it.
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
    }
    result: dict = {
        "worker_processes": PROCESSES,
        "pool": pool if pool == "prefork" else f"threads ({threads} per process)",
        "conn_max_age": env["CONN_MAX_AGE"],
        "load_average_before": common.load_average(),
    }
    controller.start()
    aside = outbox_aside.set_aside_other_due_notices()
    result["other_due_notices_set_aside"] = len(aside)
    try:
        db, rows = _through_workers("email", count, sink, env, pool=pool, threads=threads)
        expected = {message_id(row) for row in rows}
        result["email"] = {**db, **sink.figures(expected)}
        log(f"Rendering {count} e-mails for the ceiling ...")
        messages = email_messages(rows)
        log("The ceiling: two plain smtplib processes ...")
        ceiling(smtp_sender, port, messages, sink)
        result["email_ceiling"] = sink.figures(expected)
        # The same, each row queued as a task of its own (notices written one at a time).
        db, rows = _through_workers(
            "email", count, sink, env, pool=pool, threads=threads, per_row=True
        )
        result["email_one_task_per_row"] = {**db, **sink.figures({message_id(r) for r in rows})}
        if sms:
            db, rows = _through_workers(
                "sms", count, provider_sink, env, pool=pool, threads=threads
            )
            expected = {idempotency_key(row) for row in rows}
            result["sms"] = {**db, **provider_sink.figures(expected)}
            log("The ceiling: two plain requests.Session processes ...")
            ceiling(http_sender, url, sms_requests(rows, url), provider_sink)
            result["sms_ceiling"] = provider_sink.figures(expected)
    finally:
        controller.stop()
        provider.shutdown()
        outbox_aside.bring_back(aside)
    result["emails_per_second"] = result["email"]["per_second"]
    result["emails_to_ceiling_ratio"] = _ratio(result["email"], result["email_ceiling"])
    result["emails_one_task_per_row_to_ceiling_ratio"] = _ratio(
        result["email_one_task_per_row"], result["email_ceiling"]
    )
    if sms:
        result["sms_per_second"] = result["sms"]["per_second"]
        result["sms_to_ceiling_ratio"] = _ratio(result["sms"], result["sms_ceiling"])
    result["load_average_after"] = common.load_average()
    return result
