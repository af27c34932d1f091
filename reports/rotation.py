"""Key rotation for the passport numbers that reports carry (see ``applications/rotation.py``):
called by ``manage.py rotate_field_keys`` through ``ReportsConfig.rotate_secrets``."""

from __future__ import annotations

from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from core import crypto

from .models import Report


def report_secrets_rotate() -> int:
    """Re-encrypt the reports' passport numbers under the first key; returns rows written."""
    rewritten = 0
    with transaction.atomic():
        tokens = (
            Report.objects.select_for_update()
            .annotate(token=Cast("passport_number", TextField()))
            .exclude(token="")
            .values_list("pk", "token")
        )
        for pk, token in tokens:
            try:
                crypto.decrypt(token)
            except crypto.DecryptionFailed:
                raise crypto.DecryptionFailed(
                    f"Report #{pk}: its passport number matches no key in FIELD_ENCRYPTION_KEYS."
                ) from None
            if not crypto.is_current_token(token):
                Report.objects.filter(pk=pk).update(
                    passport_number=Value(crypto.rotate(token), output_field=TextField())
                )
                rewritten += 1
    return rewritten
