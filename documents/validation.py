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
import io
import logging
import os
import re
import secrets
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# Pillow format names each magic may decode to. A JPEG with several frames (phones' "MPO" portrait
# shots) is opened by the JPEG plugin as MPO; its first frame is a plain JPEG.
_PILLOW_FORMATS = {"image/png": {"PNG"}, "image/jpeg": {"JPEG", "MPO"}}
_PILLOW_OPEN = {"image/png": ["PNG"], "image/jpeg": ["JPEG"]}

JPEG_QUALITY = 90
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


def validate_upload(uploaded: UploadedFile) -> CleanFile:
    """Check an uploaded file against the rules above; return what to store or raise."""
    data = _read_limited(uploaded)
    original_name = sanitise_name(uploaded.name or "")
    content_type = _sniff(data)

    if content_type == "application/pdf":
        _check_pdf(data)
        content = data
    else:
        content = _reencode_image(data, content_type)

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
            % {"limit": _megabytes(limit)},
        )


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
        mb = _megabytes(limit)
        raise UploadRejected(
            "too_large",
            _("The file is larger than %(limit)s MB. Upload a file of at most %(limit)s MB.")
            % {"limit": mb},
        )
    return data


def _megabytes(limit: int) -> str:
    """The byte limit in MB for the message, rounded down so the limit is never overstated."""
    mb = Decimal(limit) / Decimal(1024 * 1024)
    if mb == mb.to_integral_value():
        return formats.number_format(int(mb))
    # Two decimals from 1 MB up, two significant digits below (tests use limits of a few KB).
    exponent = -2 if mb >= 1 else mb.adjusted() - 1
    return formats.number_format(mb.quantize(Decimal(1).scaleb(exponent), ROUND_DOWN).normalize())


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


# --- PDF ------------------------------------------------------------------------------------


def _pdf_unreadable() -> UploadRejected:
    return UploadRejected(
        "pdf_unreadable",
        _(
            "The PDF file is damaged or has no pages, so it cannot be read. "
            "Save or export it again and upload the new file."
        ),
    )


def _pdf_active_content() -> UploadRejected:
    return UploadRejected(
        "pdf_active_content",
        _(
            "The PDF file contains JavaScript or actions that run when it is opened or clicked "
            "(such as starting a program), which the portal does not accept. Print it to a new "
            "PDF (“Print to PDF”) or scan the paper document, and upload that file."
        ),
    )


def _pdf_embedded_files() -> UploadRejected:
    return UploadRejected(
        "pdf_embedded_files",
        _(
            "The PDF file has other files attached or embedded in it, which the portal does not "
            "accept. Upload each document as its own file; print this one to a new PDF "
            "(“Print to PDF”) to leave the attachments out."
        ),
    )


def _check_pdf(data: bytes) -> None:
    raw_finding = _raw_pdf_finding(data)
    if raw_finding is not None:
        raise raw_finding
    try:
        with io.BytesIO(data) as stream:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise UploadRejected(
                    "pdf_encrypted",
                    _(
                        "The PDF file is protected with a password or encryption, so it cannot "
                        "be checked. Upload a copy without protection."
                    ),
                )
            pages = len(reader.pages)
            _inspect_pdf_objects(reader)
    except UploadRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds on hostile input; all mean "unreadable".
        logger.info("PDF upload rejected as unreadable: %s: %s", type(exc).__name__, exc)
        raise _pdf_unreadable() from exc
    if pages < 1:
        raise _pdf_unreadable()


# A name ends at white space or a delimiter; "/JSON" is not "/JS".
_RAW_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?=[\s()<>\[\]{}/%]|\Z)")


def _raw_pdf_finding(data: bytes) -> UploadRejected | None:
    """Defence in depth: the names of active content anywhere in the raw (uncompressed) bytes."""
    if _RAW_ACTIVE.search(data):
        logger.info("PDF upload rejected: active content named in the raw bytes.")
        return _pdf_active_content()
    return None


