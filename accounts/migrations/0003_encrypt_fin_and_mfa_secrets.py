"""Encrypt the profile's FIN and the two-factor secrets at rest (applications/crypto.py).

Existing clear values are encrypted in place; values that already are Fernet tokens are left.
The TOTP key and the recovery-code seed are encrypted through the MFA adapter from now on.
"""

import core.crypto
import django.core.validators
from django.db import migrations


from core import crypto


def _is_token(value: str) -> bool:
    try:
        crypto.decrypt(value)
    except crypto.DecryptionFailed:
        return False
    return True


def _convert(value: str, *, forwards: bool) -> str:
    if not value:
        return value
    if forwards:
        return value if _is_token(value) else crypto.encrypt(value)
    return crypto.decrypt(value) if _is_token(value) else value


def _rewrite(apps, schema_editor, *, forwards: bool) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, fin FROM accounts_profile WHERE fin <> ''")
        for pk, fin in cursor.fetchall():
            cursor.execute(
                "UPDATE accounts_profile SET fin = %s WHERE id = %s",
                [_convert(fin, forwards=forwards), pk],
            )
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        for key in ("secret", "seed"):
            if isinstance(data.get(key), str):
                data[key] = _convert(data[key], forwards=forwards)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt_secrets(apps, schema_editor):
    _rewrite(apps, schema_editor, forwards=True)


def decrypt_secrets(apps, schema_editor):
    _rewrite(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="fin",
            field=core.crypto.EncryptedTextField(
                blank=True,
                max_length=7,
                validators=[
                    django.core.validators.RegexValidator(
                        message="The FIN has 7 characters: capital Latin letters and digits, as on your ID card.",
                        regex="^[0-9A-HJ-NP-Z]{7}$",
                    )
                ],
                verbose_name="FIN (personal identification number)",
            ),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
