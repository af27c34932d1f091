"""The PDF rules of an upload: it must open, not be encrypted, have a page, and carry nothing
that runs or hides (see ``validation.py`` for the whole list and why)."""

from __future__ import annotations

import io
import logging
import re

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from .rejections import UploadRejected

logger = logging.getLogger(__name__)


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


def check_pdf(data: bytes) -> None:
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


def _name(value: object) -> str | None:
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
