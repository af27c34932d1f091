from django.db import migrations, models


class Migration(migrations.Migration):
    """The deadline index carries the id: the digest's oldest late cases are sorted from the
    index alone, and its counts are index-only scans."""

    dependencies = [
        ("applications", "0023_kind_status_statistics"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="application",
            name="application_clock_idx",
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["status", "complete_at", "id"], name="application_clock_idx"
            ),
        ),
    ]
