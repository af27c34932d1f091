"""Reads that may come from the read replica: an explicit opt-in, never the default.

A replica lags the primary by a moment, so only pages that need not see the caller's own last
write opt in: ``with replica_reads():`` around the reading, or ``@reads_from_replica`` on a
view. Outside such a block every read goes to the primary. Writes always go to the primary
(``portal.db_router.ReplicaRouter``); a read inside the block that must see a write made
just before it has to say ``.using("default")``.

The router lives in ``portal``; the switch lives here, at the bottom layer, so that the apps'
views may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

REPLICA_ALIAS = "replica"

# A context variable rather than a thread-local: it follows the request into whatever runs it.
_on_replica: ContextVar[bool] = ContextVar("reads_on_replica", default=False)

T = TypeVar("T")
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def read_alias() -> str:
    """Where a read goes now: the replica inside ``replica_reads()`` when one is configured."""
    if _on_replica.get() and REPLICA_ALIAS in settings.DATABASES:
        return REPLICA_ALIAS
    return DEFAULT_DB_ALIAS


def iterate_on_replica(items: Iterable[T]) -> Iterator[T]:
    """``items``, each one produced inside ``replica_reads()``.

    The switch is on only while the next item is being made, never while this generator is
    suspended: the code consuming it (the WSGI server, a middleware) keeps reading the primary,
    and an abandoned generator leaves nothing switched on.
    """
    iterator = iter(items)
    while True:
        with replica_reads():
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


def reads_from_replica(view: View) -> View:
    """The view reads from the replica, and so does a streamed body produced after it returns.

    Put it below the access decorators: who the user is and what they may see (session,
    consent, roles) is read from the primary first.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with replica_reads():
            response = view(request, *args, **kwargs)
        # An asynchronous body is left as it is: it then reads the primary, which is never wrong.
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            body = cast(Iterator[bytes], response.streaming_content)
            response.streaming_content = iterate_on_replica(body)
        return response

    return wrapper  # type: ignore[return-value]