# Actions a viewer performs without running code or reaching outside the document: go to a place
# in it, open a web or mail link, a named viewer command (next page, print...), an article
# thread, a transition, layers or fields shown, hidden or reset. Everything else is refused:
# /JavaScript, /Launch, /GoToR and /GoToE (other files), /SubmitForm, /ImportData, /Rendition,
# /RichMediaExecute, /Sound, /Movie and any type a future viewer may invent.
SAFE_PDF_ACTIONS = frozenset(
    {"/GoTo", "/URI", "/Named", "/Thread", "/Trans", "/SetOCGState", "/Hide", "/ResetForm"}
)
SAFE_URI_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_URI_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
# Keys whose presence alone is active content, or an embedded file, wherever they appear.
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/XFA", "/OnInstantiate"})
_EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF"})
# A PDF of a few MB has far fewer dictionaries and arrays than this; more is a resource attack.
MAX_PDF_CONTAINERS = 200_000

# What a dictionary or array is, from where it was reached: an action (under /A, /OpenAction,
# /PA or /Next, or a value of an /AA dictionary), an /AA dictionary, or anything else.
_PLAIN, _ACTION, _ADDITIONAL_ACTIONS = 0, 1, 2


def _name(value) -> str | None:
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, str) else None


def _child_role(key: str, role: int) -> int:
    if role == _ADDITIONAL_ACTIONS:
        return _ACTION
    if key == "/AA":
        return _ADDITIONAL_ACTIONS
    if key in {"/A", "/OpenAction", "/PA", "/Next"}:
        return _ACTION
    return _PLAIN


def _unsafe_uri(action: DictionaryObject) -> bool:
    uri = action.get("/URI")
    uri = uri.get_object() if isinstance(uri, IndirectObject) else uri
    if not isinstance(uri, str | bytes):
        return False
    text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
    if text.lstrip().startswith(("\\\\", "//")):  # a UNC path or a host without a scheme
        return True
    scheme = _URI_SCHEME.match(text)
    return scheme is not None and scheme.group(1).lower() not in SAFE_URI_SCHEMES


def _dictionary_finding(obj: DictionaryObject, role: int) -> UploadRejected | None:
    keys = set(dict.keys(obj))
    if keys & _ACTIVE_KEYS:
        return _pdf_active_content()
    if keys & _EMBEDDED_KEYS:
        return _pdf_embedded_files()
    kind, subtype = _name(obj.get("/Type")), _name(obj.get("/Subtype"))
    if kind == "/EmbeddedFile" or subtype == "/FileAttachment":
        return _pdf_embedded_files()
    if role == _ACTION or kind == "/Action":
        action = _name(obj.get("/S"))
        if action is not None and (
            action not in SAFE_PDF_ACTIONS or (action == "/URI" and _unsafe_uri(obj))
        ):
            return _pdf_active_content()
    return None


def _inspect_pdf_objects(reader: PdfReader) -> None:
    """Walk every dictionary and array reachable from the trailer; raise on active content.

    Streams are dictionaries too; their data is never decoded here. An indirect object is visited
    once per role, so reference cycles (/Parent, /Next loops) end.
    """
    stack: list[tuple[object, int]] = [(reader.trailer, _PLAIN)]
    seen: set[tuple[int, int, int]] = set()
    containers = 0
    while stack:
        obj, role = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation, role)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            finding = _dictionary_finding(obj, role)
            if finding is not None:
                logger.info("PDF upload rejected: %s.", finding.code)
                raise finding
            children = [(value, _child_role(key, role)) for key, value in dict.items(obj)]
        elif isinstance(obj, ArrayObject):
            # An array of actions (/Next) holds actions; a destination array holds no /S.
            children = [(value, role) for value in obj]
        else:
            continue
        containers += 1
        if containers > MAX_PDF_CONTAINERS:
            raise ValueError("too many objects to inspect")
        stack.extend(
            (value, child_role)
            for value, child_role in children
            if isinstance(value, IndirectObject | DictionaryObject | ArrayObject)
        )


# --- images ---------------------------------------------------------------------------------


