"""``/metrics``: the portal in Prometheus' text format, for the operators' Prometheus only.

Requests are counted and timed per view by ``MetricsMiddleware``; the label is the name of the
route the request resolved to, never its path, so that ``/applications/123/`` and
``/applications/456/`` are one series and nobody can add series by requesting made-up URLs. The
database and broker gauges are computed when scraped (collectors.py).

Access: with ``METRICS_TOKEN`` empty the page does not exist (404); otherwise only a request
with ``Authorization: Bearer <METRICS_TOKEN>`` gets it, any other answers 401. The numbers are
not personal data, but the outbox backlog and the late cases are the office's internals.

Several gunicorn workers each count their own requests; with ``PROMETHEUS_MULTIPROC_DIR`` set
(an empty folder, the same for every worker, wiped before each start) prometheus_client keeps
the counts in files there and any worker answers the sum of all of them.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from .collectors import PortalCollector

REQUESTS = Counter(
    "portal_http_requests",
    "Requests answered, by view (route name), method and status class.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching the portal's middleware to the response, by view and method.",
    ["view", "method"],
)

# Anything else a client may send is one label value: a method is client input too.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED = "<unresolved>"
STATIC = "<static>"


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        # The route's name with its namespace; an unnamed route gives the view's dotted path:
        # either way a value from the code, never from the request.
        return str(match.view_name)
    # Static files (whitenoise) and redirects answered before any route was looked up.
    if request.path.startswith(settings.STATIC_URL):
        return STATIC
    return UNRESOLVED


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class MetricsMiddleware:
    """Early in ``MIDDLEWARE`` (after the request id), so the time includes the other
    middleware's: sessions, authentication, two-factor redirects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        # A view's exception has become a 500 response by the time it gets here (Django wraps
        # every middleware), so every request is counted.
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, status_class(response.status_code)).inc()
        LATENCY.labels(view, method).observe(elapsed)
        return response


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def scrape_registry() -> CollectorRegistry:
    """What one scrape answers: this process's (or, in multiprocess mode, every worker's)
    request metrics, and the gauges read now."""
    registry = CollectorRegistry()
    folder = multiprocess_dir()
    if folder:
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    registry.register(PortalCollector())
    return registry


def _authorized(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: how long the comparison takes says nothing about the token.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token: str = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if not _authorized(request, token):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
