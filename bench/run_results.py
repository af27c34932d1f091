"""What a run reports: its figures checked against the targets, and the JSON document written.

The document is printed on stdout and written to ``bench/results/latest.json``; BENCHMARKS.md
explains every figure.
"""

from __future__ import annotations

import json

import common  # this folder is not a package
from progress import log

# Targets of issue 8, checked at the end.
# Issue 17: every queue view at most half the admin changelist's median.
QUEUE_TO_ADMIN_MAX = 0.5
SEARCH_MEDIAN_MAX_MS = 150
SWEEPS_MAX_SECONDS = 20
# Issue 8, part 3: the first run of every daily sweep, and against the plain-SQL floor.
SWEEPS_FIRST_RUN_MAX_SECONDS = 10
SWEEPS_TO_FLOOR_MAX = 3
# Issue 8, part 4: e-mails and SMS through two worker processes, and against two plain senders.
EMAILS_PER_SECOND_MIN = 200
EMAILS_TO_CEILING_MIN = 0.5
QUERY_BUDGET = 12


# At a million cases, each queue view and the review page at most this many times their
# median at the base size.
GROWTH_MAX = 1.3
GROWTH_VIEWS = (
    "queue_default",
    "queue_filtered",
    "queue_search_name",
    "queue_search_passport",
    "queue_page_200",
    "queue_extensions",
    "queue_reports",
    "review",
)


def growth(pages: dict, *, applications: int) -> dict | None:
    """Each view's median at this size ÷ its median at the base size (the last base-size run,
    kept in ``pages-100000.json``); None at the base size itself, which it records."""
    kept = common.RESULTS / f"pages-{common.BASE_APPLICATIONS}.json"
    if applications == common.BASE_APPLICATIONS:
        kept.write_text(json.dumps(pages, indent=2))
        return None
    if not kept.exists():
        return {"note": f"no run at {common.BASE_APPLICATIONS} to compare with yet"}
    base = json.loads(kept.read_text())
    return {
        view: round(pages[view]["median_ms"] / base[view]["median_ms"], 2)
        for view in GROWTH_VIEWS
        if view in pages and view in base
    }


def targets(result: dict) -> dict:
    checks = {}
    if "pages" in result:
        pages = result["pages"]
        for view, ratio in result["queue_to_admin_median_ratio"].items():
            checks[f"queue_{view}_at_most_0.5_admin"] = {
                "value": ratio,
                "met": ratio <= QUEUE_TO_ADMIN_MAX,
            }
        for key in ("search_name", "search_passport"):
            median = pages[f"queue_{key}"]["median_ms"]
            checks[f"{key}_median_under_150_ms"] = {
                "value": median,
                "met": median < SEARCH_MEDIAN_MAX_MS,
            }
        budgeted = [key for key in pages if key.startswith("queue_")]
        for key in [*budgeted, "review", "student_dashboard"]:
            queries = pages[key]["queries"]
            checks[f"{key}_queries_at_most_12"] = {"value": queries, "met": queries <= QUERY_BUDGET}
    # Growth is checked on the side-by-side figures when the run has them (``growth.py``); the
    # ratio of two runs minutes apart is kept for information.
    side = (result.get("growth_side_by_side") or {}).get("growth")
    for view, ratio in (side or result.get("growth") or {}).items():
        if isinstance(ratio, float | int):
            checks[f"growth_{view}_at_most_1.3"] = {"value": ratio, "met": ratio <= GROWTH_MAX}
    if "sweeps" in result:
        total = result["sweeps"]["total_seconds"]
        checks["sweeps_under_20_s"] = {"value": total, "met": total < SWEEPS_MAX_SECONDS}
        second = result["sweeps"]["second_run_created"]
        checks["second_sweep_creates_nothing"] = {"value": second, "met": second == 0}
        first = result["sweeps"]["first_run_seconds"]
        checks["first_sweep_run_under_10_s"] = {
            "value": first,
            "met": first < SWEEPS_FIRST_RUN_MAX_SECONDS,
        }
        ratio = result["sweeps"]["sweeps_to_floor_ratio"]
        checks["sweeps_at_most_3x_floor"] = {
            "value": ratio,
            "met": ratio is not None and ratio <= SWEEPS_TO_FLOOR_MAX,
        }
    if "emails" in result:
        checks.update(_delivery_checks(result["emails"]))
    return checks


def _delivery_checks(figures: dict) -> dict:
    checks = {}
    for channel, name in (("email", "emails"), ("sms", "sms")):
        if channel not in figures:
            continue
        done = figures[channel]
        rate, ratio = figures[f"{name}_per_second"], figures[f"{name}_to_ceiling_ratio"]
        checks[f"at_least_200_{name}_per_second"] = {
            "value": rate,
            "met": rate is not None and rate >= EMAILS_PER_SECOND_MIN,
        }
        checks[f"{name}_at_least_0.5_ceiling"] = {
            "value": ratio,
            "met": ratio is not None and ratio >= EMAILS_TO_CEILING_MIN,
        }
        # The once-only guarantee, from the database and the receiver alike.
        checks[f"{name}_each_sent_once"] = {
            "value": {key: done[key] for key in ("sent", "duplicates", "lost")},
            "met": done["sent"] == done["rows"] and done["duplicates"] == done["lost"] == 0,
        }
    return checks


def write_results(result: dict) -> None:
    document = json.dumps(result, indent=2, ensure_ascii=False)
    (common.RESULTS / "latest.json").write_text(document + "\n", encoding="utf-8")
    print(document)
    log(f"Written to {common.RESULTS / 'latest.json'}")
