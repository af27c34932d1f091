"""Province and University, moved here from the applications app with their rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("applications", "0011_retention"),
    ]

    operations = [
        # State only: the tables exist and keep their names (Meta.db_table), so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Province",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "code",
                            models.PositiveSmallIntegerField(
                                unique=True, verbose_name="plate code"
                            ),
                        ),
                        ("name", models.CharField(max_length=64, unique=True, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "province",
                        "verbose_name_plural": "provinces",
                        "db_table": "applications_province",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="University",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(max_length=160, unique=True, verbose_name="name"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("state", "State university"),
                                    ("foundation", "Foundation university"),
                                ],
                                max_length=16,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="universities",
                                to="universities.province",
                                verbose_name="province",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "university",
                        "verbose_name_plural": "universities",
                        "db_table": "applications_university",
                        "ordering": ["name"],
                    },
                ),
            ],
        ),
    ]
