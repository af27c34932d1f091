"""``make security``: scan the portal before a release; exit 1 on any finding.

Not part of ``make test``: it takes about half an hour and scans a running server. Steps:

1. bandit over the project's own Python code (not the virtualenvs, node_modules, tests,
   benchmarks or migrations); every issue it reports is a finding, so an intentional one must
   be fixed or marked on its own line with ``# nosec <ID>`` and the reason.
2. A throw-away database (``SECURITY_DATABASE_URL``, dropped and created each run), migrated and
   filled with ``seed_demo``; a self-signed certificate; the portal served by gunicorn over
   HTTPS on 127.0.0.1 with the *production* settings (``DJANGO_ENV=production``: DEBUG off,
   secure cookies, HSTS, manifest static files), fresh random keys, Celery tasks run eagerly
   and mail dropped (scan_settings.py lists the two other differences). HTTPS lets the scanners
   see the cookies and headers a deployment sends.
3. At the same time (wapiti sends one request at a time, so several clients use the server
   better than one):
   - wapiti with the offline-safe module list of ../shared/TOOLS.md, four times: anonymous,
     signed in as two students (one with a draft), and signed in as an officer whose session
     has passed two-factor sign-in (sessions from ``session_cookie.py``; the sign-out and
     account-deletion URLs are not crawled). Every entry under ``vulnerabilities`` or
     ``anomalies`` (a 500 on fuzzed input, a timeout) is a finding.
   - sqlmap against the officer queue's search, filter and sort parameters, the eligibility
     API's parameters and the permit verification page (query and path); "identified the
     following injection point" in its output, or anything in its per-target log, is a
     finding. The parameters carry values of a decided application (scan_targets.py), which no
     concurrent scan can change, so sqlmap's true and false pages keep differing.
4. Any response with a 5xx status in the server's access log, and any worker timeout while
   handling a request (see ``worker_timeouts``), is a finding too, whichever tool caused it.
   Each tool sends its own User-Agent, so the access log tells whose requests were whose.

The scanners exit 0 whatever they find, so this script reads their reports. Everything goes to
``security-reports/`` (git-ignored): the tools' own reports and logs, the server's logs, and
``summary.json``. Run it with the portal's interpreter (``.venv/bin/python``); the scanners come
from ``SECURITY_VENV`` (``.venv-security``, installed from requirements-security.txt by make).
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess  # nosec B404 # fixed argument lists of our own tools, never a shell
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "security-reports"
PORTAL_BIN = Path(sys.executable).parent
TOOLS_BIN = Path(os.environ.get("SECURITY_VENV", ROOT / ".venv-security")) / "bin"
DATABASE_URL = os.environ.get(
    "SECURITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_security"
)
PORT = int(os.environ.get("SECURITY_PORT", "8765"))
# wapiti stops crawling after WAPITI_MAX_SCAN_SECONDS, and each attack module of a signed-in
# scan after WAPITI_MAX_ATTACK_SECONDS, of the anonymous scan (fewer forms, most of them
# allauth's) after half that; it reports what it found by then, and summary.json lists the
# modules that were cut short.
WAPITI_MAX_SCAN_SECONDS = int(os.environ.get("SECURITY_WAPITI_MAX_SCAN_SECONDS", "300"))
WAPITI_MAX_ATTACK_SECONDS = int(os.environ.get("SECURITY_WAPITI_MAX_ATTACK_SECONDS", "300"))
SQLMAP_LEVEL = os.environ.get("SECURITY_SQLMAP_LEVEL", "3")
SQLMAP_RISK = os.environ.get("SECURITY_SQLMAP_RISK", "2")

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

# Not deployed, and like the tests free to start processes and draw pseudo-random numbers: the
# tests and the benchmarks (bench/). The migrations are Django's generated code.
BANDIT_EXCLUDED = [
    "./.venv*",
    "./node_modules",
    "./tests",
    "./bench",
    "./staticfiles",
    "./security-reports",
    "*/migrations/*",
]

# A valid question to the eligibility API (an eligible bachelor's student).
ELIGIBILITY_API_QUERY = urlencode(
    {
        "level": "bachelor",
        "field": "general",
        "programme_start": "2024-09-16",
        "programme_end": "2028-06-30",
        "prep_year": "false",
        "passport_expiry": "2030-06-30",
        "entry_date": "2024-09-01",
        "on": "2024-10-01",
    }
)

USER_AGENT = "portal-security/{tool}"
ACCESS_LOG_FORMAT = '%(s)s %(M)s "%(a)s" "%(r)s"'
ACCESS_LINE = re.compile(r'^(?P<status>\d{3}) (?P<ms>\d+) "(?P<agent>.*?)" "(?P<request>.*)"$')
AGENT_TOOL = re.compile(r"portal-security/(?P<tool>[\w:-]+)")
SQLMAP_FOUND = "identified the following injection point"
SQLMAP_CLEAN = "do not appear to be injectable"


def log(message: str) -> None:
    print(f"[security {dt.datetime.now():%H:%M:%S}] {message}", flush=True)


@dataclass
class Summary:
    findings: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tools: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def finding(self, tool: str, what: str, where: str = "", **detail) -> None:
        with self.lock:
            self.findings.append({"tool": tool, "what": what, "where": where, **detail})

    def error(self, message: str) -> None:
        """The scan itself went wrong (a tool failed, a session was lost): not a clean pass."""
        log(f"ERROR: {message}")
        with self.lock:
            self.errors.append(message)

    def result(self, tool: str, values: dict) -> None:
        with self.lock:
            self.results[tool] = values
        log(f"{tool}: {json.dumps(values, ensure_ascii=False)[:600]}")


# --- processes -------------------------------------------------------------------------------

# Every process started here, so that a stopped run (Ctrl+C, SIGTERM) ends them all; once it
# is stopping, no new one starts (the sqlmap thread would otherwise go on to its next target).
_children: set[subprocess.Popen] = set()
_children_lock = threading.Lock()
_stopping = threading.Event()


class Stopped(Exception):
    """The run is stopping: a scan thread gives up instead of starting another tool."""


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    check: bool = True,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
) -> subprocess.CompletedProcess:
    """Every tool and manage.py command runs through here: a fixed argument list, no shell."""
    with _children_lock:
        if _stopping.is_set():
            raise Stopped
        process = subprocess.Popen(  # noqa: S603 # nosec B603
            command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr, text=True
        )
        _children.add(process)
    with process:
        try:
            out, err = process.communicate()
        finally:
            with _children_lock:
                _children.discard(process)
    if check and process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, out, err)
    return subprocess.CompletedProcess(command, process.returncode, out or "", err or "")


def end_children() -> None:
    with _children_lock:
        _stopping.set()
        for process in _children:
            process.kill()


# --- the server ------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid for a day; the scanners do not verify."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def portal_environment(*, base_url: str, private_root: Path) -> dict[str, str]:
    """The production settings, with fresh keys and nothing that leaves the machine."""
    environment = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the developer's own configuration leaks in.
        if not key.startswith(
            ("DJANGO", "DATABASE", "SECRET", "ALLOWED", "DEBUG", "CELERY", "CACHE", "EMAIL")
        )
    }
    environment |= {
        "DJANGO_ENV": "production",
        # The portal's settings with throttling off and a fast password hasher (see there).
        "DJANGO_SETTINGS_MODULE": "scripts.security.scan_settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": base_url.rstrip("/"),
        "DATABASE_URL": DATABASE_URL,
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(48),
        "DEMO_PASSWORD": secrets.token_urlsafe(24),
        "PRIVATE_MEDIA_ROOT": str(private_root),
        # No broker: tasks run eagerly in the web process; mail is dropped.
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        "CACHE_URL": "locmemcache://",
        # The scanners send thousands of requests from one address: the public pages' limits
        # would answer most of them 429 and hide the application behind them.
        "VERIFY_RATE_PER_MINUTE": "1000000",
        "ELIGIBILITY_API_RATE_PER_MINUTE": "1000000",
        "LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    return environment


def database_recreate() -> None:
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(DATABASE_URL)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit(f"SECURITY_DATABASE_URL must be PostgreSQL, not {DATABASE_URL!r}.")
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def https_get(url: str, *, cookie: str = "") -> int:
    """The status of a GET, redirects not followed; the certificate is ours, not verified."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    headers = {"User-Agent": USER_AGENT.format(tool="runner")}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (https only)
    try:
        with opener.open(request, timeout=30) as response:  # nosec B310 # our https URL
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Server:
    """gunicorn serving the portal over HTTPS, logging each request's status and User-Agent."""

    def __init__(self, *, env: dict[str, str], port: int, cert: Path, key: Path) -> None:
        self.env = env
        self.base_url = f"https://127.0.0.1:{port}/"
        self.access_log = REPORTS / "server-access.log"
        self.error_log = REPORTS / "server-error.log"
        self.process = subprocess.Popen(  # noqa: S603 (our gunicorn) # nosec B603
            [
                str(PORTAL_BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
                "--timeout",
                "60",
                "--certfile",
                str(cert),
                "--keyfile",
                str(key),
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "--error-logfile",
                str(self.error_log),
                "--capture-output",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )

    def wait_ready(self, seconds: int = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited ({self.process.returncode}); see {self.error_log}"
                )
            try:
                if https_get(self.base_url + "healthz/") == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"The portal did not answer {self.base_url}healthz/ in {seconds} s.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def requests(self) -> list[tuple[str, int, str]]:
        """(tool, status, request line) of every request served, the tool read off the agent."""
        found = []
        with self.access_log.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                match = ACCESS_LINE.match(line.rstrip("\n"))
                if match:
                    agent = AGENT_TOOL.search(match["agent"])
                    tool = agent["tool"] if agent else "other"
                    found.append((tool, int(match["status"]), match["request"]))
        return found


def traffic(summary: Summary, server: Server) -> dict:
    """Requests per tool by status class and the paths they reached; every 5xx is a finding."""
    per_tool: dict[str, dict] = {}
    for tool, status, request in server.requests():
        counts = per_tool.setdefault(
            tool, {"requests": 0, "statuses": collections.Counter(), "paths": set()}
        )
        counts["requests"] += 1
        counts["statuses"][f"{status // 100}xx"] += 1
        method, _, rest = request.partition(" ")
        path = rest.rsplit(" ", 1)[0].split("?", 1)[0]
        # /officers/applications/12/ and /13/ are one page for this count, and so is every
        # code sqlmap tries in /verify/<code>/.
        path = re.sub(r"/\d+(?=/)", "/<id>", path)
        path = re.sub(r"^/verify/[^/]+/$", "/verify/<code>/", path)
        counts["paths"].add(f"{method} {path}")
        if status >= 500:
            summary.finding(tool, f"HTTP {status} from the server", request[:300])
    return {
        "total": sum(counts["requests"] for counts in per_tool.values()),
        "per_tool": {
            tool: {
                "requests": counts["requests"],
                "statuses": dict(sorted(counts["statuses"].items())),
                "distinct_paths": len(counts["paths"]),
            }
            for tool, counts in sorted(per_tool.items())
        },
        "paths": sorted({path for counts in per_tool.values() for path in counts["paths"]}),
    }


WORKER_TIMEOUT = re.compile(r"WORKER TIMEOUT \(pid:(\d+)\)")


def worker_timeouts(summary: Summary, server: Server) -> int:
    """Every gunicorn worker timeout while handling a request is a finding; returns the others.

    A sync worker that times out *before reading any request line* ("no URI read") was held by
    a client that opened a connection and sent nothing: wapiti does that when it cancels a
    module at its time limit. That is the transport's matter (in production the TLS proxy in
    front buffers requests, and gunicorn's documentation requires one for sync workers), not
    the application's, so it is counted in summary.json but does not fail the run.
    """
    lines = server.error_log.read_text(errors="replace").splitlines()
    idle = 0
    for number, line in enumerate(lines):
        timeout = WORKER_TIMEOUT.search(line)
        if not timeout:
            continue
        marker = f"[{timeout.group(1)}] [ERROR] Error handling request"
        handled = next((later for later in lines[number + 1 :] if marker in later), "")
        if handled.rstrip().endswith("(no URI read)"):
            idle += 1
        else:
            summary.finding("server", "worker timeout while handling a request", handled[:300])
    return idle


# --- the tools -------------------------------------------------------------------------------


def tool_version(command: list[str]) -> str:
    result = run(command, check=False)
    text = (result.stdout + result.stderr).strip()
    match = re.search(r"\d+\.\d+(?:\.\d+)*(?:#\w+)?", text)
    return match.group(0) if match else text[:40]


def bandit_scan(summary: Summary) -> None:
    log("bandit: the project's Python code")
    report = REPORTS / "bandit.json"
    result = run(
        [
            str(TOOLS_BIN / "bandit"),
            "--recursive",
            ".",
            "--exclude",
            ",".join(BANDIT_EXCLUDED),
            "--format",
            "json",
            "--output",
            str(report),
            "--quiet",
        ],
        check=False,
        stderr=subprocess.STDOUT,
    )
    # Its warnings (e.g. a nosec comment on a line inside a larger statement) go to a log.
    (REPORTS / "bandit.log").write_text(result.stdout)
    if not report.exists():
        summary.error(f"bandit wrote no report (exit {result.returncode})")
        return
    data = json.loads(report.read_text())
    for issue in data["results"]:
        summary.finding(
            "bandit",
            f"{issue['test_id']} {issue['issue_text']}",
            f"{issue['filename']}:{issue['line_number']}",
            severity=issue["issue_severity"],
            confidence=issue["issue_confidence"],
        )
    for error in data["errors"]:
        summary.error(f"bandit could not read {error['filename']}: {error['reason']}")
    totals = data["metrics"]["_totals"]
    summary.result(
        "bandit",
        {
            "files": len([name for name in data["metrics"] if name != "_totals"]),
            "lines_of_code": totals["loc"],
            "issues": len(data["results"]),
            "excluded": BANDIT_EXCLUDED,
            "issues_skipped_by_nosec": totals.get("skipped_tests", 0),
        },
    )


def signed_in(server: Server, email: str, cookie_file: Path) -> str:
    """A session for ``email`` (see session_cookie.py): the Cookie header, and wapiti's file."""
    result = run(
        [
            sys.executable,
            "scripts/security/session_cookie.py",
            email,
            "--wapiti",
            str(cookie_file),
            "--base-url",
            server.base_url,
        ],
        env=server.env,
    )
    return result.stdout.strip().splitlines()[-1]


def session_alive(server: Server, cookie: str, path: str) -> bool:
    """Whether the session still opens its home page (not a redirect to sign-in or to 2FA)."""
    return https_get(server.base_url + path.lstrip("/"), cookie=cookie) == 200


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


# --- the run ---------------------------------------------------------------------------------


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


if __name__ == "__main__":
    sys.exit(main())
