"""Celery tasks of the permits app."""

from celery import shared_task


@shared_task(ignore_result=True)
def sweep_permits_task() -> dict[str, int]:
    """Nightly (beat): permits ending in 60, 30 and 7 days."""
    from .sweeps import sweep_permits

    return sweep_permits()
