"""``make bench``: the portal at 100,000 applications, measured against the Django admin.

A benchmark, not a test: it is not part of ``make test``, and it reports rather than asserts
(the exit code is 0 unless something broke; missed targets are listed in the output). One run:

1. prepares the benchmark database (``bench/common.py``: created, migrated, seeded once);
2. times the pages in this process with Django's test client, each URL ``--requests`` times
   after ``--warmup`` requests, reporting the median and 95th percentile in milliseconds and
   the number of SQL queries of one request. The officer queue and the admin changelist are
   measured as pairs showing the same rows in the same order, alternating request by request
   (and which of the two goes first), so the machine's noise hits both alike;
3. runs the five nightly sweeps over all rows twice (the second run must create nothing);
4. sends ``--emails`` notifications through a real Celery worker (prefork, two processes) on
   Redis into an SMTP sink, and reports emails per second.

It prints one JSON document and writes it to ``bench/results/latest.json``. BENCHMARKS.md
explains every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package

# Targets of issue 8, checked at the end.
QUEUE_TO_ADMIN_MAX = 0.7
SEARCH_MEDIAN_MAX_MS = 150
SWEEPS_MAX_SECONDS = 20
EMAILS_PER_SECOND_MIN = 100
QUERY_BUDGET = 12


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- measuring pages -------------------------------------------------------------------------


class QueryCounter:
    """Counts the SQL statements run on the default connection (an execute wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=100, method="inclusive")[94]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(ordered[0], 1),
        "requests": len(ordered),
    }


class Page:
    """One URL as one user sees it; ``url`` may be a function of the request number."""

    def __init__(self, name: str, client, url, *, expect: int = 200) -> None:
        self.name = name
        self.client = client
        self.url = url
        self.expect = expect
        self.samples: list[float] = []
        self.queries: int | None = None

    def _url(self, n: int) -> str:
        return self.url(n) if callable(self.url) else self.url

    def hit(self, n: int, *, record: bool) -> None:
        url = self._url(n)
        started = time.perf_counter()
        response = self.client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if record:
            self.samples.append(elapsed)
        self._check(url, response)

    def count_queries(self) -> None:
        """The queries of one warm request (caches filled, as in steady use)."""
        from django.db import connection

        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = self.client.get(self._url(0))
        self._check(self._url(0), response)
        self.queries = counter.count

    def _check(self, url: str, response) -> None:
        if response.status_code != self.expect:
            raise RuntimeError(f"{self.name}: {url} answered {response.status_code}")

    def result(self) -> dict:
        return {"url": self._url(0), "queries": self.queries, **summary(self.samples)}


def measure(groups: list[list[Page]], *, warmup: int, requests: int) -> None:
    """Round-robin over every page; within a group the order flips every round."""
    for page in (p for group in groups for p in group):
        for n in range(warmup):
            page.hit(n, record=False)
        page.count_queries()
    for n in range(requests):
        for group in groups:
            ordered = group if n % 2 == 0 else list(reversed(group))
            for page in ordered:
                page.hit(n, record=True)


