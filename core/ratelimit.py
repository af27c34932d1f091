"""A small fixed-window rate limiter for public pages.

The counters live in Django's cache, not in the process: in production ``CACHE_URL`` points at
Redis, which every web process (and every server) shares, so a client is counted once however its
requests are spread over the workers. The in-process ``locmem`` cache of a first run and of the
tests counts per process only, which is enough there.

A window is a fixed slice of ``window_seconds`` (the counter resets when the next slice starts), so
a client can make up to twice the limit across a window boundary; for a coarse abuse limit on
public pages that is acceptable and much cheaper than a sliding window.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "ratelimit"


def client_address(request: HttpRequest) -> str:
    """The address the connection came from.

    ``X-Forwarded-For`` is deliberately ignored: any client can send it, so trusting it would let
    a client pick a fresh identity for every request. Behind a reverse proxy, the proxy (or a
    middleware configured for that proxy) is what must set ``REMOTE_ADDR``.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window_seconds: int = 60) -> bool:
    """Count this request; ``True`` if the client has made more than ``limit`` in this window.

    The key is the scope, the client's address and the window's number, so each window starts
    from zero without any reset. ``cache.add`` creates the counter only if it does not exist and
    ``cache.incr`` increments it; both are atomic on Redis and on the locmem cache, so concurrent
    requests never lose a count.
    """
    window = int(time.time()) // window_seconds
    key = f"{KEY_PREFIX}:{scope}:{client_address(request)}:{window}"
    # The key names its window, so it is useless once the window is over; a little margin keeps
    # it alive until then even if it was created late in the window.
    timeout = window_seconds + 1
    if cache.add(key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            # The counter expired between add and incr: this request starts a new one.
            cache.add(key, 1, timeout=timeout)
            count = 1
    return count > limit
