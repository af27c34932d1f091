"""The decision letter sent with an approved residence permit, rendered to PDF.

Pure rendering: a Django template turned into a PDF by WeasyPrint, in the applicant's language.
Nothing is fetched while rendering: the letter references no URL, font file or image (the DejaVu
system fonts cover Azerbaijani and Turkish letters), and the URL fetcher refuses every request,
so a stray reference fails loudly instead of reaching the network or the file system. The QR
code pointing to the public verification page is inline SVG markup drawn by WeasyPrint itself; the
verification address is printed as plain text, not as a link.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any, NoReturn

import segno
import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Permit

TEMPLATE = "letters/decision_letter.html"
# LFIP Art. 24(2): an extension can be applied for from 60 days before the permit ends (the
# policy version in force at evaluation may say otherwise).
DEFAULT_EXTENSION_WINDOW_DAYS = 60
# University guidance: a change of university, address or passport is reported within 20 days.
REPORT_CHANGE_DAYS = 20
# LFIP Art. 21(2); the policy version in force at evaluation may say otherwise.
DEFAULT_PASSPORT_MARGIN_DAYS = 60
# Where the public verification pages live; the letter prints and QR-encodes absolute URLs.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


# WeasyPrint ships no type information, so mypy sees its base class as Any.
class NoFetching(weasyprint.urls.URLFetcher):  # type: ignore[misc]
    """Refuses every resource: a letter (or receipt) is self-contained."""

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> NoReturn:
        raise ValueError(f"The decision letter must not load external resources: {url!r}")


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\a ")
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - all escaped above # nosec B308 B703


def sentence_date(value: date) -> str:
    """A date as ``|date:"DATE_FORMAT"`` gives it, kept on one line inside a sentence."""
    return formats.date_format(value, "DATE_FORMAT").replace(" ", "\N{NO-BREAK SPACE}")


def public_base_url() -> str:
    """The portal's public address, without a trailing slash (``settings.PUBLIC_BASE_URL``)."""
    return getattr(settings, "PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def verification_url(permit: Permit) -> str:
    """The absolute address of the permit's public verification page."""
    path = reverse("permit-verify", kwargs={"code": permit.verification_code})
    return f"{public_base_url()}{path}"


def qr_svg(url: str) -> SafeString:
    """``url`` as a QR code in inline SVG markup: drawn by WeasyPrint, nothing to fetch.

    Error correction at least M (segno raises it when the size allows), so a creased or stamped
    letter still scans. The size comes from the stylesheet (``svg.qr``), not from the markup.
    """
    qr = segno.make_qr(url, error="m")
    # segno writes only its own numbers and path data: the URL is encoded, never copied in.
    return mark_safe(qr.svg_inline(omitsize=True, svgclass="qr", lineclass=None))  # noqa: S308 # nosec B308 B703


def letter_language(permit: Permit, language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (language, permit.application.applicant.preferred_language):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


def _context(permit: Permit) -> dict[str, Any]:
    """Called under the letter's language: the sentence dates are formatted here."""
    application = permit.application
    decided_at = application.decided_at or permit.issued_at or timezone.now()
    policy = application.policy_version
    passport_margin = policy.passport_margin_days if policy else DEFAULT_PASSPORT_MARGIN_DAYS
    window_days = policy.extension_window_days if policy else DEFAULT_EXTENSION_WINDOW_DAYS
    verify_url = verification_url(permit)
    return {
        "permit": permit,
        "application": application,
        "decision_date": timezone.localdate(decided_at),
        # Dates inside sentences; the template formats the others with |date:"DATE_FORMAT".
        "extension_from": sentence_date(permit.valid_to - timedelta(days=window_days)),
        "extension_until": sentence_date(permit.valid_to),
        "extension_days": window_days,
        "report_days": REPORT_CHANGE_DAYS,
        "passport_margin_days": passport_margin,
        # Printed next to the QR code, which encodes the same address.
        "verify_url": verify_url,
        "verify_form_url": f"{public_base_url()}{reverse('permit-verify-form')}",
        "verify_qr": qr_svg(verify_url),
        "passport_required_until": sentence_date(permit.valid_to + timedelta(days=passport_margin)),
        # Shown in the page margin; CSS strings cannot come from template tags safely.
        "css_footer": css_string(
            _("Reference %(reference)s") % {"reference": application.reference}
        ),
        "css_page": css_string(_("Page")),
    }


def decision_letter_pdf(*, permit: Permit, language: str | None = None) -> bytes:
    """Render the approval letter.

    ``language`` defaults to the applicant's preferred language; the template is rendered under
    ``translation.override(language)``, so its words and its dates follow that language.
    """
    with translation.override(letter_language(permit, language)):
        html = render_to_string(TEMPLATE, _context(permit))
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    """A self-contained page to PDF: nothing is fetched (``NoFetching``)."""
    pdf: bytes = weasyprint.HTML(string=html, base_url=None, url_fetcher=NoFetching()).write_pdf()
    return pdf


def permit_attach_letter(*, permit: Permit) -> None:
    """Render the letter and store it in ``permit.letter``.

    The file name is random (``letters/<year>/<32 hex>.pdf``), never derived from personal data
    or the reference; the file lives in the private storage and has no public URL.
    """
    pdf = decision_letter_pdf(permit=permit)
    year = timezone.localdate(permit.issued_at or timezone.now()).year
    name = f"letters/{year}/{secrets.token_hex(16)}.pdf"
    # FieldFile.save would prefix upload_to ("letters/%Y/") again; store under this exact name.
    max_length = permit._meta.get_field("letter").max_length
    stored = permit.letter.storage.save(name, ContentFile(pdf), max_length=max_length)
    permit.letter.name = stored
    permit.save(update_fields=["letter"])
