"""``/healthz/``: what load balancers and monitors have probed since the first release.

Kept with its answer unchanged (the database and the broker) for the monitors that read it; the
platform's own probes are ``/livez/`` and ``/readyz/`` (portal/observability/health.py), whose
readiness also checks the shared cache.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .observability.health import check_broker, check_database, probe

CHECKS = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return probe(CHECKS)
