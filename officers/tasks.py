"""Celery tasks of the officers app."""

from celery import shared_task


@shared_task(ignore_result=True)
def digest_task() -> dict[str, int]:
    """Nightly (beat): the supervisors' digest of applications past the internal target."""
    from .sweeps import sweep_supervisor_digest

    return sweep_supervisor_digest()
