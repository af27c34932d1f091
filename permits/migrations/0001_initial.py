"""Permit, moved here from the applications app with its rows."""

import django.db.models.deletion
import documents.storage
import permits.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("applications", "0012_models_moved_to_their_apps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables exist and keep their names (Meta.db_table), so no row moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Permit",
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
                            "number",
                            models.CharField(
                                max_length=24, unique=True, verbose_name="permit number"
                            ),
                        ),
                        ("valid_from", models.DateField(verbose_name="valid from")),
                        ("valid_to", models.DateField(verbose_name="valid until")),
                        (
                            "verification_code",
                            models.CharField(
                                default=permits.models.new_verification_code,
                                max_length=16,
                                unique=True,
                                verbose_name="verification code",
                            ),
                        ),
                        (
                            "issued_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="issued"),
                        ),
                        (
                            "letter",
                            models.FileField(
                                blank=True,
                                storage=documents.storage.private_storage,
                                upload_to="letters/%Y/",
                                verbose_name="decision letter",
                            ),
                        ),
                        (
                            "application",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="permit",
                                to="applications.application",
                                verbose_name="application",
                            ),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="issued by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "permit",
                        "verbose_name_plural": "permits",
                        "db_table": "applications_permit",
                        "ordering": ["-issued_at"],
                        "indexes": [models.Index(fields=["valid_to"], name="permit_valid_to_idx")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("valid_to__gte", models.F("valid_from"))),
                                name="permit_valid_to_after_from",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
