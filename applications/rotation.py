"""Key rotation for the encrypted identifiers (see ``core/crypto.py``).

To replace a key: put the new key first in ``FIELD_ENCRYPTION_KEYS`` (keeping the old one after
it), deploy, run ``manage.py rotate_field_keys``, then remove the old key. Rows are readable
throughout: the old key decrypts until every row has been re-encrypted under the new one. The
same command recomputes the search hashes, so it also completes a change of ``FIELD_HASH_KEY``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from core import crypto

from .models import Application

ROTATION_BATCH_SIZE = 500


@dataclass(frozen=True)
class RotationResult:
    examined: int  # applications looked at
    rewritten: int  # applications whose tokens or hashes were written again


def field_keys_rotate(*, batch_size: int = ROTATION_BATCH_SIZE) -> RotationResult:
    """Re-encrypt every passport number and FIN under the first key; refresh their hashes.

    Works in batches by primary key, each batch in its own transaction with its rows locked, so a
    large table is never locked whole and a concurrent edit is not overwritten. Rows already under
    the first key with current hashes are left alone; ``updated_at`` and ``version`` never change
    (nothing the applicant or an officer did). Raises ``crypto.DecryptionFailed`` naming the
    application (never its data) if a stored value matches no key.
    """
    examined = rewritten = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Application.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                # The stored tokens as they are: a plain text cast skips the field's decryption.
                .annotate(
                    passport_token=Cast("passport_number", TextField()),
                    fin_token=Cast("fin", TextField()),
                )
                .values_list(
                    "pk", "passport_token", "fin_token", "passport_number_hash", "fin_hash"
                )[:batch_size]
            )
            for pk, passport_token, fin_token, passport_hash, fin_hash in rows:
                changes = _rotated(
                    pk,
                    {
                        "passport_number": (passport_token, passport_hash),
                        "fin": (fin_token, fin_hash),
                    },
                )
                if changes:
                    Application.objects.filter(pk=pk).update(**changes)
                    rewritten += 1
        if not rows:
            return RotationResult(examined=examined, rewritten=rewritten)
        examined += len(rows)
        last_pk = rows[-1][0]


def _rotated(pk: int, stored: dict[str, tuple[str | None, str]]) -> dict[str, object]:
    """The column values to write for one application; empty if it is current already."""
    changes: dict[str, object] = {}
    for name, (token, old_hash) in stored.items():
        token = token or ""
        try:
            clear = crypto.decrypt(token)
            if not crypto.is_current_token(token):
                # Written as plain text: the field would encrypt the token a second time.
                changes[name] = Value(crypto.rotate(token), output_field=TextField())
        except crypto.DecryptionFailed:
            raise crypto.DecryptionFailed(
                f"Application #{pk}: its {name} matches no key in FIELD_ENCRYPTION_KEYS."
            ) from None
        new_hash = crypto.identifier_hash(clear, purpose=name)
        if new_hash != old_hash:
            changes[Application.HASHED_FIELDS[name]] = new_hash
    return changes


def account_secrets_rotate() -> int:
    """Re-encrypt the profiles' FINs and the two-factor secrets under the first key.

    Few rows (one per person, not per application): one transaction. Returns how many rows
    were written again.
    """
    from allauth.mfa.models import Authenticator

    from accounts.models import Profile

    rewritten = 0
    with transaction.atomic():
        profiles = (
            Profile.objects.select_for_update()
            .annotate(fin_token=Cast("fin", TextField()))
            .exclude(fin_token="")  # an empty field, not a password # nosec B106
            .values_list("pk", "fin_token")
        )
        for pk, token in profiles:
            if not crypto.is_current_token(token):
                Profile.objects.filter(pk=pk).update(
                    fin=Value(crypto.rotate(token), output_field=TextField())
                )
                rewritten += 1
        for authenticator in Authenticator.objects.select_for_update():
            data = dict(authenticator.data)
            for key in ("secret", "seed"):
                if isinstance(data.get(key), str) and not crypto.is_current_token(data[key]):
                    data[key] = crypto.rotate(data[key])
            if data != authenticator.data:
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                rewritten += 1
    return rewritten
