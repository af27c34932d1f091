"""The reminder sweeps join the nightly schedule (03:00 in Türkiye). Idempotent."""

from django.db import migrations

SWEEPS = [
    ("Passport validity reminders (daily)", "notifications.tasks.sweep_passports_task"),
    ("Permit expiry reminders (daily)", "notifications.tasks.sweep_permits_task"),
    ("Information request reminders (daily)", "notifications.tasks.sweep_info_requests_task"),
    ("Supervisors' digest of late applications (daily)", "notifications.tasks.digest_task"),
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
    dependencies = [
        ("notifications", "0005_inbox_and_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
