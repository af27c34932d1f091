"""The request id: one value per request, on every log line the request causes, in the
``X-Request-ID`` response header, and carried into the Celery tasks it enqueues.

A proxy or load balancer in front may already have given the request an id; keeping it lets an
operator follow one request through the proxy's logs and ours. A client controls that header,
so only a short, plain value is kept (it lands in logs and is echoed back): anything else is
replaced by a fresh id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# A ContextVar rather than a thread-local: it is right for threads, and for async code too
# should a view ever become one.
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _current.get()


def valid_request_id(value: object) -> str | None:
    """The value if it may be used as a request id as it is, else None."""
    if isinstance(value, str) and _VALID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_request_id(value: str | None) -> Token[str | None]:
    return _current.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``, so that every other middleware's log lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = valid_request_id(request.META.get(_META_KEY)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            # A worker thread serves the next request with a clean context.
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (None outside a request or task), so that a format
    may name it whatever logger the record comes from."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
