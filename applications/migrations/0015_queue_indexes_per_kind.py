"""Queue indexes led by the case kind: each kind's tab counts and pages from the index alone."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0014_extensions"),
        ("permits", "0003_extensions"),
        ("rules", "0002_extensions"),
        ("universities", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["kind", "status", "submitted_at"], name="application_kind_queue_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("status__in", ("submitted", "under_review", "info_requested"))),
                fields=["kind", "submitted_at", "id"],
                name="application_kind_open_idx",
            ),
        ),
    ]
