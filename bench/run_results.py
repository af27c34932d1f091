"""What a run reports: its figures checked against the targets, and the JSON document written.

The document is printed on stdout and written to ``bench/results/latest.json``; BENCHMARKS.md
explains every figure.
"""

from __future__ import annotations

import json

import common  # this folder is not a package
from progress import log

# Targets of issue 8, checked at the end.
QUEUE_TO_ADMIN_MAX = 0.7
SEARCH_MEDIAN_MAX_MS = 150
SWEEPS_MAX_SECONDS = 20
EMAILS_PER_SECOND_MIN = 100
QUERY_BUDGET = 12


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


def write_results(result: dict) -> None:
    document = json.dumps(result, indent=2, ensure_ascii=False)
    (common.RESULTS / "latest.json").write_text(document + "\n", encoding="utf-8")
    print(document)
    log(f"Written to {common.RESULTS / 'latest.json'}")
