"""The decision letter PDF of an approved permit: content, language, storage."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
import time_machine
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from applications import decisions, workflow
from applications.models import Application
from permits.letters import (
    TEMPLATE,
    NoFetching,
    _context,
    decision_letter_pdf,
    permit_attach_letter,
    verification_url,
)
from permits.models import Permit
from tests.factories import ApplicationFactory, OfficerFactory, attach_required_documents

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
TODAY = date(2024, 10, 1)


@pytest.fixture(autouse=True)
def _today():
    """The worked example's decision date (RULES.md), mid-morning in Türkiye."""
    with time_machine.travel(datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL), tick=False):
        yield


def _fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def approved_permit(**fields) -> Permit:
    """Submit, review and approve a complete draft through the workflow services."""
    fields.setdefault("declaration_accepted_at", timezone.now())
    application = ApplicationFactory(**fields)
    attach_required_documents(application, on=TODAY)
    officer = OfficerFactory()
    workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=_fresh(application).version,
    )
    decisions.application_start_review(
        application_id=application.pk, actor=officer, expected_version=_fresh(application).version
    )
    application = _fresh(application)
    valid_from, valid_to = decisions.permit_bounds(application, on=TODAY)
    return decisions.application_approve(
        application_id=application.pk,
        actor=officer,
        expected_version=application.version,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_letter_is_a_one_page_pdf_with_the_permit_facts():
    permit = approved_permit(surname="Məmmədova", given_names="Gülşən Aygün")
    application = permit.application

    pdf = decision_letter_pdf(permit=permit, language="en")

    assert pdf.startswith(b"%PDF-")
    reader, text = pdf_text(pdf)
    assert len(reader.pages) == 1
    assert permit.number in text
    assert application.reference in text
    assert permit.verification_code in text
    assert application.passport_number in text
    assert application.fin in text
    # Azerbaijani and Turkish letters survive the font and the text layer.
    assert "Gülşən Aygün Məmmədova" in text
    assert "/verify/" in text


def test_letter_has_a_title_in_its_metadata_and_no_personal_data_there():
    permit = approved_permit()

    reader, _text = pdf_text(decision_letter_pdf(permit=permit, language="en"))

    title = reader.metadata.title
    assert title
    assert permit.application.reference in title
    assert permit.application.surname not in title


def test_letter_follows_the_applicants_preferred_language():
    # permit_bounds on the worked example: 2024-10-01 … 2028-09-15 (September, "Eylül").
    permit = approved_permit()
    assert permit.valid_to.month == 9
    applicant = permit.application.applicant

    applicant.preferred_language = "tr"
    applicant.save(update_fields=["preferred_language"])
    _reader, turkish = pdf_text(decision_letter_pdf(permit=Permit.objects.get(pk=permit.pk)))

    applicant.preferred_language = "en"
    applicant.save(update_fields=["preferred_language"])
    _reader, english = pdf_text(decision_letter_pdf(permit=Permit.objects.get(pk=permit.pk)))

    # Django's own locales: Turkish DATE_FORMAT "d F Y", English "N j, Y" (AP style "Sept.").
    assert "Eylül 2028" in turkish
    assert "Sept." not in turkish
    assert "15 Sep 2028" in english
    assert "Eylül" not in english


def test_explicit_language_overrides_the_preference():
    permit = approved_permit()
    assert permit.application.applicant.preferred_language == "az"

    _reader, turkish = pdf_text(decision_letter_pdf(permit=permit, language="tr"))

    assert "Eylül" in turkish


def test_attached_letter_has_a_random_name_and_is_a_pdf(tmp_path):
    permit = approved_permit()
    application = permit.application

    permit_attach_letter(permit=permit)

    permit = Permit.objects.get(pk=permit.pk)
    name = permit.letter.name
    assert name.startswith("letters/2024/")
    assert name.endswith(".pdf")
    for personal in (
        application.reference,
        application.fin,
        application.surname,
        application.given_names,
        application.passport_number,
        permit.number,
    ):
        assert personal.lower() not in name.lower()
    with permit.letter.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_attached_letter_is_written_to_private_storage_not_the_project(tmp_path):
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert private_root.is_relative_to(tmp_path)
    permit = approved_permit()

    permit_attach_letter(permit=permit)

    permit = Permit.objects.get(pk=permit.pk)
    path = Path(permit.letter.path)
    assert path.is_relative_to(private_root)
    assert not path.is_relative_to(settings.BASE_DIR)
    assert path.read_bytes().startswith(b"%PDF-")


def test_two_letters_never_share_a_name():
    permit = approved_permit()

    permit_attach_letter(permit=permit)
    first = Permit.objects.get(pk=permit.pk).letter.name
    permit_attach_letter(permit=permit)
    second = Permit.objects.get(pk=permit.pk).letter.name

    assert first != second


def test_letter_html_references_no_external_resource(settings):
    settings.PUBLIC_BASE_URL = "https://permits.example.org"
    permit = approved_permit()
    html = render_to_string(TEMPLATE, _context(permit))

    # The verification addresses are printed as text; nothing else names a URL.
    printed = (verification_url(permit), "https://permits.example.org/verify/")
    for address in printed:
        assert address in html
        html = html.replace(address, "")
    html = html.lower()
    for reference in (
        "url(",
        "http:",
        "https:",
        "src=",
        "href=",
        "@import",
        "@font-face",
        "<a ",
        "<img",
        "<image",
        "<use",
    ):
        assert reference not in html


def test_verification_url_uses_the_public_base_url(settings):
    permit = approved_permit()
    code = permit.verification_code

    settings.PUBLIC_BASE_URL = "https://permits.example.org/"
    assert verification_url(permit) == f"https://permits.example.org/verify/{code}/"

    del settings.PUBLIC_BASE_URL
    assert verification_url(permit) == f"http://127.0.0.1:8000/verify/{code}/"


def test_letter_html_has_an_inline_svg_qr_code_of_the_verification_url(settings):
    settings.PUBLIC_BASE_URL = "https://permits.example.org"
    permit = approved_permit()
    url = f"https://permits.example.org/verify/{permit.verification_code}/"

    html = render_to_string(TEMPLATE, _context(permit))

    assert html.count("<svg") == 1
    assert url in html
    # The drawn modules are those of a QR code of exactly that URL.
    expected = segno.make_qr(url, error="m").svg_inline(
        omitsize=True, svgclass="qr", lineclass=None
    )
    assert expected in html


def test_letter_pdf_prints_the_verification_link_and_stays_one_page(settings):
    settings.PUBLIC_BASE_URL = "https://ogrenci-ikamet.example.gov.tr"
    permit = approved_permit()

    for language in ("en", "az", "tr"):
        reader, text = pdf_text(decision_letter_pdf(permit=permit, language=language))

        assert len(reader.pages) == 1, language
        assert f"/verify/{permit.verification_code}/" in text, language
        assert verification_url(permit) in text, language


def test_letter_renderer_refuses_to_fetch_anything():
    with pytest.raises(weasyprint.urls.FatalURLFetchingError):
        weasyprint.HTML(
            string='<img src="https://example.com/x.png">', base_url=None, url_fetcher=NoFetching()
        ).write_pdf()
