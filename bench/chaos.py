"""``make chaos``: faults under load — a worker SIGKILLed, Redis restarted, the broker gone 30 s.

Not part of ``make test``; a release-time check next to ``make bench`` and ``make load``. It runs,
all on this machine and all its own:

- a ``redis-server`` on its own port (``--port``, 6390 by default; ``--save "" --appendonly no``:
  nothing on disk, so a restart loses every message the broker held), which is the portal's cache
  (database 1) and, through the proxy below, the Celery broker (database 2);
- a TCP proxy in this process in front of that Redis for the broker: stopping it makes the broker
  unreachable (connections refused, open ones reset) without touching the machine's firewall;
- an aiosmtpd sink in this process that counts what arrives, by Message-ID and by the notice's
  reference (each notice of the run has its own, in its subject);
- gunicorn, 2 sync workers, on the benchmark database (``bench/load.py``'s server, with the
  cache on the Redis above);
- two Celery workers (``--pool=prefork --concurrency=1`` each), sending through the proxy's
  broker to the sink;
- the outbox's minute sweep (``requeue_due_notifications``, what beat runs every minute), called
  every 60 s in a thread of this process;
- load: the open-loop mixed page workload of ``bench/capacity.py`` at ``--rate`` requests per
  second (students, officers, university offices, signed in), and a steady stream of notices
  (``--notices-per-second``) written through ``notifications.services.notify_user`` in a thread
  of this process, each in its own transaction, enqueued after its commit as the portal does.

While the load runs: one worker is killed with SIGKILL (its main process and its pool process,
as when a machine or a container dies) and started again; the Redis server is stopped and
started again (it restarts empty); the broker is unreachable for 30 s. The load then stops, the
outbox drains (every notice of the run sent or failed, checked every 2 s), and the figures are
counted from the database and the sink:

- ``failed_requests``: page requests answered other than 2xx/3xx, or not at all (refused, reset,
  no answer within 10 s);
- ``lost_notices``: the run's rows not sent, plus sent rows whose notice never reached the sink;
- ``duplicated_notices``: copies beyond the first of a notice in the sink (by its reference);
  ``duplicated_message_ids`` counts Message-IDs received more than once (Django gives each
  attempt a fresh Message-ID, so this one can only catch a resent identical message).

The row a killed pool process had claimed stays "sending" until the sweep finds its claim older
than ``STUCK_AFTER`` (10 minutes in production). To fit the run in a few minutes the sweep of this
run uses ``--stuck-after`` (90 s); nothing else of the portal is changed.

Writes ``faults: {failed_requests, lost_notices, duplicated_notices, events: […]}`` (and the
details) to ``bench/results/chaos.json`` and prints it; exits 1 if any figure is not 0. Every
process it starts is stopped by its own id at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package
from chaos_parts import (
    BROKER_DB,
    CACHE_DB,
    REDIS_PORT,
    START,
    CountingSink,
    Proxy,
    RedisServer,
    Worker,
    free_port,
    log,
)

# --- notices and sweeps -----------------------------------------------------------------------


class Notices(threading.Thread):
    """``rate`` notices per second through notify_user, each in its own transaction."""

    def __init__(self, run: str, rate: float, recipients: list) -> None:
        super().__init__(daemon=True)
        self.run_id, self.rate, self.recipients = run, rate, recipients
        self.stopping = threading.Event()
        self.created = 0
        self.errors: list[str] = []

    def run(self) -> None:
        from django.db import connection, transaction

        from applications import notices as app_notices
        from notifications.services import notify_user

        t0 = time.monotonic()
        n = 0
        while not self.stopping.is_set():
            delay = t0 + n / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            reference = f"CHAOS-{self.run_id}-{n}"
            try:
                with transaction.atomic():
                    new = notify_user(
                        user=self.recipients[n % len(self.recipients)],
                        kind=app_notices.MESSAGE,
                        context={"reference": reference, "path": "/dashboard/"},
                        dedupe_key=f"chaos:{self.run_id}:{n}",
                    )
                if new:
                    self.created += 1
            except Exception as exc:  # counted and reported: a notice the caller saw fail
                self.errors.append(f"{reference}: {type(exc).__name__}: {exc}"[:300])
            n += 1
        connection.close()


class Sweeps(threading.Thread):
    """The outbox's minute sweep, as beat runs it, every ``every`` seconds."""

    def __init__(self, every: float, stuck_after: timedelta) -> None:
        super().__init__(daemon=True)
        self.every, self.stuck_after = every, stuck_after
        self.stopping = threading.Event()
        self.runs: list[dict] = []

    def run(self) -> None:
        from django.db import connection

        from notifications import tasks

        tasks.STUCK_AFTER = self.stuck_after  # this run only (see the module's docstring)
        while not self.stopping.wait(self.every):
            started = time.monotonic() - START
            try:
                queued = tasks.requeue_due_notifications()
                self.runs.append({"t": round(started, 1), "queued": queued})
            except Exception as exc:  # broker down: the next minute tries again
                self.runs.append({"t": round(started, 1), "error": type(exc).__name__})
            log(f"sweep: {self.runs[-1]}")
        connection.close()


