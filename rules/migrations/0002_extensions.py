"""Extensions of a permit (LFIP Art. 24): the application kind, the permit it extends, the policy
settings. Every existing application is a first application; every existing permit extends
none."""

import rules.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="extension_document_kinds",
            field=models.JSONField(
                default=rules.models.default_extension_documents,
                help_text="The document kinds an extension application must include.",
                verbose_name="documents for an extension",
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="extension_window_days",
            field=models.PositiveSmallIntegerField(
                default=60,
                help_text="How many days before the permit ends an extension can be applied for.",
                verbose_name="extension window (days)",
            ),
        ),
    ]
