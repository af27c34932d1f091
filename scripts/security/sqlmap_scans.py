"""sqlmap against the officer queue, the eligibility API and the permit verification page.

"identified the following injection point" in its output, or anything in its per-target log,
is a finding. The parameters carry values of a decided application (scan_targets.py), which no
concurrent scan can change, so sqlmap's true and false pages keep differing.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from urllib.parse import urlencode

from child_processes import run
from run_summary import Summary, log
from runner_config import ELIGIBILITY_API_QUERY, REPORTS, TOOLS_BIN, USER_AGENT
from scan_server import Server
from scan_sessions import session_alive, signed_in

SQLMAP_LEVEL = os.environ.get("SECURITY_SQLMAP_LEVEL", "3")
SQLMAP_RISK = os.environ.get("SECURITY_SQLMAP_RISK", "2")
SQLMAP_FOUND = "identified the following injection point"
SQLMAP_CLEAN = "do not appear to be injectable"


def scan_targets(server: Server) -> dict:
    """Values that match demo rows (scan_targets.py), so sqlmap's true and false pages differ."""
    result = run([sys.executable, "scripts/security/scan_targets.py"], env=server.env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlmap_scan(
    summary: Summary, server: Server, *, name: str, path: str, params: list[str], cookie: str = ""
) -> None:
    tool = f"sqlmap-{name}"
    log(f"{tool}: starting ({', '.join(params) or 'the marked path segment'})")
    folder = REPORTS / "sqlmap" / name
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        str(TOOLS_BIN / "sqlmap"),
        "--url",
        server.base_url + path.lstrip("/"),
        "--batch",
        "--flush-session",
        "--disable-coloring",
        f"--level={SQLMAP_LEVEL}",
        f"--risk={SQLMAP_RISK}",
        "--dbms=PostgreSQL",
        "--drop-set-cookie",
        "--timeout=30",
        "--retries=1",
        f"--user-agent={USER_AGENT.format(tool=tool)}",
        f"--output-dir={folder}",
    ]
    if params:
        command.append("-p" + ",".join(params))
    if cookie:
        command += ["--cookie", cookie]
    started = time.monotonic()
    result = run(command, check=False, env={**os.environ, "HOME": str(folder)})
    seconds = round(time.monotonic() - started)
    output = result.stdout + result.stderr
    (folder / "stdout.txt").write_text(output)
    target_logs = [p for p in folder.rglob("log") if p.is_file() and p.stat().st_size > 0]
    injectable = SQLMAP_FOUND in output or bool(target_logs)
    if injectable:
        summary.finding(tool, f"injection point in {name}", path)
    elif SQLMAP_CLEAN not in output:
        # Neither verdict: sqlmap stopped early (a redirect to sign-in, a connection error...).
        tail = " | ".join(line for line in output.splitlines()[-5:] if line.strip())
        summary.error(f"{tool} reached no verdict: {tail[:400]}")
    tested = re.findall(
        r"testing for SQL injection on (?:GET|URI|\(custom\) \w+|[\w-]+) parameter '([^']+)'",
        output,
    )
    summary.result(
        tool,
        {
            "url": path,
            "parameters_tested": sorted(set(tested)),
            # Those that looked injectable until sqlmap's own false-positive check: proof that
            # the true and false pages differed.
            "candidates_rejected_as_false_positives": output.count("false positive or unexploit"),
            "seconds": seconds,
            "injectable": injectable,
        },
    )


def sqlmap_scans(summary: Summary, server: Server, targets: dict) -> None:
    """One after the other (each is short); next to the three wapiti scans."""
    officer_cookie = signed_in(server, "officer@example.com", REPORTS / "sqlmap" / "cookies.json")
    if not session_alive(server, officer_cookie, "/officers/"):
        summary.error("sqlmap: the officer session does not open /officers/")
        return
    queue_query = urlencode(
        {
            "q": targets["search"],
            "status": targets["status"],
            "level": targets["level"],
            "university": targets["university"],
            "province": targets["province"],
            "assignee": "me",
            "sort": "name",
            "page": "1",
        }
    )
    sqlmap_scan(
        summary,
        server,
        name="officer-queue",
        path=f"/officers/?{queue_query}",
        params=["q", "status", "level", "university", "province", "assignee", "sort", "page"],
        cookie=officer_cookie,
    )
    dates_query = urlencode(
        {
            "status": targets["status"],
            "submitted_from": targets["submitted_from"],
            "submitted_to": targets["submitted_to"],
            "overdue": "false",
        }
    )
    sqlmap_scan(
        summary,
        server,
        name="officer-queue-dates",
        path=f"/officers/?{dates_query}",
        params=["submitted_from", "submitted_to", "overdue"],
        cookie=officer_cookie,
    )
    sqlmap_scan(
        summary,
        server,
        name="eligibility-api",
        path=f"/api/eligibility/?{ELIGIBILITY_API_QUERY}",
        params=[
            "level",
            "field",
            "programme_start",
            "programme_end",
            "prep_year",
            "passport_expiry",
            "entry_date",
            "on",
        ],
    )
    code = targets["permit_code"]
    sqlmap_scan(summary, server, name="verify-query", path=f"/verify/?code={code}", params=["code"])
    # "*" marks the injection point inside the path.
    sqlmap_scan(summary, server, name="verify-path", path=f"/verify/{code}*/", params=[])