def _image_unreadable() -> UploadRejected:
    return UploadRejected(
        "image_unreadable",
        _(
            "The image file is damaged or incomplete, so it cannot be read. "
            "Take or export the picture again and upload the new file."
        ),
    )


def _image_too_large(max_pixels: int) -> UploadRejected:
    megapixels = Decimal(max_pixels) / Decimal(1_000_000)
    megapixels = formats.number_format(
        megapixels.quantize(Decimal("0.1"), ROUND_DOWN).normalize()
        if megapixels >= Decimal("0.1")
        else megapixels.normalize()
    )
    return UploadRejected(
        "image_too_large",
        _(
            "The image has more than %(megapixels)s megapixels. "
            "Upload a smaller picture (reduce its resolution)."
        )
        % {"megapixels": megapixels},
    )


# Pillow's truncation switch and Python's warning filters are process-wide. WeasyPrint sets
# ``LOAD_TRUNCATED_IMAGES = True`` when it is imported (decision letters), which would pad a
# truncated upload with grey instead of refusing it. Decoding holds this lock and switches the
# flag off for its own duration, so concurrent uploads in one process never see each other's
# state; the letters contain no images, so WeasyPrint never decodes one meanwhile.
_STRICT_DECODING = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    with _STRICT_DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _reencode_image(data: bytes, content_type: str) -> bytes:
    max_pixels = settings.DOCUMENT_MAX_PIXELS
    try:
        with (
            io.BytesIO(data) as stream,
            _strict_decoding(),
            Image.open(stream, formats=_PILLOW_OPEN[content_type]) as img,
        ):
            if img.format not in _PILLOW_FORMATS[content_type]:
                raise _image_unreadable()
            width, height = img.size
            # The header alone gives the size: decide before a single pixel is decoded.
            if width < 1 or height < 1:
                raise _image_unreadable()
            if width * height > max_pixels:
                raise _image_too_large(max_pixels)
            img.load()
            return _encode_clean(img, content_type)
    except UploadRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _image_too_large(max_pixels) from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError... on bad input.
        logger.info("Image upload rejected as unreadable: %s: %s", type(exc).__name__, exc)
        raise _image_unreadable() from exc


def _upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation to the pixels (the tag itself is dropped with all metadata)."""
    try:
        transposed = ImageOps.exif_transpose(img)
    except Exception:  # A broken EXIF block is metadata we drop anyway: keep the pixels as is.
        logger.info("Ignoring unreadable EXIF orientation in an uploaded image.")
        return img
    return transposed if transposed is not None else img


def _to_output_mode(img: Image.Image, content_type: str) -> Image.Image:
    mode = img.mode
    if mode in {"I;16", "I;16B", "I;16L", "I;16N", "I"}:
        # 16-bit greyscale: scale to 8 bits (a plain convert would clip everything above 255).
        img = img.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        mode = "L"
    if content_type == "image/jpeg":
        return img if mode == "RGB" else img.convert("RGB")
    # PNG: keep RGBA, RGB or L; anything with transparency becomes RGBA.
    has_transparency = "transparency" in img.info or mode in {"LA", "La", "PA", "RGBa"}
    if has_transparency:
        return img if mode == "RGBA" else img.convert("RGBA")
    if mode in {"RGBA", "RGB", "L"}:
        return img
    if mode == "1":
        return img.convert("L")
    return img.convert("RGB")


def _encode_clean(img: Image.Image, content_type: str) -> bytes:
    pixels = _to_output_mode(_upright(img), content_type)
    # A brand-new image has an empty ``info``: no EXIF, ICC profile, comment or text chunk can be
    # carried over by an encoder that falls back to the source's metadata.
    fresh = Image.new(pixels.mode, pixels.size)
    fresh.paste(pixels)
    with io.BytesIO() as out:
        if content_type == "image/jpeg":
            fresh.save(out, format="JPEG", quality=JPEG_QUALITY, exif=b"")
        else:
            fresh.save(out, format="PNG", optimize=True)
        return out.getvalue()
