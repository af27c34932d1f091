"""Reference data read on every page and changed a few times a year, kept in the cache.

Policy versions, universities and provinces are read by most officer pages; each is one cache
entry, dropped when one of its rows is saved or deleted (everywhere when ``CACHE_URL`` is
Redis), and again after the commit, because a reader between the save and the commit may have
cached the old rows. The timeout bounds how long a process with an in-memory cache can lag.
Writes that send no signals (``bulk_create``, ``COPY``, raw SQL) must call ``forget``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

REFERENCE_CACHE_SECONDS = 300


def cached(key: str, load: Callable[[], T], *, seconds: int = REFERENCE_CACHE_SECONDS) -> T:
    value: T | None = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, seconds)
    return value


def forget(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_when_changed(key: str, *senders: type[models.Model]) -> None:
    """Drop ``key`` whenever a row of one of ``senders`` is saved or deleted."""

    def receiver(**kwargs: Any) -> None:
        forget(key)

    for sender in senders:
        # weak=False: the receiver is a closure that nothing else keeps alive.
        post_save.connect(receiver, sender=sender, weak=False, dispatch_uid=f"{key}:save:{sender}")
        post_delete.connect(
            receiver, sender=sender, weak=False, dispatch_uid=f"{key}:delete:{sender}"
        )