class PageLoad(threading.Thread):
    """The open-loop mixed workload of bench/capacity.py at ``rate`` for ``seconds``."""

    def __init__(self, port: int, rate: float, seconds: float, weighted: list) -> None:
        super().__init__(daemon=True)
        self.port, self.rate, self.seconds, self.weighted = port, rate, seconds, weighted
        self.outcomes: list = []
        self.failures: list[dict] = []
        self.lag_ms = 0.0

    def run(self) -> None:
        import capacity

        def seen(outcome) -> None:
            if not outcome.ok:
                self.failures.append(
                    {
                        "t": round(time.monotonic() - START, 1),
                        "page": outcome.name,
                        "answer": outcome.status or outcome.error,
                    }
                )

        self.outcomes, self.lag_ms = asyncio.run(
            capacity.open_loop(
                "127.0.0.1",
                self.port,
                rate=self.rate,
                seconds=self.seconds,
                pick=capacity.picker(self.weighted, seed=3),
                on_outcome=seen,
            )
        )


# --- the run ----------------------------------------------------------------------------------


def outbox_state(run: str) -> Counter:
    from notifications.models import Notification

    rows = Notification.objects.filter(dedupe_key__startswith=f"chaos:{run}:")
    return Counter(rows.values_list("state", flat=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=10, help="page requests per second")
    parser.add_argument("--notices-per-second", type=float, default=5)
    parser.add_argument("--load-seconds", type=float, default=200)
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--redis-port", type=int, default=REDIS_PORT)
    parser.add_argument("--stuck-after", type=float, default=90, help="seconds (prod.: 600)")
    parser.add_argument("--drain-timeout", type=float, default=300)
    args = parser.parse_args()

    run = str(int(time.time()))
    events: list[dict] = []

    def event(what: str, **details) -> None:
        events.append({"t": round(time.monotonic() - START, 1), "event": what, **details})
        log(f"event: {what} {details or ''}")

    redis_server = RedisServer(args.redis_port)
    redis_server.start()
    proxy = Proxy(free_port(), args.redis_port)
    proxy.mend()
    from aiosmtpd.controller import Controller

    sink = CountingSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    common.configure()
    cache_url = f"redis://127.0.0.1:{args.redis_port}/{CACHE_DB}"
    broker_url = f"redis://127.0.0.1:{proxy.listen}/{BROKER_DB}"
    os.environ.update(
        {
            "CACHE_URL": cache_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "CONN_MAX_AGE": "60",
        }
    )
    workers: list[Worker] = []
    server = None
    try:
        seed = common.prepare(applications=args.applications, log=log)
        import capacity
        import load

        machine = common.machine()
        from accounts.models import User
        from applications.management.commands.seed_bulk import EMAIL_DOMAIN

        recipients = list(
            User.objects.filter(email__endswith=EMAIL_DOMAIN, groups=None).order_by("pk")[:200]
        )
        weighted = capacity.mixed_targets()
        server = load.serve(
            args.port,
            env={"CACHE_URL": cache_url, "CELERY_BROKER_URL": broker_url},
            log_name="chaos-gunicorn.log",
        )
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
        workers = [Worker(f"chaos{n}", environment) for n in (1, 2)]
        for worker in workers:
            worker.start()
        time.sleep(8)  # the workers connect before the load starts
        event(
            "started",
            gunicorn=server.pid,
            workers=[w.process.pid for w in workers if w.process],
            redis_port=args.redis_port,
            broker_proxy_port=proxy.listen,
            smtp_port=smtp_port,
        )

        pages = PageLoad(args.port, args.rate, args.load_seconds, weighted)
        notices = Notices(run, args.notices_per_second, recipients)
        sweeps = Sweeps(60, timedelta(seconds=args.stuck_after))
        load_started = time.monotonic()
        pages.start()
        notices.start()
        sweeps.start()

        def at(offset: float) -> None:
            delay = load_started + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)

        at(0.15 * args.load_seconds)
        victim = workers[0]
        killed = victim.kill()
        event("worker killed (SIGKILL)", worker=victim.name, pids=killed)
        time.sleep(3)
        victim.start()
        event("worker started again", worker=victim.name, pid=victim.process.pid)

        at(0.4 * args.load_seconds)
        redis_server.stop()
        event("redis stopped", port=args.redis_port)
        time.sleep(5)
        redis_server.start()
        event("redis started again (empty)", port=args.redis_port)

        at(0.65 * args.load_seconds)
        proxy.cut()
        event("broker unreachable", proxy_port=proxy.listen)
        time.sleep(30)
        proxy.mend()
        event("broker reachable again", proxy_port=proxy.listen)

        pages.join()
        notices.stopping.set()
        notices.join()
        event(
            "load stopped",
            page_requests=len(pages.outcomes),
            notices_created=notices.created,
        )

        deadline = time.monotonic() + args.drain_timeout
        while True:
            states = outbox_state(run)
            waiting = states.get("pending", 0) + states.get("sending", 0)
            if not waiting and sink.received() >= states.get("sent", 0):
                break
            if time.monotonic() > deadline:
                event("drain timed out", states=dict(states))
                break
            time.sleep(2)
        time.sleep(3)  # anything still on its way to the sink
        event("outbox drained", states=dict(outbox_state(run)), received=sink.received())
        sweeps.stopping.set()
        sweeps.join(timeout=120)

        from notifications.models import Notification

        rows = Notification.objects.filter(dedupe_key__startswith=f"chaos:{run}:")
        sent = set(
            rows.filter(state=Notification.State.SENT).values_list("context__reference", flat=True)
        )
        not_sent = rows.exclude(state=Notification.State.SENT).count()
        with sink.lock:
            references = Counter(sink.references)
            message_ids = Counter(sink.message_ids)
            unmatched = sink.unmatched
        missing = sorted(sent - set(references))
        attempts = Counter(rows.values_list("attempts", flat=True))
        faults = {
            "failed_requests": len(pages.failures),
            "lost_notices": not_sent + len(missing),
            "duplicated_notices": sum(c - 1 for r, c in references.items() if c > 1),
            "events": events,
            "page_requests": len(pages.outcomes),
            "page_rate": args.rate,
            "page_p95_ms": round(
                capacity.percentile([o.latency_ms for o in pages.outcomes], 0.95), 1
            ),
            "page_generator_lag_ms": round(pages.lag_ms, 1),
            "failed_request_samples": pages.failures[:20],
            "failed_requests_by_answer": dict(
                Counter(f"{f['page']}: {f['answer']}" for f in pages.failures)
            ),
            "notices_created": notices.created,
            "notice_rows": rows.count(),
            "notices_not_sent": not_sent,
            "notices_sent_never_received": len(missing),
            "notice_errors": len(notices.errors),
            "notice_error_samples": notices.errors[:10],
            "notices_received": sum(references.values()),
            "received_without_reference": unmatched,
            "duplicated_message_ids": sum(c - 1 for c in message_ids.values() if c > 1),
            "attempts": {str(k): v for k, v in sorted(attempts.items())},
            "sweeps": sweeps.runs,
            "stuck_after_seconds": args.stuck_after,
        }
    finally:
        if server is not None:
            load.stop(server)
        for worker in workers:
            worker.stop()
        controller.stop()
        proxy.close()
        redis_server.stop()
    result = {
        "faults": faults,
        "machine": machine,
        "seed": seed,
        "server": "gunicorn, 2 sync workers, DEBUG off, Redis cache, CONN_MAX_AGE=60; "
        "2 Celery workers (prefork, concurrency 1), own Redis, broker through a TCP proxy",
        "load_average_at_end": common.load_average(),
    }
    document = json.dumps(result, indent=2, ensure_ascii=False)
    (common.RESULTS / "chaos.json").write_text(document + "\n", encoding="utf-8")
    print(document)
    bad = faults["failed_requests"] or faults["lost_notices"] or faults["duplicated_notices"]
    return 1 if bad or notices.errors else 0


if __name__ == "__main__":
    sys.exit(main())
