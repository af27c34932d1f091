"""The application's nightly sweeps now live in this app's tasks; beat follows.

The schedule rows were written by the notifications app's migrations when it still owned the
sweeps; they keep their names, times and run history (``core.beat_migrations``).
"""

from django.db import migrations

from core.beat_migrations import renamed_beat_tasks

RENAMED = {
    "notifications.tasks.sweep_inactive_drafts_task": "applications.tasks.sweep_inactive_drafts_task",
    "notifications.tasks.sweep_passports_task": "applications.tasks.sweep_passports_task",
    "notifications.tasks.sweep_info_requests_task": "applications.tasks.sweep_info_requests_task",
}


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0012_models_moved_to_their_apps"),
        ("notifications", "0006_reminder_sweeps"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [renamed_beat_tasks(RENAMED)]
