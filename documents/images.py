"""The image rules of an upload: a bounded size before decoding, a full decode, and a fresh
file with the pixels alone (see ``validation.py`` for the whole list and why)."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import warnings
from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from .rejections import UploadRejected

logger = logging.getLogger(__name__)

# Pillow format names each magic may decode to. A JPEG with several frames (phones' "MPO" portrait
# shots) is opened by the JPEG plugin as MPO; its first frame is a plain JPEG.
_PILLOW_FORMATS = {"image/png": {"PNG"}, "image/jpeg": {"JPEG", "MPO"}}
_PILLOW_OPEN = {"image/png": ["PNG"], "image/jpeg": ["JPEG"]}

JPEG_QUALITY = 90


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
    shown = formats.number_format(
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
        % {"megapixels": shown},
    )


# Pillow's truncation switch and Python's warning filters are process-wide. WeasyPrint sets
# ``LOAD_TRUNCATED_IMAGES = True`` when it is imported (decision letters), which would pad a
# truncated upload with grey instead of refusing it. Decoding holds this lock and switches the
# flag off for its own duration, so concurrent uploads in one process never see each other's
# state; the letters contain no images, so WeasyPrint never decodes one meanwhile.
_STRICT_DECODING = threading.Lock()


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    with _STRICT_DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def reencode_image(data: bytes, content_type: str) -> bytes:
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
