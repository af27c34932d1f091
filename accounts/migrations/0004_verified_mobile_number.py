"""The verified mobile number on the profile, and the one-time codes that verify a number."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_encrypt_fin_and_mfa_secrets"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="mobile",
            field=models.CharField(
                blank=True, max_length=16, verbose_name="verified mobile number"
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="mobile_verified_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="mobile number verified"
            ),
        ),
        migrations.CreateModel(
            name="MobileCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=16, verbose_name="mobile number")),
                ("code_hash", models.CharField(max_length=64, verbose_name="code (keyed hash)")),
                ("created_at", models.DateTimeField(verbose_name="sent")),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                (
                    "wrong_tries",
                    models.PositiveSmallIntegerField(default=0, verbose_name="wrong tries"),
                ),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mobile_codes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "mobile verification code",
                "verbose_name_plural": "mobile verification codes",
                "indexes": [
                    models.Index(fields=["user", "created_at"], name="mobile_code_user_idx")
                ],
            },
        ),
    ]
