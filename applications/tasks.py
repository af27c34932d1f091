"""Celery tasks of the applications app: the nightly sweeps (beat) and retention."""

from celery import shared_task


@shared_task(ignore_result=True)
def anonymise_decided_task() -> int:
    """Nightly (beat): remove personal data of applications past their retention period."""
    from .retention import anonymise_decided

    return anonymise_decided()


@shared_task(ignore_result=True)
def sweep_inactive_drafts_task() -> dict[str, int]:
    """Nightly (beat): remind owners of inactive drafts, then delete the expired ones."""
    from .sweeps import sweep_inactive_drafts

    return sweep_inactive_drafts()


@shared_task(ignore_result=True)
def sweep_passports_task() -> dict[str, int]:
    """Nightly (beat): passports too short for an open application, or expiring for a holder."""
    from .sweeps import sweep_passports

    return sweep_passports()


@shared_task(ignore_result=True)
def sweep_info_requests_task() -> dict[str, int]:
    """Nightly (beat): information requests due soon, and overdue ones to the officer."""
    from .sweeps import sweep_info_requests

    return sweep_info_requests()


@shared_task(ignore_result=True)
def sweep_enrolment_reminders_task() -> dict[str, int]:
    """Daily (beat): remind universities of enrolment confirmations left unanswered."""
    from .enrolment_notices import sweep_enrolment_reminders

    return sweep_enrolment_reminders()
