"""Probes for the platform that runs the portal.

- ``/livez/``: the process answers. Nothing else is checked: a restart cures nothing that a
  database or broker outage causes, so an orchestrator must not restart processes over one.
- ``/readyz/``: the process can serve now: the database, the shared cache and the broker
  answer. When one does not, the answer is 503 and names it, and the load balancer sends the
  traffic elsewhere until it answers again.

A reason is the exception's class name only: never a URL, which may hold a password.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.celery import app as celery_app

EAGER = "eager"
EAGER_NOTE = "No broker configured: tasks run eagerly inside the web process."


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    # A write and a read back: a cache that accepts connections but cannot store (Redis out of
    # memory, read-only replica) breaks rate limits as surely as one that is gone.
    cache = caches["default"]
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise LookupError("the value written was not read back")
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    with celery_app.connection_for_write() as conn:
        # One quick attempt: a probe must answer within a load balancer's timeout.
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    return "ok"


Check = Callable[[], str]


def probe(checks: Mapping[str, Check]) -> JsonResponse:
    """Runs every check (one being down does not hide another) and answers
    ``{"status", "checks", "down"?, "note"?}``: 200 when all pass, 503 naming those that failed."""
    results: dict[str, str] = {}
    down: list[str] = []
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure means "down"; the reason is reported
            results[name] = f"down: {exc.__class__.__name__}"
            down.append(name)
    body: dict[str, Any] = {"status": "ok" if not down else "down", "checks": results}
    if down:
        body["down"] = down
    if results.get("broker") == EAGER:
        body["note"] = EAGER_NOTE
    return JsonResponse(body, status=503 if down else 200)


READINESS_CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


@never_cache
@require_safe
def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    return probe(READINESS_CHECKS)
