"""PolicyVersion and ProgrammeLength, moved here from the applications app with their rows."""

import django.core.validators
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
                    name="PolicyVersion",
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
                            models.PositiveIntegerField(unique=True, verbose_name="version number"),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        (
                            "effective_from",
                            models.DateField(
                                help_text="Evaluations made on or after this date use this version.",
                                unique=True,
                                verbose_name="in force from",
                            ),
                        ),
                        (
                            "covered_levels",
                            models.JSONField(
                                default=list,
                                help_text="Study levels that get one permit for the whole programme.",
                                verbose_name="levels covered by the concession",
                            ),
                        ),
                        (
                            "prep_year_years",
                            models.PositiveSmallIntegerField(
                                default=1, verbose_name="years added by a preparatory class"
                            ),
                        ),
                        (
                            "passport_margin_days",
                            models.PositiveSmallIntegerField(
                                default=60,
                                help_text="How many days the passport must stay valid after the permit ends.",
                                verbose_name="passport margin (days)",
                            ),
                        ),
                        (
                            "legal_stay_days",
                            models.PositiveSmallIntegerField(
                                default=90, verbose_name="legal (visa-free) stay (days)"
                            ),
                        ),
                        (
                            "decision_days",
                            models.PositiveSmallIntegerField(
                                default=90, verbose_name="days to decide a complete application"
                            ),
                        ),
                        (
                            "info_request_days",
                            models.PositiveSmallIntegerField(
                                default=30, verbose_name="days to answer an information request"
                            ),
                        ),
                        (
                            "source_notes",
                            models.TextField(blank=True, verbose_name="sources and notes"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                    ],
                    options={
                        "verbose_name": "policy version",
                        "verbose_name_plural": "policy versions",
                        "db_table": "applications_policyversion",
                        "ordering": ["-effective_from"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("passport_margin_days__gte", 0), ("legal_stay_days__gt", 0)
                                ),
                                name="policyversion_positive_days",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ProgrammeLength",
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
                            "level",
                            models.CharField(
                                choices=[
                                    ("associate", "Associate degree (ön lisans)"),
                                    ("bachelor", "Bachelor's (lisans)"),
                                    ("master", "Master's (yüksek lisans)"),
                                    ("doctoral", "Doctoral (doktora)"),
                                ],
                                max_length=16,
                                verbose_name="level",
                            ),
                        ),
                        (
                            "field",
                            models.CharField(
                                choices=[
                                    ("any", "Any field"),
                                    ("general", "General (any other field)"),
                                    ("medicine", "Medicine"),
                                    ("dentistry", "Dentistry"),
                                    ("pharmacy", "Pharmacy"),
                                    ("veterinary", "Veterinary medicine"),
                                ],
                                max_length=16,
                                verbose_name="field",
                            ),
                        ),
                        (
                            "standard_years",
                            models.PositiveSmallIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="standard length (years)",
                            ),
                        ),
                        (
                            "maximum_years",
                            models.PositiveSmallIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="maximum length (years)",
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lengths",
                                to="rules.policyversion",
                                verbose_name="policy",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "programme length",
                        "verbose_name_plural": "programme lengths",
                        "db_table": "applications_programmelength",
                        "ordering": ["policy", "level", "field"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("policy", "level", "field"),
                                name="programmelength_unique_per_policy",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("standard_years__gte", 1),
                                    ("maximum_years__gte", models.F("standard_years")),
                                ),
                                name="programmelength_max_not_below_standard",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
