"""The query plans behind the queue's views, as BENCHMARKS.md records them.

``python bench/explain_plans.py [--applications 1000000]`` opens each view of the queue once as
an officer (on the benchmark database of that size, which ``make bench`` seeded), captures the
SQL it runs, and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements that read cases (the
tab counts, the estimate, the page), with their planning and execution times.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package

# The statements worth a plan: those over the cases' tables.
READS_CASES = ("applications_application", "reports_report")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=common.BASE_APPLICATIONS)
    parser.add_argument("--summary", action="store_true", help="Times and top nodes only.")
    args = parser.parse_args()
    common.configure(applications=args.applications)
    import django

    django.setup()
    from urllib.parse import quote

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from applications.models import OPEN_STATUSES, Application

    officer = User.objects.get(email="officer1@bulk.example.com")
    client = common.signed_in_client(officer)
    open_work = Application.objects.filter(status__in=OPEN_STATUSES).order_by("submitted_at", "pk")
    sample = open_work[open_work.count() // 2]
    views = {
        "default": "/officers/",
        "filtered": "/officers/?status=under_review&level=bachelor&province="
        + str(sample.province_id),
        "search_name": "/officers/?q=" + quote(f"{sample.surname} {sample.given_names}"),
        "page_200": "/officers/?page=200",
    }
    client.get("/officers/")  # the cached reference lists, as in steady use
    for name, url in views.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        print(f"\n### {name}: {url} ({response.status_code}, {len(captured)} queries)")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not any(table in sql for table in READS_CASES) or sql.startswith("EXPLAIN"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")  # nosec B608 (the portal's own SQL)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"\n-- {sql[:160]}{' …' if len(sql) > 160 else ''}")
            shown = [line for line in plan if not args.summary or _summary_line(line)]
            print("\n".join(shown))
    return 0


def _summary_line(line: str) -> bool:
    stripped = line.strip()
    return (
        stripped.startswith(("Planning Time", "Execution Time"))
        or "Scan" in stripped
        or stripped.startswith(("Limit", "Sort", "Append", "Aggregate", "HashAggregate"))
    )


if __name__ == "__main__":
    raise SystemExit(main())
