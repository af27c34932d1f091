"""Six models leave for the apps that own them (rules, universities, documents, permits).

Only Django's picture of the models changes; the tables, their rows, constraints and indexes
stay where they are. The content types follow, so permissions granted on them and the admin's
history stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models


MOVED = {
    "document": "documents",
    "permit": "permits",
    "policyversion": "rules",
    "programmelength": "rules",
    "province": "universities",
    "university": "universities",
}


def _relabel(apps, *, moves):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, (old, new) in moves.items():
        if content_type.objects.filter(app_label=new, model=model).exists():
            continue  # already there (a database migrated part-way by hand): leave both
        content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_follow(apps, schema_editor):
    _relabel(apps, moves={model: ("applications", app) for model, app in MOVED.items()})


def content_types_return(apps, schema_editor):
    _relabel(apps, moves={model: (app, "applications") for model, app in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("applications", "0011_retention"),
        ("rules", "0001_initial"),
        ("universities", "0001_initial"),
    ]

    operations = [
        # State only: the tables exist and keep their names (Meta.db_table), so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="permit",
                    name="application",
                ),
                migrations.RemoveField(
                    model_name="permit",
                    name="issued_by",
                ),
                migrations.AlterField(
                    model_name="application",
                    name="policy_version",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="rules.policyversion",
                        verbose_name="policy version",
                    ),
                ),
                migrations.RemoveField(
                    model_name="programmelength",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="university",
                    name="province",
                ),
                migrations.AlterField(
                    model_name="application",
                    name="province",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="universities.province",
                        verbose_name="province",
                    ),
                ),
                migrations.AlterField(
                    model_name="application",
                    name="university",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="universities.university",
                        verbose_name="university",
                    ),
                ),
                migrations.DeleteModel(
                    name="Document",
                ),
                migrations.DeleteModel(
                    name="Permit",
                ),
                migrations.DeleteModel(
                    name="PolicyVersion",
                ),
                migrations.DeleteModel(
                    name="ProgrammeLength",
                ),
                migrations.DeleteModel(
                    name="Province",
                ),
                migrations.DeleteModel(
                    name="University",
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
