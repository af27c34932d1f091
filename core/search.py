"""Search that is blind to case and to Azerbaijani/Turkish letters, and to nothing else.

``ismayilov`` finds ``İsmayılov`` and ``CELIK`` finds ``Çelik``; ``guliyeva`` does not find
``Quliyeva`` — letters are folded, spellings are not guessed.

Passport numbers and FINs are encrypted (``crypto.py``) and not in the folded text: they are found
by exact match only, through their keyed hashes (``identifier_match``).
"""

from django.db.models import Q

from .crypto import identifier_hash

# Upper and lower forms both listed: str.lower() would turn "İ" into "i̇" (with a combining dot).
_FOLD = str.maketrans(
    {
        "Ə": "e",
        "ə": "e",
        "Ğ": "g",
        "ğ": "g",
        "I": "i",
        "ı": "i",
        "İ": "i",
        "Ö": "o",
        "ö": "o",
        "Ü": "u",
        "ü": "u",
        "Ç": "c",
        "ç": "c",
        "Ş": "s",
        "ş": "s",
        "Â": "a",
        "â": "a",
        "Î": "i",
        "î": "i",
        "Û": "u",
        "û": "u",
    }
)


def fold(text: str) -> str:
    """The searchable form of ``text``: folded letters, lower case, single spaces."""
    return " ".join(text.translate(_FOLD).lower().split())


def identifier_match(value: str) -> Q:
    """Applications whose passport number or FIN is exactly ``value`` (blind to spaces and case).

    The hashes are compared, never the encrypted columns; an empty value matches nothing.
    """
    passport = identifier_hash(value, purpose="passport_number")
    if not passport:
        return Q(pk__in=[])
    return Q(passport_number_hash=passport) | Q(fin_hash=identifier_hash(value, purpose="fin"))