def pages(args) -> dict:
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from applications.models import OPEN_STATUSES, Application, Level, Province, Status
    from officers import views as officer_views

    officer = User.objects.get(email="officer1@bulk.example.com")
    officer_client = common.signed_in_client(officer)
    admin_user = common.bench_admin()
    admin_client = common.signed_in_client(admin_user)
    queue = reverse("officer-queue")
    changelist = reverse("admin:applications_application_changelist")

    # The admin shows the queue's rows in the queue's order: open statuses, oldest first.
    open_values = ",".join(s.value for s in OPEN_STATUSES)
    order = _admin_column(admin_user, "submitted_at")
    same_rows = f"status__in={open_values}&o={order}"

    istanbul = Province.objects.get(code=34).pk
    open_work = Application.objects.filter(status__in=OPEN_STATUSES)
    open_count = open_work.count()
    sample = open_work.order_by("submitted_at", "pk")[open_count // 2]
    # Page 200 at 100,000 applications (the last page on a smaller --applications).
    deep = min(200, -(-open_count // officer_views.PAGE_SIZE))
    name = f"{sample.surname} {sample.given_names}"
    passport = sample.passport_number
    from urllib.parse import quote

    pairs = [
        ("default", queue, f"{changelist}?{same_rows}"),
        (
            "filtered",
            f"{queue}?status=under_review&level={Level.BACHELOR}&province={istanbul}",
            f"{changelist}?status__exact=under_review&level__exact={Level.BACHELOR}"
            f"&province__id__exact={istanbul}&o={order}",
        ),
        ("search_name", f"{queue}?q={quote(name)}", f"{changelist}?q={quote(name)}&{same_rows}"),
        (
            "search_passport",
            f"{queue}?q={passport}",
            f"{changelist}?q={passport}&{same_rows}",
        ),
        ("page_200", f"{queue}?page={deep}", f"{changelist}?{same_rows}&p={deep}"),
    ]
    groups = [
        [Page(f"queue_{key}", officer_client, ours), Page(f"admin_{key}", admin_client, theirs)]
        for key, ours, theirs in pairs
    ]

    # The review page, over a rotation of applications under review (each opening is recorded
    # in the access log, as in real use).
    under_review = list(
        Application.objects.filter(status=Status.UNDER_REVIEW)
        .order_by("pk")
        .values_list("pk", flat=True)[:10]
    )
    review = Page(
        "review",
        officer_client,
        lambda n: reverse("officer-review", args=[under_review[n % len(under_review)]]),
    )
    # The dashboard of a student with the most applications over the years.
    busiest = (
        Application.objects.values("applicant")
        .annotate(n=Count("pk"))
        .order_by("-n", "applicant")
        .first()
    )
    student = User.objects.get(pk=busiest["applicant"])
    dashboard = Page("student_dashboard", common.signed_in_client(student), reverse("dashboard"))
    today = timezone.localdate()
    api = Page(
        "eligibility_api",
        _anonymous_client(),
        f"{reverse('eligibility-api')}?level=bachelor&field=general"
        f"&programme_start={today.year}-09-16&passport_expiry={today.year + 8}-05-01"
        f"&entry_date={today.isoformat()}&on={today.isoformat()}",
    )
    # For information: the changelist as it opens, with the model's default order (newest
    # first, across every status).
    admin_plain = Page("admin_plain_changelist", admin_client, changelist)
    singles = [[review], [dashboard], [api], [admin_plain]]

    log(f"Timing pages: {args.requests} requests each after {args.warmup} warm-up requests ...")
    measure(groups + singles, warmup=args.warmup, requests=args.requests)

    results = {page.name: page.result() for group in groups + singles for page in group}
    results["student_dashboard"]["applications_listed"] = busiest["n"]
    ratios = {
        key: round(results[f"queue_{key}"]["median_ms"] / results[f"admin_{key}"]["median_ms"], 2)
        for key, _ours, _theirs in pairs
    }
    return {
        "page_size": officer_views.PAGE_SIZE,
        "pages": results,
        "queue_to_admin_median_ratio": ratios,
        # Seeded, made-up values (seed_bulk), not anyone's identifiers.
        "search_terms": {"name": name, "passport": passport},
    }


def _admin_column(user, name: str) -> int:
    """The changelist's index of a column (its ``o`` parameter), as the admin counts them."""
    from django.contrib import admin
    from django.test import RequestFactory

    from applications.models import Application

    model_admin = admin.site._registry[Application]
    request = RequestFactory().get("/")
    request.user = user
    columns = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        columns.insert(0, "action_checkbox")
    return columns.index(name)


def _anonymous_client():
    from django.test import Client

    return Client(headers={"accept-language": "en"})


# --- sweeps ----------------------------------------------------------------------------------

SWEEP_KINDS = (
    "draft_reminder",
    "passport_short",
    "passport_expiring",
    "permit_expiring",
    "info_due",
    "info_overdue",
    "supervisor_digest",
)


def sweeps() -> dict:
    import redis

    from notifications import sweeps as nightly
    from notifications.models import Notification

    # A full night's work every run: the notices earlier bench runs created are removed first
    # (this database is the benchmark's own).
    Notification.objects.filter(kind__in=SWEEP_KINDS).delete()
    functions = [
        nightly.sweep_passports,
        nightly.sweep_permits,
        nightly.sweep_info_requests,
        nightly.sweep_supervisor_digest,
        nightly.sweep_inactive_drafts,
    ]
    runs = []
    log("Running the nightly sweeps twice ...")
    for _run in range(2):
        timings, created = {}, {}
        for function in functions:
            started = time.perf_counter()
            counts = function()
            timings[function.__name__] = round(time.perf_counter() - started, 2)
            created[function.__name__] = counts
        runs.append(
            {
                "seconds": timings,
                "total_seconds": round(sum(timings.values()), 2),
                "created": created,
            }
        )
    # The notices were queued for sending; this benchmark does not send them.
    redis.Redis.from_url(common.BROKER_URL).flushdb()
    second_new = sum(
        n
        for counts in runs[1]["created"].values()
        for key, n in counts.items()
        if key != "past_target"
    )
    return {
        "runs": runs,
        "total_seconds": round(runs[0]["total_seconds"] + runs[1]["total_seconds"], 2),
        "second_run_created": second_new,
    }


# --- emails through a real worker ------------------------------------------------------------


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
    from accounts.models import User
    from applications.models import Application
    from notifications.models import Notification

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
                application_id=applications.get(pk),
                kind=Notification.Kind.SUBMITTED,
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


# --- the run ---------------------------------------------------------------------------------


def targets(result: dict) -> dict:
    checks = {}
    if "pages" in result:
        pages = result["pages"]
        ratio = result["queue_to_admin_median_ratio"]["default"]
        checks["queue_median_at_most_0.7_admin"] = {
            "value": ratio,
            "met": ratio <= QUEUE_TO_ADMIN_MAX,
        }
        for key in ("search_name", "search_passport"):
            median = pages[f"queue_{key}"]["median_ms"]
            checks[f"{key}_median_under_150_ms"] = {
                "value": median,
                "met": median < SEARCH_MEDIAN_MAX_MS,
            }
        for key in ("queue_default", "queue_page_200", "review", "student_dashboard"):
            queries = pages[key]["queries"]
            checks[f"{key}_queries_at_most_12"] = {"value": queries, "met": queries <= QUERY_BUDGET}
    if "sweeps" in result:
        total = result["sweeps"]["total_seconds"]
        checks["sweeps_under_20_s"] = {"value": total, "met": total < SWEEPS_MAX_SECONDS}
        second = result["sweeps"]["second_run_created"]
        checks["second_sweep_creates_nothing"] = {"value": second, "met": second == 0}
    if "emails" in result:
        rate = result["emails"]["emails_per_second"]
        checks["at_least_100_emails_per_second"] = {
            "value": rate,
            "met": rate >= EMAILS_PER_SECOND_MIN,
        }
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per page first.")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument(
        "--email-pool",
        choices=["prefork", "threads"],
        default="prefork",
        help="prefork: one worker, 2 child processes (default); threads: 2 worker processes "
        "with 8 threads each.",
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["pages", "sweeps", "emails"]
    )
    args = parser.parse_args()
    if args.requests < 20:
        parser.error("--requests must be at least 20.")

    common.configure()
    started = time.perf_counter()
    result: dict = {"seed": common.prepare(applications=args.applications, log=log)}
    result["machine"] = common.machine()
    from applications.models import Application

    result["dataset"] = {"applications": Application.objects.count()}
    if "pages" not in args.skip:
        result.update(pages(args))
    if "sweeps" not in args.skip:
        result["sweeps"] = sweeps()
    if "emails" not in args.skip:
        result["emails"] = emails(args.emails, pool=args.email_pool)
    result["targets"] = checks = targets(result)
    result["missed"] = sorted(name for name, check in checks.items() if not check["met"])
    result["load_average_at_end"] = common.load_average()
    result["run_seconds"] = round(time.perf_counter() - started, 1)
    document = json.dumps(result, indent=2, ensure_ascii=False)
    (common.RESULTS / "latest.json").write_text(document + "\n", encoding="utf-8")
    print(document)
    log(f"Written to {common.RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
