"""The appointments' sweep joins beat's schedule: every hour from 09:00 to 20:00 in Türkiye
(reminders of tomorrow's appointments go by SMS too, so never at night)."""

from django.db import migrations

NAME = "Appointment reminders and invitations (hourly in the day)"
TASK = "appointments.tasks.sweep_appointment_reminders_task"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daytime, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="9-20",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Istanbul",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "crontab": daytime, "enabled": True}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0003_event_append_only_trigger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
