"""Every task in beat's schedule exists: the nightly sweeps moved to the apps that own them, and a
schedule row naming a task nobody registers would fail silently every night."""

import pytest
from django_celery_beat.models import PeriodicTask

from portal.celery import app

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))

    assert scheduled
    assert scheduled <= set(app.tasks)


def test_each_sweep_runs_from_the_app_that_owns_it():
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))

    assert {
        "applications.tasks.sweep_inactive_drafts_task",
        "applications.tasks.sweep_passports_task",
        "applications.tasks.sweep_info_requests_task",
        "applications.tasks.sweep_enrolment_reminders_task",
        "permits.tasks.sweep_permits_task",
        "reports.tasks.sweep_report_info_requests_task",
        "appointments.tasks.sweep_appointment_reminders_task",
        "officers.tasks.digest_task",
        "notifications.tasks.requeue_due_notifications",
    } <= scheduled
    assert not any(task.startswith("notifications.tasks.sweep") for task in scheduled)
