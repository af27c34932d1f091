"""What ``make bench`` and ``make load`` share: the benchmark database, its data, signed-in users.

The benchmark database is a separate PostgreSQL database (``BENCH_DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/portal_bench``): created and migrated when absent, seeded
once with ``seed_bulk`` and reused by later runs (topped up if the nightly draft purge of a bench
run deleted some). Nothing here touches the development or test databases.

Call ``configure()`` before Django is set up: it fixes the environment the portal reads.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
# Redis databases of the benchmarks' own (the tests use 15, `make run` uses 0).
BROKER_URL = "redis://127.0.0.1:6379/13"
CACHE_URL = "redis://127.0.0.1:6379/12"
BENCH_ADMIN_EMAIL = "bench-admin@bulk.example.com"


# The size every other is compared with (``growth`` in the results).
BASE_APPLICATIONS = 100_000


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def configure(*, debug: bool = False, applications: int = BASE_APPLICATIONS) -> None:
    """The portal's settings for a benchmark run, through the environment it reads.

    Another size than the base one gets a database of its own (``portal_bench_1000000``), so
    a million-case run leaves the 100,000 of the usual runs as they are.
    """
    sys.path.insert(0, str(ROOT))
    if applications != BASE_APPLICATIONS and "BENCH_DATABASE_URL" not in os.environ:
        os.environ["BENCH_DATABASE_URL"] = f"{DEFAULT_DATABASE_URL}_{applications}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DATABASE_URL"] = database_url()
    # As in production: templates not in debug mode, static files from the collected manifest.
    os.environ["DEBUG"] = "true" if debug else "false"
    os.environ["CELERY_BROKER_URL"] = BROKER_URL
    os.environ["PRIVATE_MEDIA_ROOT"] = str(RESULTS / "media")
    # The public API's per-address limit would stop a benchmark that calls it from one address.
    os.environ["ELIGIBILITY_API_RATE_PER_MINUTE"] = "1000000"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    RESULTS.mkdir(parents=True, exist_ok=True)


def ensure_database() -> bool:
    """Create the benchmark database if it does not exist; True if it was created."""
    import psycopg

    parts = urlsplit(database_url())
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')  # the name comes from our own setting
        return True


def prepare(*, applications: int, log=print) -> dict:
    """Database, migrations, static files and data for a run; returns what was done."""
    import django

    created = ensure_database()
    django.setup()
    from django.core.management import call_command

    from applications.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    present = Application.objects.count()
    seeded = {"database_created": created, "applications_before": present, "seconds": None}
    if present < applications:
        missing = applications - present
        log(f"Seeding {missing} applications into {database_url()} ...")
        started = time.perf_counter()
        # Its report goes to stderr: stdout carries only the JSON document.
        call_command("seed_bulk", applications=missing, force=True, stdout=sys.stderr)
        seeded["seconds"] = round(time.perf_counter() - started, 1)
        seeded["added"] = missing
    seeded["applications"] = Application.objects.count()
    return seeded


def signed_in_client(user, **headers):
    """A Django test client signed in as ``user``, staff with their second factor passed.

    The same as the test suite's ``client_for`` (tests/conftest.py): the session gets the record
    allauth writes after a valid authenticator code, through ``accounts.mfa.mfa_record_passed``.
    """
    from django.http import HttpRequest
    from django.test import Client

    from accounts.mfa import mfa_record_passed, mfa_required

    client = Client(headers={"accept-language": "en", **headers})
    client.force_login(user)
    if mfa_required(user):
        session = client.session
        request = HttpRequest()
        request.session = session
        mfa_record_passed(request, user=user)
        session.save()
    return client


def bench_admin():
    """A superuser for the admin changelist (created once, no usable password)."""
    from accounts.models import User

    user, created = User.objects.get_or_create(
        email=BENCH_ADMIN_EMAIL, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def machine() -> dict:
    """Where the run happened: the numbers BENCHMARKS.md quotes."""
    from django.db import connection

    info = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(
            next(line for line in meminfo.splitlines() if line.startswith("MemTotal")).split()[1]
        )
        info["ram_gib"] = round(kib / 1024 / 1024, 1)
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        )
        info["load_average"] = [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, StopIteration, ValueError):
        pass
    import django

    info["django"] = django.get_version()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
    return info


def load_average() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None
