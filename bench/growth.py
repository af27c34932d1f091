"""Growth measured side by side: the queue's views and the review page at two sizes in one run.

``python bench/growth.py [--large 1000000] [--requests 30]``. Two worker processes, one on the
benchmark database of 100,000 applications and one on the database of ``--large`` (both seeded
by ``make bench`` / ``bench/run.py --applications N``), time the same pages in turn, round by
round (which goes first flips every round), so the machine's noise hits both sizes alike. Two
runs of ``bench/run.py`` 25 minutes apart differed by up to 40 % on the same view on this
shared machine (BENCHMARKS.md), too much for a ratio whose target is 1.3. The result, each
view's large median ÷ its base median, is merged into ``bench/results/latest.json`` under
``growth_side_by_side`` and printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package
from progress import log
from run_results import GROWTH_MAX, GROWTH_VIEWS


def worker(applications: int) -> None:
    """One size: warm every page up, then time one round of them per line read on stdin."""
    import time

    common.configure(applications=applications)
    import django

    django.setup()
    from page_benchmarks import page_set

    found = page_set()
    pages = [
        page
        for group in found["groups"] + found["singles"]
        for page in group
        if page.name in GROWTH_VIEWS
    ]
    for page in pages:
        for n in range(3):
            page.hit(n, record=False)
    print(json.dumps({"ready": [page.name for page in pages]}), flush=True)
    for n, _line in enumerate(sys.stdin):
        timings = {}
        for page in pages:
            started = time.perf_counter()
            page.hit(n, record=False)
            timings[page.name] = (time.perf_counter() - started) * 1000
        print(json.dumps(timings), flush=True)


def side_by_side(*, large: int, rounds: int = 30) -> dict:
    """Each growth view's median at ``large`` ÷ its median at the base size, timed in turn."""
    sizes = (common.BASE_APPLICATIONS, large)
    log(f"Starting a worker on each of {sizes} applications ...")
    workers = {
        size: subprocess.Popen(  # noqa: S603 (this script, by its own path)
            [sys.executable, __file__, "--worker", str(size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for size in sizes
    }
    for process in workers.values():
        json.loads(process.stdout.readline())
    samples: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    load_before = common.load_average()
    log(f"Timing {rounds} rounds, the two sizes in turn ...")
    for n in range(rounds):
        for size in sizes if n % 2 == 0 else tuple(reversed(sizes)):
            process = workers[size]
            process.stdin.write("round\n")
            process.stdin.flush()
            for name, ms in json.loads(process.stdout.readline()).items():
                samples[size].setdefault(name, []).append(ms)
    for process in workers.values():
        process.stdin.close()
        process.wait(timeout=60)
    medians = {
        size: {name: round(statistics.median(ms), 1) for name, ms in samples[size].items()}
        for size in sizes
    }
    ratios = {
        name: round(medians[large][name] / medians[common.BASE_APPLICATIONS][name], 2)
        for name in medians[common.BASE_APPLICATIONS]
    }
    result = {
        "sizes": list(sizes),
        "rounds": rounds,
        "median_ms": {str(size): medians[size] for size in sizes},
        "growth": ratios,
        "met": {name: ratio <= GROWTH_MAX for name, ratio in ratios.items()},
        "load_average": [load_before, common.load_average()],
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    result = side_by_side(large=args.large, rounds=args.requests)
    latest = common.RESULTS / "latest.json"
    document = json.loads(latest.read_text()) if latest.exists() else {}
    document["growth_side_by_side"] = result
    latest.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
