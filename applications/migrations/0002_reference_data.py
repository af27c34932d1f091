"""Türkiye's 81 provinces and its state and foundation universities (data/*.csv)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent.parent / "universities" / "data"


def _rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load(apps, schema_editor):
    Province = apps.get_model("applications", "Province")
    University = apps.get_model("applications", "University")
    provinces = {}
    for row in _rows("provinces.csv"):
        province, _ = Province.objects.update_or_create(
            code=int(row["code"]), defaults={"name": row["name"]}
        )
        provinces[province.code] = province
    for row in _rows("universities.csv"):
        University.objects.update_or_create(
            name=row["name"],
            defaults={"kind": row["kind"], "province": provinces[int(row["province_code"])]},
        )


def unload(apps, schema_editor):
    apps.get_model("applications", "University").objects.all().delete()
    apps.get_model("applications", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
