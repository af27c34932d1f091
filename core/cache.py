"""The shared cache, on Redis, that a Redis outage cannot turn into error pages.

Everything the portal keeps in the cache can be rebuilt (policy versions read again from the
database) or is a counter (rate limits): while Redis is unreachable, a read is a miss, a write
is dropped, and a rate-limit counter starts again (the limits open rather than lock everyone
out). Each failure is logged, so the outage is seen; ``/readyz/`` names the cache as down.
Measured by ``make chaos`` (BENCHMARKS.md): before, the dashboards answered 500 while Redis
restarted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _or(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the cache call; on a Redis failure return ``fallback(*args, **kwargs)``."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def call(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except RedisError as exc:
                logger.warning("Cache unavailable (%s): %s", method.__name__, exc)
                return fallback(*args, **kwargs)

        return call

    return decorate


def _default(key: str, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _delta(key: str, delta: int = 1, *args: Any, **kwargs: Any) -> int:
    return delta


class ResilientRedisCache(RedisCache):
    # ``add`` says "stored" so that a counter starts at one instead of failing.
    add = _or(lambda *a, **k: True)(RedisCache.add)
    get = _or(_default)(RedisCache.get)
    set = _or(lambda *a, **k: None)(RedisCache.set)
    touch = _or(lambda *a, **k: False)(RedisCache.touch)
    delete = _or(lambda *a, **k: False)(RedisCache.delete)
    get_many = _or(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _or(lambda *a, **k: False)(RedisCache.has_key)
    incr = _or(_delta)(RedisCache.incr)
    set_many = _or(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _or(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _or(lambda *a, **k: False)(RedisCache.clear)
