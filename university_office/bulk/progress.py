"""How far applying a file has got, where any web process can read it while the applying
transaction is still open: in the shared cache (Redis in production), not in the database,
whose rows another connection would only see after the commit."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Long enough for any file to be applied; the entry is removed when applying ends.
PROGRESS_TIMEOUT = 60 * 60


def progress_key(upload_id: int) -> str:
    return f"university_office:bulk:{upload_id}:progress"


def progress_set(upload_id: int, done: int, total: int) -> None:
    try:
        cache.set(progress_key(upload_id), {"done": done, "total": total}, PROGRESS_TIMEOUT)
    except Exception:  # the cache is down: applying goes on, only the bar stands still
        logger.warning("Progress of CSV upload %s could not be written to the cache.", upload_id)


def progress_get(upload_id: int) -> tuple[int, int] | None:
    """``(rows done, rows in the file)``, or None when nothing is known (yet)."""
    try:
        value = cache.get(progress_key(upload_id))
    except Exception:
        return None
    if not isinstance(value, dict):
        return None
    return int(value.get("done", 0)), int(value.get("total", 0))


def progress_clear(upload_id: int) -> None:
    try:
        cache.delete(progress_key(upload_id))
    except Exception:
        logger.warning("Progress of CSV upload %s could not be removed from the cache.", upload_id)
