"""Document, moved here from the applications app with its rows."""

import django.db.models.deletion
import documents.storage
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
                    name="Document",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    (
                                        "passport_identity_page",
                                        "Passport identity page (the page with your photo)",
                                    ),
                                    (
                                        "passport_entry_stamp",
                                        "Passport page with your entry stamp to Türkiye",
                                    ),
                                    ("photo", "Biometric photo taken within the last 6 months"),
                                    (
                                        "student_certificate",
                                        "Student certificate (öğrenci belgesi) from your university",
                                    ),
                                    (
                                        "health_insurance",
                                        "Health insurance that covers the whole permit period",
                                    ),
                                    ("proof_of_address", "Proof of your address in Türkiye"),
                                    (
                                        "parental_consent",
                                        "Consent from your parents or guardian (applicants under 18)",
                                    ),
                                    ("other", "Other supporting document"),
                                ],
                                max_length=32,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                storage=documents.storage.private_storage,
                                upload_to="documents/%Y/%m/",
                                verbose_name="file",
                            ),
                        ),
                        (
                            "original_name",
                            models.CharField(max_length=255, verbose_name="original file name"),
                        ),
                        (
                            "content_type",
                            models.CharField(max_length=64, verbose_name="content type"),
                        ),
                        ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                        ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                        (
                            "uploaded_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="uploaded"),
                        ),
                        ("is_current", models.BooleanField(default=True, verbose_name="current")),
                        (
                            "review",
                            models.CharField(
                                choices=[
                                    ("pending", "Not reviewed yet"),
                                    ("accepted", "Accepted"),
                                    ("needs_replacement", "Needs replacement"),
                                ],
                                default="pending",
                                max_length=20,
                                verbose_name="review",
                            ),
                        ),
                        (
                            "review_reason",
                            models.TextField(
                                blank=True, verbose_name="reason given to the applicant"
                            ),
                        ),
                        (
                            "reviewed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="reviewed"),
                        ),
                        (
                            "application",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="documents",
                                to="applications.application",
                                verbose_name="application",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="reviewed by",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="uploaded by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "document",
                        "verbose_name_plural": "documents",
                        "db_table": "applications_document",
                        "ordering": ["application", "kind", "-uploaded_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("is_current", True), models.Q(("kind", "other"), _negated=True)
                                ),
                                fields=("application", "kind"),
                                name="document_one_current_per_kind",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
