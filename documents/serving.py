"""Serving a stored file: always as a download, except a re-encoded image shown inline."""

from __future__ import annotations

from django.core.files import File
from django.http import FileResponse

# Shown inside a page (``<img>``) only if it is one of these: images re-encoded by this module.
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


def file_response(
    file: File, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """A private file as a download; ``inline`` is honoured for re-encoded images only.

    ``nosniff`` keeps the browser to the stored type, ``no-store`` keeps personal documents out
    of every cache, and the sandboxing policy stops anything in the response from running should
    it ever be rendered as a page.
    """
    response = FileResponse(
        file,
        as_attachment=not (inline and content_type in INLINE_TYPES),
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
