"""Validation of uploaded documents: what the portal accepts, and what it stores.

Students upload passport pages, photos and certificates. An upload is untrusted input that officers
later open on their own machines, so every rule here answers a concrete risk:

* **Size.** At most ``DOCUMENT_MAX_BYTES + 1`` bytes are read (read from settings on every call,
  so a changed setting applies at once): the extra byte is enough to tell "over the limit" without
  reading an arbitrarily large upload into memory.
* **Type by content.** The type is decided by the file's first bytes (its "magic"), never by its
  name or by the Content-Type the browser sent: both are chosen by the client. ``%PDF-`` is a PDF,
  ``\\x89PNG\\r\\n\\x1a\\n`` a PNG, ``\\xff\\xd8\\xff`` a JPEG; anything else (HTML, SVG with
  scripts, ZIP, GIF, text, executables...) is refused, whatever its name says.
* **PDFs** must open with pypdf, must not be encrypted (an officer could not read it, and the
  content could not be checked) and must have at least one page. A PDF is stored exactly as
  uploaded, so it must carry nothing that runs or hides: every object reachable from the trailer
  is walked (the catalog, the name trees, pages, annotations, outlines, form fields and every
  action with its ``/Next`` chain), and JavaScript (``/JS``, a ``/JavaScript`` name tree), XFA
  forms, any action but the harmless ones (go to a page, a web link, a named viewer command...)
  in ``/OpenAction``, ``/AA`` or ``/A`` — ``/Launch`` above all — and embedded files
  (``/EmbeddedFiles``, file specifications with ``/EF``, file attachment annotations) are refused.
  A plain search of the raw bytes for ``/JavaScript``, ``/JS`` and ``/Launch`` backs the walk up
  (it also sees objects that nothing references, which a lenient viewer may still find).
* **Images** are checked against ``DOCUMENT_MAX_PIXELS`` from the header alone, *before* any pixel
  is decoded: a tiny, highly compressed file can otherwise expand to gigabytes in memory (a
  "decompression bomb"). Pillow's own bomb warning/error counts as too large as well; the global
  ``Image.MAX_IMAGE_PIXELS`` is never changed (it is process-wide and shared between threads).
  The image is then fully decoded, so a truncated or corrupt file is refused now rather than
  failing when an officer opens it (Pillow's truncation switch is held off while decoding). The
  decoder must be the one the magic announced: a PNG signature with a JPEG body is refused.
* **Images are re-encoded**, never stored as uploaded: the EXIF orientation is applied to the
  pixels, then the pixels alone are written to a fresh file. That drops every piece of metadata a
  phone writes (GPS position, device serial numbers, time stamps, thumbnails that may show the
  uncropped picture, comments, ICC profiles, PNG text chunks) and anything smuggled after the image
  data (polyglot files). JPEGs become RGB at quality 90; PNGs keep RGBA, RGB or L.

Nothing is written to disk or stored here: callers store ``CleanFile.content`` under a name from
``random_storage_name`` (never derived from the client's file name) and keep ``original_name``
only as a label; the total size of one application's documents is the caller's check
(``check_application_quota``).

**Serving** (``file_response``): every stored file goes out as an attachment with ``nosniff`` and
``no-store``. Only an image, which this module has re-encoded, may be shown inline, and only to
an officer (the caller decides); a PDF is never rendered by the browser from the portal's origin.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from .images import reencode_image
from .pdf import check_pdf
from .rejections import UploadRejected, megabytes

__all__ = ["CleanFile", "UploadRejected", "check_application_quota", "validate_upload"]

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


MAX_NAME_LENGTH = 255
# Unicode categories removed from client file names: controls, format characters (among them the
# right-to-left override used to disguise "invoice\u202efdp.exe"), surrogates, line separators.
_UNSAFE_NAME_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@dataclass(frozen=True)
class CleanFile:
    """An accepted upload, ready to store."""

    content: bytes  # PDFs as uploaded; images re-encoded without metadata
    content_type: str  # a key of ALLOWED_TYPES
    extension: str  # ALLOWED_TYPES[content_type]
    sha256: str  # hex digest of ``content``
    size: int  # len(content)
    original_name: str  # the client's file name, sanitised; a label, never a storage path


def validate_upload(uploaded: UploadedFile) -> CleanFile:
    """Check an uploaded file against the rules above; return what to store or raise."""
    data = _read_limited(uploaded)
    original_name = sanitise_name(uploaded.name or "")
    content_type = _sniff(data)

    if content_type == "application/pdf":
        check_pdf(data)
        content = data
    else:
        content = reencode_image(data, content_type)

    extension = ALLOWED_TYPES[content_type]
    return CleanFile(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        original_name=original_name or f"document{extension}",
    )


def check_application_quota(*, kept_bytes: int, clean: CleanFile) -> None:
    """Refuse ``clean`` if, with the ``kept_bytes`` of the application's documents that stay
    current, the application would hold more than ``APPLICATION_MAX_BYTES``."""
    limit = settings.APPLICATION_MAX_BYTES
    if kept_bytes + clean.size > limit:
        raise UploadRejected(
            "application_too_large",
            _(
                "Together with the documents already uploaded, this file would take the "
                "application over its limit of %(limit)s MB. Replace a large document with a "
                "smaller copy (for example a scan at a lower resolution), or upload a smaller "
                "file."
            )
            % {"limit": megabytes(limit)},
        )


def random_storage_name(clean: CleanFile, *, folder: str = "documents") -> str:
    """A fresh storage path: ``folder/yyyy/mm/<32 random hex digits><extension>``.

    Nothing of the client's file name goes into it: no path tricks, no guessable names, no personal
    data in the file system. The month is local (TIME_ZONE), as in the model's ``upload_to``.
    """
    today = timezone.localdate()
    return f"{folder.strip('/')}/{today:%Y}/{today:%m}/{secrets.token_hex(16)}{clean.extension}"


def sanitise_name(name: str) -> str:
    """The client's file name as a harmless label: basename, no control characters, ≤ 255."""
    name = unicodedata.normalize("NFC", name)
    # Browsers on Windows have sent full paths ("C:\\Users\\...\\passport.pdf").
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _UNSAFE_NAME_CATEGORIES)
    name = name.strip()
    if name in {".", ".."}:
        return ""
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


# --- size -----------------------------------------------------------------------------------


def _read_limited(uploaded: UploadedFile) -> bytes:
    limit = settings.DOCUMENT_MAX_BYTES
    # A form field may have peeked at the file; an unseekable one is read from where it is.
    with contextlib.suppress(AttributeError, OSError, ValueError):
        uploaded.seek(0)
    data = uploaded.read(limit + 1) or b""
    if not data:
        raise UploadRejected("empty", _("The file is empty. Upload a file that has content."))
    if len(data) > limit:
        mb = megabytes(limit)
        raise UploadRejected(
            "too_large",
            _("The file is larger than %(limit)s MB. Upload a file of at most %(limit)s MB.")
            % {"limit": mb},
        )
    return data


# --- type -----------------------------------------------------------------------------------


def _sniff(data: bytes) -> str:
    if data.startswith(PDF_MAGIC):
        return "application/pdf"
    if data.startswith(PNG_MAGIC):
        return "image/png"
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg"
    raise UploadRejected(
        "type_not_allowed",
        _(
            "Only PDF, JPEG and PNG files are accepted; this file is not one of them "
            "(whatever its name says)."
        ),
    )
