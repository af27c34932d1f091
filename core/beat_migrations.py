"""A migration operation that points django-celery-beat's schedule rows at moved tasks.

Used by the migrations of apps that took over a task from another app: the rows keep their
names, times and run history, and only their task path changes (and changes back on reverse).
Kept here, not in each migration, because the operation is the same for every move.
"""

from __future__ import annotations

from django.db import migrations
from django.db.migrations.state import StateApps


def renamed_beat_tasks(renamed: dict[str, str]) -> migrations.RunPython:
    def rename(apps: StateApps, mapping: dict[str, str]) -> None:
        periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
        for old, new in mapping.items():
            periodic_task.objects.filter(task=old).update(task=new)

    return migrations.RunPython(
        lambda apps, schema_editor: rename(apps, renamed),
        lambda apps, schema_editor: rename(apps, {new: old for old, new in renamed.items()}),
    )
