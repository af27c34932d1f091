"""The server the scanners attack: the portal as it is deployed, on a throw-away database.

Production settings (``DJANGO_ENV=production``, with scan_settings.py's two changes), gunicorn
over HTTPS with a certificate made for the run, fresh random keys, nothing that leaves the
machine. Its access log records each request's status and User-Agent for server_logs.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess  # nosec B404 # fixed argument lists of our own tools, never a shell
import time
import urllib.error
import urllib.request
from pathlib import Path

from runner_config import DATABASE_URL, PORTAL_BIN, REPORTS, ROOT, USER_AGENT

# Kept in step: ACCESS_LINE reads back what ACCESS_LOG_FORMAT writes, and AGENT_TOOL the tool
# name that USER_AGENT puts in each request.
ACCESS_LOG_FORMAT = '%(s)s %(M)s "%(a)s" "%(r)s"'
ACCESS_LINE = re.compile(r'^(?P<status>\d{3}) (?P<ms>\d+) "(?P<agent>.*?)" "(?P<request>.*)"$')
AGENT_TOOL = re.compile(r"portal-security/(?P<tool>[\w:-]+)")


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
