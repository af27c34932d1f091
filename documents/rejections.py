"""Why an upload was refused: a stable code for programs, a translated message for people."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.utils import formats


class UploadRejected(Exception):
    """The upload breaks a rule. ``code`` is stable; ``message`` is translated, for the user."""

    CODES = (
        "empty",
        "too_large",
        "type_not_allowed",
        "pdf_unreadable",
        "pdf_encrypted",
        "pdf_active_content",
        "pdf_embedded_files",
        "application_too_large",
        "image_unreadable",
        "image_too_large",
    )

    def __init__(self, code: str, message: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"Unknown upload rejection code: {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"UploadRejected({self.code!r}, {self.message!r})"


def megabytes(limit: int) -> str:
    """The byte limit in MB for the message, rounded down so the limit is never overstated."""
    mb = Decimal(limit) / Decimal(1024 * 1024)
    if mb == mb.to_integral_value():
        return formats.number_format(int(mb))
    # Two decimals from 1 MB up, two significant digits below (tests use limits of a few KB).
    exponent = -2 if mb >= 1 else mb.adjusted() - 1
    return formats.number_format(mb.quantize(Decimal(1).scaleb(exponent), ROUND_DOWN).normalize())
