"""The upload rules of ``documents/validation.py``, checked with real small files made here.

Every file is built in the test with Pillow or pypdf (or written out byte by byte when it must be
broken), so the table shows exactly what a student could send and what happens to it. No database
is needed: validation is pure.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
import zlib
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from documents.validation import (
    ALLOWED_TYPES,
    CleanFile,
    UploadRejected,
    check_application_quota,
    random_storage_name,
    sanitise_name,
    validate_upload,
)

# --- real files ------------------------------------------------------------------------------


def make_png(size=(8, 6), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG", **save)
    return out.getvalue()


def make_jpeg(size=(8, 6), mode="RGB", color=(30, 30, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="JPEG", **save)
    return out.getvalue()


def make_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("notes.txt", b"hello")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, format="GIF")
    return out.getvalue()


def phone_exif(orientation: int = 6) -> Image.Exif:
    """What a phone writes: orientation, make/model and a GPS position (Ankara)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 55.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (32.0, 51.0, 0.0),
    }
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def make_jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 1), (120, 120, 120)).save(
        out, format="JPEG", exif=phone_exif(6), icc_profile=srgb_icc(), comment=b"secret note"
    )
    return out.getvalue()


def make_png_with_metadata() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "home address: Atatürk Bulvarı 12")
    return make_png(pnginfo=text, exif=phone_exif(1), icc_profile=srgb_icc())


