"""The supervisors' digest now lives in this app's tasks; beat follows.

The schedule rows were written by the notifications app's migrations when it still owned the
sweeps; they keep their names, times and run history (``core.beat_migrations``).
"""

from django.db import migrations

from core.beat_migrations import renamed_beat_tasks

RENAMED = {
    "notifications.tasks.digest_task": "officers.tasks.digest_task",
}


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_reminder_sweeps"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [renamed_beat_tasks(RENAMED)]
