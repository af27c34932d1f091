"""wapiti, four times: anonymous, as two students, and as an officer past two-factor sign-in.

It runs with the offline-safe module list of ../shared/TOOLS.md; every entry under
``vulnerabilities`` or ``anomalies`` of its report (a 500 on fuzzed input, a timeout) is a
finding. The signed-in scans use sessions from session_cookie.py and do not crawl the URLs that
would end them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess  # nosec B404 # fixed argument lists of our own tools, never a shell
import time

from child_processes import run
from run_summary import Summary, log
from runner_config import REPORTS, TOOLS_BIN, USER_AGENT
from scan_server import Server
from scan_sessions import session_alive, signed_in

# wapiti stops crawling after WAPITI_MAX_SCAN_SECONDS, and each attack module of a signed-in
# scan after WAPITI_MAX_ATTACK_SECONDS, of the anonymous scan (fewer forms, most of them
# allauth's) after half that; it reports what it found by then, and summary.json lists the
# modules that were cut short.
WAPITI_MAX_SCAN_SECONDS = int(os.environ.get("SECURITY_WAPITI_MAX_SCAN_SECONDS", "300"))
WAPITI_MAX_ATTACK_SECONDS = int(os.environ.get("SECURITY_WAPITI_MAX_ATTACK_SECONDS", "300"))

# ../shared/TOOLS.md: wapiti's default list less ssrf and ssl, which need the internet.
WAPITI_MODULES = (
    "sql,timesql,exec,xss,permanentxss,file,redirect,upload,csp,http_headers,cookieflags"
)
# Paths never crawled: they would end the scanner's session (sign-out, account deletion).
WAPITI_EXCLUDED_PATHS = ["/accounts/logout/*", "/account/delete/*", "/admin/logout/*"]
# The language switcher is a form on every page, with that page as its "next": signed in, it
# would be attacked once per page crawled. The anonymous scan covers it.
WAPITI_EXCLUDED_SIGNED_IN = ["/i18n/setlang/*"]
# Every rendering of a form carries a fresh CSRF token, so wapiti sees each form once per page
# and attacks its token each time, for 403s only. Signed in, the token is not attacked; the
# anonymous scan still mutates it (and is refused).
WAPITI_SKIPPED_SIGNED_IN = ["csrfmiddlewaretoken"]


def wapiti_scan(
    summary: Summary,
    server: Server,
    *,
    name: str,
    email: str | None,
    home: str,
    also_start: tuple[str, ...] = (),
    also_exclude: tuple[str, ...] = (),
) -> None:
    """One wapiti scan from ``home`` (and ``also_start``: pages no link leads to)."""
    tool = f"wapiti-{name}"
    log(f"{tool}: starting")
    folder = REPORTS / "wapiti"
    report = folder / f"{name}.json"
    command = [
        str(TOOLS_BIN / "wapiti"),
        "--url",
        server.base_url,
        "--scope",
        "folder",
        "--module",
        WAPITI_MODULES,
        "--flush-session",
        "--store-session",
        str(folder / f"{name}-session"),
        "--max-scan-time",
        str(WAPITI_MAX_SCAN_SECONDS),
        "--max-attack-time",
        str(WAPITI_MAX_ATTACK_SECONDS if email else WAPITI_MAX_ATTACK_SECONDS // 2),
        "--user-agent",
        USER_AGENT.format(tool=tool),
        "--verify-ssl",
        "0",
        "--no-bugreport",
        "--detailed-report",
        "1",
        "--format",
        "json",
        "--output",
        str(report),
        "--log",
        str(folder / f"{name}.log"),
        "--verbose",
        "1",
    ]
    for path in (home, *also_start):
        command += ["--start", server.base_url + path.lstrip("/")]
    excluded = [
        *WAPITI_EXCLUDED_PATHS,
        *(WAPITI_EXCLUDED_SIGNED_IN if email else []),
        *also_exclude,
    ]
    for path in excluded:
        command += ["--exclude", server.base_url + path.lstrip("/")]
    skipped = WAPITI_SKIPPED_SIGNED_IN if email else []
    for parameter in skipped:
        command += ["--skip", parameter]
    cookie = ""
    if email:
        cookie_file = folder / f"{name}-cookies.json"
        cookie = signed_in(server, email, cookie_file)
        if not session_alive(server, cookie, home):
            summary.error(f"{tool}: the session for {email} does not open {home}")
            return
        command += ["--cookie", str(cookie_file)]
    started = time.monotonic()
    with (folder / f"{name}.stdout.txt").open("w") as stdout:
        result = run(command, check=False, stdout=stdout, stderr=subprocess.STDOUT)
    seconds = round(time.monotonic() - started)
    if not report.exists():
        summary.error(f"{tool} wrote no report (exit {result.returncode})")
        return
    data = json.loads(report.read_text())
    for kind in ("vulnerabilities", "anomalies"):
        for category, entries in data.get(kind, {}).items():
            for entry in entries:
                summary.finding(
                    tool,
                    f"{category}: {entry.get('info', '')}"[:300],
                    f"{entry.get('method', '')} {entry.get('path', '')}",
                    parameter=entry.get("parameter", ""),
                    module=entry.get("module", ""),
                )
    still_signed_in = session_alive(server, cookie, home) if email else None
    if email and not still_signed_in:
        summary.error(f"{tool}: the session was lost during the scan (coverage partial)")
    output = (folder / f"{name}.stdout.txt").read_text(errors="replace")
    infos = data.get("infos", {})
    crawled = infos.get("crawled_pages", [])
    (folder / f"{name}-crawled.json").write_text(json.dumps(crawled, indent=1) + "\n")
    summary.result(
        tool,
        {
            "signed_in_as": email,
            "start_urls": [home, *also_start],
            "excluded": excluded,
            "parameters_not_attacked": skipped,
            "max_attack_seconds_per_module": WAPITI_MAX_ATTACK_SECONDS
            if email
            else WAPITI_MAX_ATTACK_SECONDS // 2,
            "seconds": seconds,
            "crawled_resources": infos.get("crawled_pages_nbr", len(crawled)),
            "vulnerabilities": sum(len(v) for v in data.get("vulnerabilities", {}).values()),
            "anomalies": sum(len(v) for v in data.get("anomalies", {}).values()),
            "additionals": sum(len(v) for v in data.get("additionals", {}).values()),
            "session_still_signed_in": still_signed_in,
            "crawl_cut_short": "Max scan time was reached" in output,
            "modules_cut_short": re.findall(
                r"Max attack time was reached for module (\w+)", output
            ),
        },
    )
