"""The outbox stops pointing at applications: a notice is about any record, by content type.

Every existing row keeps what it was about: its application becomes its ``about`` reference
before the foreign key goes. ``kind`` loses its fixed list (each app registers its own kinds).
"""

import django.db.models.deletion
from django.db import migrations, models


def _check_now(schema_editor):
    # The updated foreign keys are checked at commit by default; the ALTER TABLE that follows in
    # the same transaction must not find those checks still pending (PostgreSQL refuses it).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def application_to_about(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    notification = apps.get_model("notifications", "Notification")
    about, _created = content_type.objects.get_or_create(
        app_label="applications", model="application"
    )
    notification.objects.filter(application__isnull=False).update(
        about_type=about, about_id=models.F("application_id")
    )
    _check_now(schema_editor)


def about_to_application(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    notification = apps.get_model("notifications", "Notification")
    about = content_type.objects.filter(app_label="applications", model="application").first()
    if about is not None:
        notification.objects.filter(about_type=about).update(application_id=models.F("about_id"))
    _check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0006_reminder_sweeps"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="about (type)",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="about_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="about (id)"),
        ),
        migrations.RunPython(application_to_about, about_to_application),
        migrations.RemoveField(model_name="notification", name="application"),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="kind"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["about_type", "about_id"], name="notification_about_idx"),
        ),
    ]
