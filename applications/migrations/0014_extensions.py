"""Extensions of a permit (LFIP Art. 24): the application kind, the permit it extends, the policy
settings. Every existing application is a first application; every existing permit extends
none."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0013_sweeps_scheduled_here"),
        ("permits", "0003_extensions"),
        ("rules", "0002_extensions"),
        ("universities", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="extends",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="extensions",
                to="permits.permit",
                verbose_name="permit extended",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="kind",
            field=models.CharField(
                choices=[("first", "First application"), ("extension", "Extension application")],
                default="first",
                editable=False,
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("extends__isnull", True), ("kind", "first")),
                    models.Q(("extends__isnull", False), ("kind", "extension")),
                    _connector="OR",
                ),
                name="application_extension_names_its_permit",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind", "extension"),
                    ("status__in", ("draft", "submitted", "under_review", "info_requested")),
                ),
                fields=("extends",),
                name="application_one_open_extension_per_permit",
                violation_error_message="An extension of this permit is already in progress.",
            ),
        ),
    ]