def halves(size, first, second) -> Image.Image:
    """Left half ``first``, right half ``second``: shows which way an image was turned."""
    img = Image.new("RGB", size, first)
    img.paste(second, (size[0] // 2, 0, size[0], size[1]))
    return img


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels (1-bit) with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@cache
def bomb_png(side: int) -> bytes:
    """A real ``side``×``side`` single-colour PNG: a few KB on disk, ``side``² pixels decoded."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, format="PNG")
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def noisy_png() -> bytes:
    # Noise does not compress, so cutting the file in half really cuts the pixel data.
    out = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/steal?c='+document.cookie)</script></svg>"
)
ZIP = b"PK\x03\x04" + b"\x00" * 40


def upload(content: bytes, name: str = "file.bin", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def rejection(content: bytes, name: str = "file.bin") -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        validate_upload(upload(content, name))
    return info.value


# --- the upload table ------------------------------------------------------------------------

ACCEPTED = [
    pytest.param(make_pdf, "passport.pdf", "application/pdf", ".pdf", id="valid-pdf"),
    pytest.param(make_png, "photo.png", "image/png", ".png", id="valid-png"),
    pytest.param(make_jpeg, "photo.jpg", "image/jpeg", ".jpg", id="valid-jpeg"),
    pytest.param(
        make_jpeg_with_exif, "IMG_0001.JPG", "image/jpeg", ".jpg", id="jpeg-with-exif-gps"
    ),
    pytest.param(lambda: make_pdf(3), "certificate.pdf", "application/pdf", ".pdf", id="pdf-3p"),
    pytest.param(make_pdf, "scan.png", "application/pdf", ".pdf", id="pdf-renamed-png"),
    pytest.param(make_png, "photo.pdf", "image/png", ".png", id="png-renamed-pdf"),
    pytest.param(make_jpeg, "photo.png", "image/jpeg", ".jpg", id="jpeg-renamed-png"),
    pytest.param(
        lambda: make_png(mode="P", color=3, transparency=3),
        "logo.png",
        "image/png",
        ".png",
        id="palette-png-with-transparency",
    ),
    pytest.param(
        lambda: make_jpeg(mode="CMYK", color=(0, 80, 80, 0)),
        "print.jpg",
        "image/jpeg",
        ".jpg",
        id="cmyk-jpeg",
    ),
    pytest.param(
        lambda: make_png(mode="I;16", color=40000), "scan16.png", "image/png", ".png", id="16-bit"
    ),
]


@pytest.mark.parametrize(("build", "name", "content_type", "extension"), ACCEPTED)
def test_accepted(build, name, content_type, extension):
    clean = validate_upload(upload(build(), name))

    assert isinstance(clean, CleanFile)
    assert clean.content_type == content_type
    assert clean.extension == extension == ALLOWED_TYPES[content_type]
    assert clean.size == len(clean.content) > 0
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert clean.original_name == name


REJECTED = [
    pytest.param(lambda: b"", "empty.pdf", "empty", id="empty"),
    pytest.param(lambda: HTML, "passport.pdf", "type_not_allowed", id="html-renamed-pdf"),
    pytest.param(lambda: SVG, "photo.png", "type_not_allowed", id="svg-with-script-named-png"),
    pytest.param(make_gif, "photo.gif", "type_not_allowed", id="gif"),
    pytest.param(lambda: ZIP, "documents.pdf", "type_not_allowed", id="zip-renamed-pdf"),
    pytest.param(lambda: b"just some text\n", "note.txt", "type_not_allowed", id="text"),
    pytest.param(lambda: b"MZ\x90\x00" + b"\x00" * 60, "a.jpg", "type_not_allowed", id="exe"),
    pytest.param(
        lambda: b" " + make_pdf(), "a.pdf", "type_not_allowed", id="pdf-magic-not-at-start"
    ),
    pytest.param(make_encrypted_pdf, "passport.pdf", "pdf_encrypted", id="encrypted-pdf"),
    pytest.param(
        lambda: b"%PDF-1.7\n" + b"\x13garbage\x00" * 50, "a.pdf", "pdf_unreadable", id="pdf-junk"
    ),
    pytest.param(lambda: b"%PDF-", "a.pdf", "pdf_unreadable", id="pdf-magic-only"),
    pytest.param(lambda: truncated(make_pdf()), "a.pdf", "pdf_unreadable", id="truncated-pdf"),
    pytest.param(lambda: truncated(noisy_png()), "a.png", "image_unreadable", id="truncated-png"),
    pytest.param(lambda: truncated(noisy_jpeg()), "a.jpg", "image_unreadable", id="truncated-jpeg"),
    pytest.param(
        lambda: b"\x89PNG\r\n\x1a\n" + make_jpeg(),
        "a.png",
        "image_unreadable",
        id="png-magic-jpeg-body",
    ),
    pytest.param(
        lambda: b"\xff\xd8\xff" + make_png(), "a.jpg", "image_unreadable", id="jpeg-magic-png-body"
    ),
    pytest.param(lambda: b"\x89PNG\r\n\x1a\n", "a.png", "image_unreadable", id="png-magic-only"),
    pytest.param(lambda: b"\xff\xd8\xff", "a.jpg", "image_unreadable", id="jpeg-magic-only"),
    pytest.param(lambda: png_header_only(0, 10), "a.png", "image_unreadable", id="png-zero-wide"),
    pytest.param(lambda: bomb_png(7_000), "a.png", "image_too_large", id="bomb-49mp-over-limit"),
    pytest.param(lambda: bomb_png(10_000), "a.png", "image_too_large", id="bomb-100mp"),
    pytest.param(
        lambda: png_header_only(60_000, 60_000), "a.png", "image_too_large", id="bomb-header-3.6gp"
    ),
]


@pytest.mark.parametrize(("build", "name", "code"), REJECTED)
def test_rejected(build, name, code):
    error = rejection(build(), name)

    assert error.code == code
    assert error.message
    assert str(error) == error.message


def test_the_client_content_type_is_ignored():
    png = upload(make_png(), "photo.png", content_type="application/pdf")
    html = upload(HTML, "passport.pdf", content_type="application/pdf")

    assert validate_upload(png).content_type == "image/png"
    with pytest.raises(UploadRejected) as info:
        validate_upload(html)
    assert info.value.code == "type_not_allowed"


# --- size ------------------------------------------------------------------------------------


def test_a_file_over_the_byte_limit_is_too_large(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    content = (b"%PDF-1.4\n" + b"0" * 2048)[:2048]  # 2 KB that looks like a PDF

    with translation.override("en"):
        error = rejection(content, "big.pdf")

    assert error.code == "too_large"
    assert "0.00097 MB" in error.message  # 1024 bytes, never overstated


def test_the_default_limit_is_stated_in_mb(settings):
    settings.DOCUMENT_MAX_BYTES = 5 * 1024 * 1024

    with translation.override("en"):
        error = rejection(b"%PDF-" + b"\x00" * (5 * 1024 * 1024), "big.pdf")

    assert error.code == "too_large"
    assert error.message == ("The file is larger than 5 MB. Upload a file of at most 5 MB.")


def test_a_file_of_exactly_the_limit_is_accepted(settings):
    pdf = make_pdf()
    settings.DOCUMENT_MAX_BYTES = len(pdf)
    assert validate_upload(upload(pdf, "a.pdf")).size == len(pdf)

    settings.DOCUMENT_MAX_BYTES = len(pdf) - 1
    assert rejection(pdf, "a.pdf").code == "too_large"


def test_at_most_limit_plus_one_bytes_are_read(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    uploaded = upload(b"%PDF-" + b"x" * 1_000_000, "huge.pdf")

    with pytest.raises(UploadRejected):
        validate_upload(uploaded)

    assert uploaded.tell() == 1025


def test_the_file_is_read_from_its_start_even_if_someone_read_it_before():
    uploaded = upload(make_png(), "photo.png")
    uploaded.read(10)  # e.g. a form field that peeked at the file

    assert validate_upload(uploaded).content_type == "image/png"


# --- pixels ----------------------------------------------------------------------------------


def test_the_pixel_limit_comes_from_settings(settings):
    settings.DOCUMENT_MAX_PIXELS = 100

    assert validate_upload(upload(make_png(size=(10, 10)), "a.png")).content_type == "image/png"
    assert rejection(make_png(size=(10, 11)), "a.png").code == "image_too_large"
    assert rejection(make_jpeg(size=(20, 20)), "a.jpg").code == "image_too_large"


def test_pillow_bomb_warning_and_error_count_as_too_large_even_under_a_high_limit(settings):
    # Our own limit set so high that only Pillow's checks (89 Mpx warning, 179 Mpx error) fire:
    # still refused, and nothing is decoded.
    settings.DOCUMENT_MAX_PIXELS = 10**12

    assert rejection(bomb_png(10_000), "a.png").code == "image_too_large"  # warning
    assert rejection(png_header_only(20_000, 20_000), "a.png").code == "image_too_large"  # error


def test_pillow_globals_and_warning_filters_are_left_as_they_were():
    pillow_limit = Image.MAX_IMAGE_PIXELS
    filters = list(warnings.filters)
    previous_truncation = ImageFile.LOAD_TRUNCATED_IMAGES

    rejection(bomb_png(10_000), "a.png")
    validate_upload(upload(make_png(), "a.png"))

    assert pillow_limit == Image.MAX_IMAGE_PIXELS
    assert warnings.filters == filters
    assert ImageFile.LOAD_TRUNCATED_IMAGES is previous_truncation


def test_truncated_images_are_refused_even_when_another_library_pads_them(monkeypatch):
    # WeasyPrint (decision letters) switches Pillow to "pad truncated images with grey" on import;
    # a half-grey passport page must still be refused, and the other library's setting restored.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    assert rejection(truncated(noisy_png()), "a.png").code == "image_unreadable"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


# --- re-encoding -----------------------------------------------------------------------------


def reopen(clean: CleanFile) -> Image.Image:
    img = Image.open(io.BytesIO(clean.content))
    img.load()
    return img


def test_exif_gps_comment_and_icc_are_gone_from_a_jpeg():
    original = make_jpeg_with_exif()
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file really has GPS
    assert "icc_profile" in before.info
    assert b"secret note" in original

    clean = validate_upload(upload(original, "IMG_0001.JPG"))
    after = reopen(clean)

    assert after.format == "JPEG"
    assert after.mode == "RGB"
    assert not after.getexif()
    assert not after.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in after.info
    assert "icc_profile" not in after.info
    assert "comment" not in after.info
    assert b"Exif" not in clean.content
    assert b"PhoneMaker" not in clean.content
    assert b"secret note" not in clean.content
    assert clean.content != original


def test_text_chunks_exif_and_icc_are_gone_from_a_png():
    original = make_png_with_metadata()
    assert Image.open(io.BytesIO(original)).getexif()  # the test file really has EXIF

    clean = validate_upload(upload(original, "photo.png"))
    after = reopen(clean)

    assert after.format == "PNG"
    assert not after.getexif()
    assert not after.info.get("Comment")
    assert "icc_profile" not in after.info
    assert "Atatürk".encode() not in clean.content
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in clean.content


def test_data_appended_after_the_image_is_not_stored():
    polyglot = make_png() + b"<script>alert(1)</script>"

    clean = validate_upload(upload(polyglot, "photo.png"))

    assert b"<script>" not in clean.content


def test_orientation_is_applied_to_the_pixels():
    clean = validate_upload(upload(make_jpeg_with_exif(), "IMG_0001.JPG"))

    assert reopen(clean).size == (1, 2)  # 2×1 with orientation 6 (turn 90° clockwise)


def test_orientation_turns_the_right_way():
    out = io.BytesIO()
    halves((32, 16), (255, 0, 0), (0, 0, 255)).save(out, format="PNG", exif=phone_exif(6))

    after = reopen(validate_upload(upload(out.getvalue(), "photo.png")))

    # Turned 90° clockwise: the left (red) half is now the top.
    assert after.size == (16, 32)
    assert after.getpixel((8, 4)) == (255, 0, 0)
    assert after.getpixel((8, 28)) == (0, 0, 255)
    assert not after.getexif()


@pytest.mark.parametrize(
    ("build", "mode"),
    [
        pytest.param(lambda: make_jpeg(mode="CMYK", color=(0, 0, 0, 0)), "RGB", id="cmyk-jpeg"),
        pytest.param(lambda: make_jpeg(mode="L", color=90), "RGB", id="grey-jpeg"),
        pytest.param(lambda: make_png(mode="RGBA", color=(1, 2, 3, 4)), "RGBA", id="rgba-png"),
        pytest.param(lambda: make_png(mode="L", color=7), "L", id="grey-png"),
        pytest.param(lambda: make_png(mode="LA", color=(7, 8)), "RGBA", id="grey-alpha-png"),
        pytest.param(lambda: make_png(mode="1", color=1), "L", id="bilevel-png"),
        pytest.param(lambda: make_png(mode="P", color=3, transparency=3), "RGBA", id="p-trns"),
        pytest.param(lambda: make_png(mode="P", color=3), "RGB", id="palette-png"),
        pytest.param(lambda: make_png(mode="I;16", color=0xFFFF), "L", id="16-bit-grey-png"),
    ],
)
def test_re_encoded_modes(build, mode):
    assert reopen(validate_upload(upload(build(), "x"))).mode == mode


def test_16_bit_grey_is_scaled_not_clipped():
    after = reopen(validate_upload(upload(make_png(mode="I;16", color=0x8000), "scan.png")))

    assert after.getpixel((0, 0)) == 0x80


def test_a_pdf_is_stored_exactly_as_uploaded():
    pdf = make_pdf()

    clean = validate_upload(upload(pdf, "passport.pdf"))

    assert clean.content == pdf
    assert clean.sha256 == hashlib.sha256(pdf).hexdigest()


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_name", "stored_label"),
    [
        pytest.param("../../etc/passwd.pdf", "passwd.pdf", id="dot-dot-path"),
        pytest.param("/etc/passwd.pdf", "passwd.pdf", id="absolute-path"),
        pytest.param("C:\\Users\\Əli\\pasport səhifə.pdf", "pasport səhifə.pdf", id="windows"),
        pytest.param("..\\..\\boot.ini.pdf", "boot.ini.pdf", id="windows-dot-dot"),
        pytest.param("pass\x00port\r\n.pdf", "passport.pdf", id="control-chars"),
        pytest.param("invoice\u202efdp.exe", "invoicefdp.exe", id="right-to-left-override"),
        pytest.param("  şəkil.pdf  ", "şəkil.pdf", id="spaces"),
        pytest.param("a" * 400 + ".pdf", "a" * 251 + ".pdf", id="too-long"),
        pytest.param("..", "", id="dot-dot"),
    ],
)
def test_sanitise_name(client_name, stored_label):
    assert sanitise_name(client_name) == stored_label


def test_the_original_name_is_sanitised_on_upload():
    clean = validate_upload(upload(make_pdf(), "../../etc/passwd.pdf"))
    windows = validate_upload(upload(make_pdf(), "C:\\Users\\Ali\\pass\x07port.pdf"))

    assert clean.original_name == "passwd.pdf"
    assert windows.original_name == "passport.pdf"


def test_a_name_with_nothing_left_gets_a_neutral_label():
    assert validate_upload(upload(make_png(), "\x00\x01")).original_name == "document.png"


def test_a_name_is_normalised_to_nfc():
    # macOS sends decomposed letters: "ş" as "s" + combining cedilla.
    assert sanitise_name("s\u0327əkil.pdf") == "şəkil.pdf"


# --- storage names ---------------------------------------------------------------------------


def test_random_storage_name_never_contains_the_client_name():
    clean = validate_upload(upload(make_pdf(), "Mammadova_passport_C12345678.pdf"))

    first = random_storage_name(clean)
    second = random_storage_name(clean)

    assert first != second
    for name in (first, second):
        assert re.fullmatch(r"documents/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", name)
        assert "Mammadova" not in name
        assert "passport" not in name


def test_random_storage_name_uses_the_detected_extension_and_folder():
    clean = validate_upload(upload(make_png(), "photo.pdf"))

    name = random_storage_name(clean, folder="replacements")

    assert re.fullmatch(r"replacements/\d{4}/\d{2}/[0-9a-f]{32}\.png", name)


# --- messages --------------------------------------------------------------------------------

ONE_PER_CODE = {
    "empty": lambda: b"",
    "too_large": lambda: b"%PDF-" + b"\x00" * (5 * 1024 * 1024),
    "type_not_allowed": lambda: HTML,
    "pdf_unreadable": lambda: b"%PDF-garbage",
    "pdf_encrypted": make_encrypted_pdf,
    "pdf_active_content": make_pdf_with_javascript,
    "pdf_embedded_files": make_pdf_with_attachment,
    "image_unreadable": lambda: truncated(noisy_png()),
    "image_too_large": lambda: bomb_png(10_000),
}


@pytest.mark.parametrize("language", ["en", "az", "tr"])
def test_each_rejection_has_its_own_message(language):
    with translation.override(language):
        errors = {code: rejection(build()) for code, build in ONE_PER_CODE.items()}
        # The one rule about the whole application rather than the file itself.
        with pytest.raises(UploadRejected) as too_much:
            check_application_quota(
                kept_bytes=10**12, clean=validate_upload(upload(make_pdf(), "a.pdf"))
            )
        errors["application_too_large"] = too_much.value

    assert set(errors) == set(UploadRejected.CODES)
    for code, error in errors.items():
        assert error.code == code
        assert error.message.strip()
    assert len({error.message for error in errors.values()}) == len(errors)


def test_messages_say_which_rule_was_broken():
    with translation.override("en"):
        assert "PDF, JPEG and PNG" in rejection(SVG).message
        assert "password" in rejection(make_encrypted_pdf()).message
        assert "more than 40 megapixels" in rejection(bomb_png(10_000)).message


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown upload rejection code"):
        UploadRejected("virus", "no")


# --- anything at all -------------------------------------------------------------------------

MAGICS = [b"", b"%PDF-", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"\xff\xd8\xff\xe0"]
VALID = {"pdf": make_pdf(), "png": make_png(), "jpeg": make_jpeg_with_exif()}
FUZZ = hyp_settings(
    deadline=None,
    max_examples=200,
    # The suite's autouse fixtures (private media folder, hasher) are harmless to share.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def assert_rejected_or_clean(content: bytes) -> None:
    # Any other exception fails the test (it would be a server error for the student).
    try:
        outcome: CleanFile | UploadRejected = validate_upload(upload(content))
    except UploadRejected as error:
        outcome = error
    if isinstance(outcome, UploadRejected):
        assert outcome.code in UploadRejected.CODES
        assert outcome.message
    else:
        assert outcome.content_type in ALLOWED_TYPES
        assert outcome.sha256 == hashlib.sha256(outcome.content).hexdigest()


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_are_rejected_or_clean(content):
    assert_rejected_or_clean(content)


@FUZZ
@given(st.sampled_from(MAGICS), st.binary(max_size=4096))
def test_random_bytes_behind_a_real_magic_are_rejected_or_clean(magic, rest):
    assert_rejected_or_clean(magic + rest)


@FUZZ
@given(st.sampled_from(sorted(VALID)), st.data())
def test_damaged_real_files_are_rejected_or_clean(kind, data):
    content = bytearray(VALID[kind])
    for _ in range(data.draw(st.integers(1, 8), label="damages")):
        position = data.draw(st.integers(0, len(content) - 1), label="position")
        content[position] = data.draw(st.integers(0, 255), label="byte")
    cut = data.draw(st.integers(1, len(content)), label="length")
    assert_rejected_or_clean(bytes(content[:cut]))
