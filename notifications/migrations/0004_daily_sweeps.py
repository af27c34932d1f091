"""The daily sweeps in django-celery-beat's schedule (03:00 in Türkiye). Idempotent."""

from django.db import migrations

SWEEPS = [
    (
        "Inactive drafts: reminders and deletion (daily)",
        "notifications.tasks.sweep_inactive_drafts_task",
    ),
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Istanbul",
    )
    for name, task in SWEEPS:
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": nightly, "enabled": True}
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task in SWEEPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_alter_notification_kind")]
    operations = [migrations.RunPython(create, remove)]
