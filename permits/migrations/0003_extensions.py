"""Extensions of a permit (LFIP Art. 24): the application kind, the permit it extends, the policy
settings. Every existing application is a first application; every existing permit extends
none."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0002_sweep_scheduled_here"),
    ]

    operations = [
        migrations.AddField(
            model_name="permit",
            name="extends",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="extended_by",
                to="permits.permit",
                verbose_name="extends permit",
            ),
        ),
    ]
