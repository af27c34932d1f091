"""Personal identifiers at rest: encrypted columns, keyed search hashes, masks for lists.

Passport numbers and FINs identify a person for life (a FIN never changes), so a copy of the
database, a backup or a replica must not give them away. Three tools, each for one need:

* **Encryption** (``EncryptedTextField``): the value is stored as a Fernet token (AES-128-CBC with
  HMAC-SHA256, from the ``cryptography`` package), so the column holds nothing readable and a
  tampered token fails to decrypt instead of yielding a wrong value. Keys come from
  ``FIELD_ENCRYPTION_KEYS``; ``MultiFernet`` encrypts with the first and decrypts with any, so a new
  key can be put first while old rows stay readable, and ``manage.py rotate_field_keys``
  re-encrypts every row with it before the old key is dropped.
* **A keyed hash** (``identifier_hash``): Fernet tokens are randomised, so the database cannot
  compare them; an officer's exact-match search compares HMAC-SHA256 digests of the normalised
  value instead. The key (``FIELD_HASH_KEY``) is not in the database, so the digests cannot be
  brute-forced from a dump alone (a passport number has far too few possibilities for a plain
  hash). Each field hashes under its own label, so equal strings in two fields do not link.
* **Masks** (``mask``): lists and exports show ``C•••••432``; the full value only on the page of
  an application an officer has opened (which records the access).

An empty value is stored as an empty string, unencrypted: that a field is blank is no secret.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Combinable, Expression
    from django.db.models.lookups import Lookup, Transform

    # Django's fields are not subscriptable at run time; the stubs need the types they carry.
    _CharField = models.CharField[str | int | Combinable, str]
else:
    _CharField = models.CharField

MASK_CHARACTER = "•"
_UNDECRYPTABLE = "A stored value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS."


class DecryptionFailed(Exception):
    """No configured key decrypts a stored value (a key was dropped too early, or tampering).

    The message never contains the stored token or any part of the clear value.
    """


# --- keys ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one Fernet key.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError) as exc:
            # The key itself is never repeated in the message.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key number {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return tuple(fernets)


def _keys() -> tuple[Fernet, ...]:
    """Read on every use, so a changed setting (a test, a rotation) applies at once."""
    return _fernets(tuple(key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()))


def _fernet() -> MultiFernet:
    return MultiFernet(_keys())


def _hash_key() -> bytes:
    key: str = settings.FIELD_HASH_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY must be set.")
    return key.encode("utf-8")


def check_keys(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """System check (``manage.py check``, every start): the keys are usable.

    A bad key would otherwise surface only when the first passport number is read or written.
    """
    errors: list[checks.CheckMessage] = []
    try:
        _keys()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="applications.E001"))
    try:
        _hash_key()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="applications.E002"))
    return errors


# --- encryption ------------------------------------------------------------------------------


def encrypt(text: str) -> str:
    """The Fernet token of ``text`` under the first key; '' stays ''."""
    if text == "":
        return ""
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The clear text of a token made under any configured key; '' stays ''."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionFailed(_UNDECRYPTABLE) from None


def rotate(token: str) -> str:
    """The same clear text, encrypted again under the first key (MultiFernet.rotate)."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise DecryptionFailed(_UNDECRYPTABLE) from None


def is_current_token(token: str) -> bool:
    """Whether ``token`` decrypts with the first key alone (nothing left to rotate)."""
    if not token:
        return True
    try:
        _keys()[0].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


# --- exact-match search ------------------------------------------------------------------------


def normalise_identifier(value: str) -> str:
    """The form an identifier is hashed in: no whitespace at all, upper case."""
    return "".join(value.split()).upper()


def identifier_hash(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of the normalised ``value`` under ``FIELD_HASH_KEY``; '' for no value.

    ``purpose`` (the field's name) is part of the message, so the same string hashes differently
    in different fields.
    """
    normalised = normalise_identifier(value or "")
    if not normalised:
        return ""
    message = f"{purpose}\x00{normalised}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


# --- masks -----------------------------------------------------------------------------------


def mask(value: str, *, keep_start: int = 0, keep_end: int = 3) -> str:
    """``value`` with all but ``keep_start`` leading and ``keep_end`` trailing characters hidden.

    At least half of the value is always hidden, so a short value does not show whole.
    """
    if not value:
        return ""
    hidden = max(len(value) - keep_start - keep_end, (len(value) + 1) // 2)
    shown_end = min(keep_end, len(value) - hidden)
    shown_start = max(0, len(value) - hidden - shown_end)
    return value[:shown_start] + MASK_CHARACTER * hidden + value[len(value) - shown_end :]


# --- the model field -------------------------------------------------------------------------


class EncryptedTextField(_CharField):
    """A short text that is encrypted in the database and clear everywhere in Python.

    In Python, forms and validation it behaves as a ``CharField``: ``max_length`` and the
    validators apply to the clear value. The column is ``text`` because a Fernet token is several
    times longer than the value it encrypts. Tokens are randomised, so the database cannot compare
    them: every lookup but ``isnull`` is refused (search through a hash field instead) rather than
    silently matching nothing.
    """

    description = "Text encrypted at rest (Fernet)"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, name: str) -> type[Transform] | None:
        return None
