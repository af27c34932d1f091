"""Celery tasks of the applications app."""

from celery import shared_task


@shared_task(ignore_result=True)
def anonymise_decided_task() -> int:
    """Nightly (beat): remove personal data of applications past their retention period."""
    from .retention import anonymise_decided

    return anonymise_decided()
