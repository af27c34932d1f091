"""``make bench``: the portal at 100,000 applications, measured against the Django admin.

A benchmark, not a test: it is not part of ``make test``, and it reports rather than asserts
(the exit code is 0 unless something broke; missed targets are listed in the output). One run:

1. prepares the benchmark database (``bench/common.py``: created, migrated, seeded once);
2. times the pages in this process with Django's test client, each URL ``--requests`` times
   after ``--warmup`` requests, reporting the median and 95th percentile in milliseconds and
   the number of SQL queries of one request. The officer queue and the admin changelist are
   measured as pairs showing the same rows in the same order, alternating request by request
   (and which of the two goes first), so the machine's noise hits both alike;
3. runs every daily sweep over all rows twice (the second run must create nothing), against a
   floor of plain SQL on the same data (``sweep_benchmark.py``);
4. sends ``--emails`` e-mails, then as many SMS, through a real Celery worker (prefork, two
   processes) on Redis into an SMTP sink and a fake SMS provider, and the same messages from
   two plain processes (the ceiling): messages per second and the ratio to the ceiling
   (``bench/email_benchmark.py``).

It prints one JSON document and writes it to ``bench/results/latest.json``. BENCHMARKS.md
explains every figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package
from email_benchmark import emails
from growth import side_by_side
from page_benchmarks import pages
from progress import log
from run_results import growth, targets, write_results
from sweep_benchmark import sweeps


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
    parts = ["pages", "sweeps", "emails"]
    parser.add_argument("--skip", action="append", default=[], choices=parts)
    parser.add_argument(
        "--only", action="append", default=[], choices=parts, help="Run only these parts."
    )
    args = parser.parse_args()
    if args.only:
        args.skip = [part for part in parts if part not in args.only]
    if args.requests < 20:
        parser.error("--requests must be at least 20.")

    common.configure(applications=args.applications)
    started = time.perf_counter()
    result: dict = {"seed": common.prepare(applications=args.applications, log=log)}
    result["machine"] = common.machine()
    from applications.models import Application

    result["dataset"] = {"applications": Application.objects.count()}
    if "pages" not in args.skip:
        result.update(pages(args))
        result["growth"] = growth(result["pages"], applications=args.applications)
        if args.applications != common.BASE_APPLICATIONS:
            # The same views at both sizes in turn: the figure the target is checked on.
            result["growth_side_by_side"] = side_by_side(large=args.applications)
    if "sweeps" not in args.skip:
        result["sweeps"] = sweeps()
    if "emails" not in args.skip:
        result["emails"] = emails(args.emails, pool=args.email_pool)
    result["targets"] = checks = targets(result)
    result["missed"] = sorted(name for name, check in checks.items() if not check["met"])
    result["load_average_at_end"] = common.load_average()
    result["run_seconds"] = round(time.perf_counter() - started, 1)
    write_results(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
