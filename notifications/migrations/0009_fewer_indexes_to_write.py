import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Two indexes fewer on the outbox, which every notice written and every attempt recorded
    updates: the LIKE index PostgreSQL adds for a unique CharField (no query uses it; the key
    stays unique through a constraint, created before the old one goes), and the about_type
    index, which notification_about_idx (about_type, about_id) covers."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0008_sms_channel_and_preferences"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("dedupe_key",), name="notification_dedupe_key_unique"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="dedupe_key",
            field=models.CharField(max_length=200, verbose_name="deduplication key"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="about (type)",
            ),
        ),
    ]
