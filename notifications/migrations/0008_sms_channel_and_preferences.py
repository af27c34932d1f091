"""SMS as a second channel of the outbox, and each person's choice of channels per kind.

Every existing row is an e-mail (``channel`` defaults to it) and stays in the inbox. An SMS row
has a mobile number instead of an address, the provider's message id (unique when set: the
delivery reports find their row by it) and the last delivery status reported.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0007_notice_about_any_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChannelPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="kind")),
                (
                    "channels",
                    models.CharField(
                        choices=[("email", "E-mail"), ("sms", "SMS"), ("both", "E-mail and SMS")],
                        max_length=5,
                        verbose_name="channels",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
            ],
            options={
                "verbose_name": "notification channel preference",
                "verbose_name_plural": "notification channel preferences",
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="channel",
            field=models.CharField(
                choices=[("email", "E-mail"), ("sms", "SMS")],
                default="email",
                max_length=5,
                verbose_name="channel",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivery_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("accepted", "Accepted by the SMS provider"),
                    ("delivered", "Delivered to the phone"),
                    ("undelivered", "Not delivered"),
                    ("expired", "Expired undelivered"),
                ],
                max_length=12,
                verbose_name="delivery status",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivery_status_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="delivery status time"),
        ),
        migrations.AddField(
            model_name="notification",
            name="in_inbox",
            field=models.BooleanField(default=True, verbose_name="shown in the inbox"),
        ),
        migrations.AddField(
            model_name="notification",
            name="provider_message_id",
            field=models.CharField(
                blank=True, max_length=100, verbose_name="provider's message id"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="to_phone",
            field=models.CharField(blank=True, max_length=16, verbose_name="mobile number"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="to_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="address"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("provider_message_id", ""), _negated=True),
                fields=("provider_message_id",),
                name="notification_provider_message_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("channel", "email"), ("to_phone", "")),
                    models.Q(
                        ("channel", "sms"),
                        ("to_email", ""),
                        ("to_phone__regex", "^\\+[1-9][0-9]{6,14}$"),
                    ),
                    _connector="OR",
                ),
                name="notification_address_fits_channel",
            ),
        ),
        migrations.AddField(
            model_name="channelpreference",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notification_channels",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AddConstraint(
            model_name="channelpreference",
            constraint=models.UniqueConstraint(
                fields=("user", "kind"), name="channel_preference_once"
            ),
        ),
    ]
