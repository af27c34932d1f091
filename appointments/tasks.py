"""Celery tasks of the appointments app: the sweep (beat)."""

from celery import shared_task


@shared_task(ignore_result=True)
def sweep_appointment_reminders_task() -> dict[str, int]:
    """Hourly in the day (beat): tomorrow's appointments reminded, invitations to book."""
    from .sweeps import sweep_appointment_reminders

    return sweep_appointment_reminders()
