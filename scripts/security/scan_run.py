"""The command-line entry of ``make security``: the steps run.py describes, in order.

``main()`` returns the exit code, 0 only when nothing was found and every scan ran properly.
The scanners run at the same time (``scans``) because wapiti sends one request at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import signal
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from bandit_scan import bandit_scan
from child_processes import Stopped, end_children, run
from run_summary import Summary, log
from runner_config import DATABASE_URL, ELIGIBILITY_API_QUERY, PORT, REPORTS, ROOT, TOOLS_BIN
from scan_server import (
    Server,
    database_recreate,
    free_port,
    portal_environment,
    self_signed_certificate,
)
from server_logs import traffic, worker_timeouts
from sqlmap_scans import SQLMAP_LEVEL, SQLMAP_RISK, scan_targets, sqlmap_scans
from wapiti_scans import WAPITI_MAX_ATTACK_SECONDS, WAPITI_MODULES, wapiti_scan


def tool_version(command: list[str]) -> str:
    result = run(command, check=False)
    text = (result.stdout + result.stderr).strip()
    match = re.search(r"\d+\.\d+(?:\.\d+)*(?:#\w+)?", text)
    return match.group(0) if match else text[:40]


def scans(summary: Summary, server: Server, targets: dict) -> None:
    """The three wapiti scans and the sqlmap scans at the same time."""
    jobs = [
        (
            wapiti_scan,
            {
                "name": "anonymous",
                "email": None,
                "home": "/",
                # Linked from no page: the verification pages (the code is on the letter)
                # and the JSON API.
                "also_start": (
                    "/verify/",
                    f"/verify/?code={targets['permit_code']}",
                    f"/verify/{targets['permit_code']}/",
                    "/api/eligibility/?" + ELIGIBILITY_API_QUERY,
                ),
            },
        ),
        # A student whose application awaits their answer to an information request (answer,
        # messages, passport renewal, withdrawal)...
        (wapiti_scan, {"name": "student", "email": "student@example.com", "home": "/dashboard/"}),
        # ...and one with a draft: the application's steps, uploads and the review page. Not
        # withdrawn (the other student's scan covers that form), or the draft would end early.
        (
            wapiti_scan,
            {
                "name": "student-draft",
                "email": "nigar.huseynova@example.com",
                "home": "/dashboard/",
                "also_exclude": ("/applications/*/withdraw/*",),
            },
        ),
        (wapiti_scan, {"name": "officer", "email": "officer@example.com", "home": "/officers/"}),
        (sqlmap_scans, {"targets": targets}),
    ]

    def guarded(job, **kwargs) -> None:
        # One scan failing (a session script error, say) is an error of the run, not a reason
        # to stop the others.
        try:
            job(summary, server, **kwargs)
        except Stopped:
            pass
        except Exception as exc:
            summary.error(f"{job.__name__} {kwargs.get('name', '')}: {exc!r}")

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        try:
            futures = [pool.submit(guarded, job, **kwargs) for job, kwargs in jobs]
            for future in futures:
                future.result()
        finally:
            # Stopped (SIGTERM, Ctrl+C): the scanners still running end now, so do their threads.
            end_children()


def main() -> int:
    # Stopped (Ctrl+C, a CI timeout): unwind, so the server and the scanners are ended.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not (TOOLS_BIN / "wapiti").exists():
        raise SystemExit(f"No scanners in {TOOLS_BIN}: run `make security`, which installs them.")
    if REPORTS.exists():
        shutil.rmtree(REPORTS)
    (REPORTS / "wapiti").mkdir(parents=True)
    (REPORTS / "sqlmap").mkdir()
    summary = Summary()
    started = dt.datetime.now(dt.UTC)
    summary.tools = {
        "bandit": tool_version([str(TOOLS_BIN / "bandit"), "--version"]),
        "wapiti": tool_version([str(TOOLS_BIN / "wapiti"), "--version"]),
        "sqlmap": tool_version([str(TOOLS_BIN / "sqlmap"), "--version"]),
    }
    log(f"tools: {summary.tools}")
    bandit_scan(summary)

    port = free_port(PORT)
    base_url = f"https://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="portal-security-") as scratch:
        scratch_path = Path(scratch)
        env = portal_environment(base_url=base_url, private_root=scratch_path / "private")
        log(f"database {urlsplit(DATABASE_URL).path.lstrip('/')}: recreate, migrate, seed")
        database_recreate()
        manage = [sys.executable, "manage.py"]
        run([*manage, "migrate", "--no-input", "-v", "0"], env=env)
        run([*manage, "seed_demo", "--force", "-v", "0"], env=env)
        run([*manage, "collectstatic", "--no-input", "-v", "0"], env=env)
        run([*manage, "check", "--deploy", "--fail-level", "WARNING"], env=env)
        cert, key = self_signed_certificate(scratch_path)
        log(f"serving {base_url} (gunicorn, production settings)")
        server = Server(env=env, port=port, cert=cert, key=key)
        try:
            server.wait_ready()
            targets = scan_targets(server)
            scans(summary, server, targets)
        finally:
            server.stop()

    requests = traffic(summary, server)
    requests["idle_connection_timeouts"] = worker_timeouts(summary, server)
    passed = not summary.findings and not summary.errors
    finished = dt.datetime.now(dt.UTC)
    result = {
        "passed": passed,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "minutes": round((finished - started).total_seconds() / 60, 1),
        "target": base_url + " (DJANGO_ENV=production, gunicorn over HTTPS, seed_demo data)",
        "tools": summary.tools,
        "wapiti_modules": WAPITI_MODULES.split(","),
        "wapiti_max_attack_seconds_per_module": WAPITI_MAX_ATTACK_SECONDS,
        "sqlmap_level_risk": [int(SQLMAP_LEVEL), int(SQLMAP_RISK)],
        "findings": summary.findings,
        "errors": summary.errors,
        "results": summary.results,
        "server_requests": requests,
    }
    (REPORTS / "summary.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for finding in summary.findings:
        log(f"FINDING [{finding['tool']}] {finding['what']} — {finding['where']}")
    log(
        f"{'PASSED' if passed else 'FAILED'}: {len(summary.findings)} finding(s), "
        f"{len(summary.errors)} error(s); reports in {REPORTS.relative_to(ROOT)}/"
    )
    return 0 if passed else 1
