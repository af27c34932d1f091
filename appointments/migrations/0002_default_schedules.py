"""Every provincial office starts with the default schedule: Monday to Friday, 09:00–16:30,
20-minute appointments, 2 desks. Supervisors change it on /officers/appointments/offices/."""

from datetime import time

from django.db import migrations


def create(apps, schema_editor):
    Province = apps.get_model("universities", "Province")
    OfficeSchedule = apps.get_model("appointments", "OfficeSchedule")
    have = set(OfficeSchedule.objects.values_list("province_id", flat=True))
    OfficeSchedule.objects.bulk_create(
        OfficeSchedule(
            province_id=province_id,
            weekdays="12345",
            opens_at=time(9, 0),
            closes_at=time(16, 30),
            slot_minutes=20,
            desks=2,
        )
        for province_id in Province.objects.values_list("pk", flat=True)
        if province_id not in have
    )


def remove(apps, schema_editor):
    apps.get_model("appointments", "OfficeSchedule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
