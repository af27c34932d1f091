"""The permit-expiry sweep now lives in this app's tasks; beat follows.

The schedule rows were written by the notifications app's migrations when it still owned the
sweeps; they keep their names, times and run history and only point at the new task paths.
"""

from django.db import migrations

RENAMED = {
    "notifications.tasks.sweep_permits_task": "permits.tasks.sweep_permits_task",
}


def _rename(apps, mapping):
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in mapping.items():
        periodic_task.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0001_initial"),
        ("notifications", "0006_reminder_sweeps"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
