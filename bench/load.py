"""``make load``: locust, headless, against gunicorn (2 workers) on the benchmark database.

1. prepares the benchmark database as ``make bench`` does (``bench/common.py``);
2. signs in 30 students who have a draft and 10 officers (server-side sessions, the officers'
   with their second factor passed, as the test suite's ``client_for`` does) and writes them to
   ``bench/results/load-users.json`` for the locustfile;
3. serves the portal with gunicorn, 2 sync workers, as ``make run`` and the Procfile do, with the
   production-like settings of a deployment: DEBUG off, Redis as the shared cache, persistent
   database connections (``CONN_MAX_AGE=60``);
4. runs ``bench/locustfile.py`` with 40 users for 60 seconds (``--users``, ``--run-time``);
5. prints requests per second, the median and the 95th percentile (overall and per kind of
   request) and the failures as one JSON document, also written to ``bench/results/load.json``.

Exits 1 if any request failed. Gunicorn is stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package

LOCUST = common.ROOT / ".venv-load" / "bin" / "locust"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def users(*, students: int, officers: int) -> Path:
    """Signed-in sessions for the simulated users, and what they will ask for."""
    from accounts.models import User
    from applications.management.commands.seed_bulk import EMAIL_DOMAIN
    from applications.models import OPEN_STATUSES, Application, Status

    drafts = list(
        Application.objects.filter(status=Status.DRAFT, applicant__email__endswith=EMAIL_DOMAIN)
        .select_related("applicant")
        .order_by("-updated_at", "pk")[:students]
    )
    team = list(
        User.objects.filter(groups__name="officer", email__endswith=EMAIL_DOMAIN).order_by("pk")[
            :officers
        ]
    )
    if len(drafts) < students or len(team) < officers:
        raise SystemExit("The benchmark database has too few drafts or officers: reseed it.")
    data = {
        "students": [
            {
                "session": common.signed_in_client(d.applicant).cookies["sessionid"].value,
                "application": d.pk,
            }
            for d in drafts
        ],
        "officers": [
            {"session": common.signed_in_client(u).cookies["sessionid"].value} for u in team
        ],
        "open_applications": list(
            Application.objects.filter(status__in=OPEN_STATUSES)
            .order_by("?")
            .values_list("pk", flat=True)[:500]
        ),
        "surnames": sorted(
            set(
                Application.objects.filter(status__in=OPEN_STATUSES).values_list(
                    "surname", flat=True
                )[:200]
            )
        ),
    }
    path = common.RESULTS / "load-users.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def serve(
    port: int, *, env: dict[str, str] | None = None, log_name: str = "gunicorn.log"
) -> subprocess.Popen:
    """gunicorn, 2 sync workers, on ``port``; ``env`` adds to (or overrides) the environment."""
    environment = {
        **os.environ,
        "CACHE_URL": common.CACHE_URL,
        "CONN_MAX_AGE": "60",
        **(env or {}),
    }
    server_log = (common.RESULTS / log_name).open("w")
    server = subprocess.Popen(  # noqa: S603 (our own venv's gunicorn, fixed arguments)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=common.ROOT,
        env=environment,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            url = f"http://127.0.0.1:{port}/healthz/"
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise SystemExit(f"gunicorn did not start: see bench/results/{log_name}")
        time.sleep(0.5)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def stats(prefix: Path) -> dict:
    """Locust's CSV summary as numbers: overall and per kind of request."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def numbers(row: dict) -> dict:
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "requests_per_second": round(float(row["Requests/s"]), 1),
            "median_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "max_ms": round(float(row["Max Response Time"])),
        }

    overall = next(row for row in rows if row["Name"] == "Aggregated")
    return {
        "overall": numbers(overall),
        "by_request": {
            f"{row['Type']} {row['Name']}": numbers(row) for row in rows if row is not overall
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: run `make load` (it installs .venv-load).")

    common.configure()
    seed = common.prepare(applications=args.applications, log=log)
    machine = common.machine()
    users_file = users(students=30, officers=10)
    log(f"Serving with gunicorn (2 workers) on 127.0.0.1:{args.port} ...")
    server = serve(args.port)
    prefix = common.RESULTS / "load"
    try:
        log(f"locust: {args.users} users for {args.run_time} ...")
        completed = subprocess.run(  # noqa: S603 (our own venv's locust, fixed arguments)
            [
                str(LOCUST),
                "-f",
                str(common.ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                args.run_time,
                "--stop-timeout",
                "10",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=common.ROOT,
            env={**os.environ, "LOAD_USERS": str(users_file)},
            stdout=sys.stderr,
            check=False,
        )
    finally:
        stop(server)
    result = {
        "machine": machine,
        "seed": seed,
        "users": args.users,
        "run_time": args.run_time,
        "server": "gunicorn, 2 sync workers, DEBUG off, Redis cache, CONN_MAX_AGE=60",
        **stats(prefix),
        "locust_exit_code": completed.returncode,
        "load_average_at_end": common.load_average(),
    }
    document = json.dumps(result, indent=2, ensure_ascii=False)
    (common.RESULTS / "load.json").write_text(document + "\n", encoding="utf-8")
    print(document)
    return 1 if result["overall"]["failures"] or completed.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
