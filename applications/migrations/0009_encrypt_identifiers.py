"""Passport numbers and FINs encrypted at rest, with keyed hashes for exact-match search.

The columns become ``text`` (a Fernet token is longer than the value), every existing value is
encrypted with the first key of ``FIELD_ENCRYPTION_KEYS``, the hashes are filled, and
``search_text`` is rebuilt without the two identifiers (it held them in clear).

The rows are read and written with plain SQL, in batches by primary key: the model's field would
try to decrypt the clear values still in the columns. Reversible: going back decrypts the values
into the columns and puts them into ``search_text`` again.
"""

import django.core.validators
from django.db import migrations, models

import core.crypto
from core import crypto
from core.search import fold

BATCH_SIZE = 500
IDENTIFIERS = (("passport_number", "passport_number_hash"), ("fin", "fin_hash"))
SEARCHED_BEFORE = ("reference", "surname", "given_names", "passport_number", "fin")
SEARCHED_AFTER = ("reference", "surname", "given_names")


def _batches(cursor, quote, table: str, columns: list[str]):
    """Rows as dicts, ``BATCH_SIZE`` at a time, in primary-key order (keyset pagination)."""
    last = 0
    # Identifiers are this module's constants, quoted by the backend; values go as parameters.
    select = (
        f"SELECT id, {', '.join(quote(name) for name in columns)} FROM {table} "  # noqa: S608
        f"WHERE id > %s ORDER BY id LIMIT {BATCH_SIZE}"
    )
    while True:
        cursor.execute(select, [last])
        rows = cursor.fetchall()
        if not rows:
            return
        yield [dict(zip(["id", *columns], row, strict=True)) for row in rows]
        last = rows[-1][0]


def _encrypted(value: str | None) -> str:
    value = value or ""
    try:
        crypto.decrypt(value)
    except crypto.DecryptionFailed:
        return crypto.encrypt(value)
    return value  # '' or already a token (a migration run again): nothing to do


def _rewrite(apps, schema_editor, *, forwards: bool) -> None:
    Application = apps.get_model("applications", "Application")
    quote = schema_editor.connection.ops.quote_name
    table = quote(Application._meta.db_table)
    columns = ["reference", "surname", "given_names", "passport_number", "fin"]
    searched = SEARCHED_AFTER if forwards else SEARCHED_BEFORE
    assignments = ", ".join(
        f"{quote(name)} = %s"
        for name in ("passport_number", "fin", "passport_number_hash", "fin_hash", "search_text")
    )
    update = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 - constant names
    with schema_editor.connection.cursor() as cursor:
        for batch in _batches(cursor, quote, table, columns):
            params = []
            for row in batch:
                if forwards:
                    clear = {name: row[name] or "" for name, _hash in IDENTIFIERS}
                    stored = {name: _encrypted(row[name]) for name, _hash in IDENTIFIERS}
                    hashes = [
                        crypto.identifier_hash(clear[name], purpose=name)
                        for name, _hash in IDENTIFIERS
                    ]
                else:
                    clear = {name: crypto.decrypt(row[name] or "") for name, _hash in IDENTIFIERS}
                    stored = clear
                    hashes = ["", ""]
                values = {**row, **clear}
                search_text = fold(" ".join(str(values[name] or "") for name in searched))
                params.append(
                    [stored["passport_number"], stored["fin"], *hashes, search_text, row["id"]]
                )
            cursor.executemany(update, params)


def encrypt_identifiers(apps, schema_editor):
    _rewrite(apps, schema_editor, forwards=True)


def decrypt_identifiers(apps, schema_editor):
    _rewrite(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_reminder_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="fin_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="FIN hash"
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="passport_number_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="passport number hash"
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="fin",
            field=core.crypto.EncryptedTextField(
                blank=True,
                max_length=7,
                validators=[
                    django.core.validators.RegexValidator(
                        message=(
                            "The FIN has 7 characters: capital Latin letters and digits, "
                            "as on your ID card."
                        ),
                        regex="^[0-9A-HJ-NP-Z]{7}$",
                    )
                ],
                verbose_name="FIN (personal identification number)",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="passport_number",
            field=core.crypto.EncryptedTextField(
                blank=True,
                max_length=12,
                validators=[
                    django.core.validators.RegexValidator(
                        message=(
                            "Enter the passport number as printed, capital letters and digits only."
                        ),
                        regex="^[A-Z0-9]{6,12}$",
                    )
                ],
                verbose_name="passport number",
            ),
        ),
        # Before the rows are rewritten: no schema change follows a data change here.
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["passport_number_hash"], name="application_pp_hash_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["fin_hash"], name="application_fin_hash_idx"),
        ),
        migrations.RunPython(encrypt_identifiers, decrypt_identifiers),
    ]
