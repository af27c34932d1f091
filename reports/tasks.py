"""Celery tasks of the reports app: the nightly sweep (beat)."""

from celery import shared_task


@shared_task(ignore_result=True)
def sweep_report_info_requests_task() -> dict[str, int]:
    """Nightly (beat): information requests about reports due soon, and overdue ones."""
    from .sweeps import sweep_report_info_requests

    return sweep_report_info_requests()
