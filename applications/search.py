"""Search that is blind to case and to Azerbaijani/Turkish letters, and to nothing else.

``ismayilov`` finds ``İsmayılov`` and ``CELIK`` finds ``Çelik``; ``guliyeva`` does not find
``Quliyeva`` — letters are folded, spellings are not guessed.
"""

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
