"""``/healthz/``: is this process able to serve? Checked by load balancers and monitors."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with celery_app.connection_for_write() as conn:
        # One quick attempt: a probe must answer within a load balancer's timeout.
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    return "ok"


CHECKS = {"database": _database, "broker": _broker}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    down = []
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure means "down"; the reason is reported
            results[name] = f"down: {exc.__class__.__name__}"
            down.append(name)
    body = {"status": "ok" if not down else "down", "checks": results}
    if down:
        body["down"] = down
    if results.get("broker") == "eager":
        body["note"] = "No broker configured: tasks run eagerly inside the web process."
    return JsonResponse(body, status=503 if down else 200)
