"""Uploads beyond the single file: active PDFs, the per-application size cap, safe serving.

Every PDF here is built with pypdf in the test, the way a hostile or careless tool would write
it, so the table shows exactly which constructs are refused and which harmless ones pass.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from applications import services
from applications.models import Status
from documents import pdf as documents
from documents.validation import UploadRejected, validate_upload
from tests.factories import ApplicationFactory, DocumentFactory

# --- PDFs made here --------------------------------------------------------------------------


def name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries) -> DictionaryObject:
    result = DictionaryObject({name("/Type"): name("/Action"), name("/S"): name(kind)})
    for key, value in entries.items():
        result[name(f"/{key}")] = value
    return result


def link(target: DictionaryObject) -> DictionaryObject:
    return DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/Link"),
            name("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 200, 40)]),
            name("/A"): target,
        }
    )


def pdf(build: Callable[[PdfWriter], None] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    if build is not None:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def document_javascript(writer: PdfWriter) -> None:
    # The document-level JavaScript name tree, run when the file is opened.
    writer.add_open_action(JavaScript("app.alert('opened');"))


def open_action_launch(writer: PdfWriter) -> None:
    writer.root_object[name("/OpenAction")] = writer._add_object(
        action("/Launch", F=TextStringObject("C:\\Windows\\System32\\calc.exe"))
    )


def open_action_javascript(writer: PdfWriter) -> None:
    writer.root_object[name("/OpenAction")] = action(
        "/JavaScript", JS=TextStringObject("app.alert(1)")
    )


def page_open_javascript(writer: PdfWriter) -> None:
    writer.pages[1].add_action(PageTrigger.OPEN, JavaScript("app.alert('page two');"))


def document_additional_action_launch(writer: PdfWriter) -> None:
    # /AA of the catalog: "will close" runs a program.
    writer.root_object[name("/AA")] = DictionaryObject(
        {name("/WC"): action("/Launch", F=TextStringObject("cmd.exe"))}
    )


def link_launch(writer: PdfWriter) -> None:
    writer.add_annotation(0, link(action("/Launch", F=TextStringObject("run.exe"))))


def link_javascript_in_next_chain(writer: PdfWriter) -> None:
    # A harmless go-to whose /Next runs a script.
    harmless = action(
        "/GoTo",
        D=ArrayObject([writer.pages[1].indirect_reference, name("/Fit")]),
        Next=ArrayObject([action("/JavaScript", JS=TextStringObject("app.alert(2)"))]),
    )
    writer.add_annotation(0, link(harmless))


def link_to_a_local_file(writer: PdfWriter) -> None:
    writer.add_annotation(0, link(action("/URI", URI=TextStringObject("file:///etc/passwd"))))


def link_to_a_network_share(writer: PdfWriter) -> None:
    writer.add_annotation(0, link(action("/URI", URI=TextStringObject("\\\\evil\\share\\x"))))


def outline_javascript(writer: PdfWriter) -> None:
    item = writer.add_outline_item(title="Chapter 1", page_number=0)
    item.get_object()[name("/A")] = action("/JavaScript", JS=TextStringObject("app.alert(3)"))


def submit_form(writer: PdfWriter) -> None:
    writer.add_annotation(
        0, link(action("/SubmitForm", F=TextStringObject("https://example.com/steal")))
    )


def xfa_form(writer: PdfWriter) -> None:
    writer.root_object[name("/AcroForm")] = DictionaryObject(
        {name("/Fields"): ArrayObject(), name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )


def attachment(writer: PdfWriter) -> None:
    writer.add_attachment("invoice.exe", b"MZ\x90\x00not really a program")


def file_attachment_annotation(writer: PdfWriter) -> None:
    embedded = writer._add_object(
        DictionaryObject({name("/Type"): name("/EmbeddedFile"), name("/Length"): FloatObject(0)})
    )
    filespec = DictionaryObject(
        {
            name("/Type"): name("/Filespec"),
            name("/F"): TextStringObject("notes.txt"),
            name("/EF"): DictionaryObject({name("/F"): embedded}),
        }
    )
    writer.add_annotation(
        1,
        DictionaryObject(
            {
                name("/Type"): name("/Annot"),
                name("/Subtype"): name("/FileAttachment"),
                name("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 30, 30)]),
                name("/FS"): filespec,
            }
        ),
    )


ACTIVE = [
    pytest.param(document_javascript, id="javascript-name-tree"),
    pytest.param(open_action_launch, id="open-action-launch"),
    pytest.param(open_action_javascript, id="open-action-javascript"),
    pytest.param(page_open_javascript, id="page-aa-javascript"),
    pytest.param(document_additional_action_launch, id="catalog-aa-launch"),
    pytest.param(link_launch, id="link-launch"),
    pytest.param(link_javascript_in_next_chain, id="next-chain-javascript"),
    pytest.param(link_to_a_local_file, id="uri-file-scheme"),
    pytest.param(link_to_a_network_share, id="uri-unc-path"),
    pytest.param(outline_javascript, id="outline-javascript"),
    pytest.param(submit_form, id="submit-form"),
    pytest.param(xfa_form, id="xfa-form"),
]
EMBEDDED = [
    pytest.param(attachment, id="embedded-files-name-tree"),
    pytest.param(file_attachment_annotation, id="file-attachment-annotation"),
]


def web_link(writer: PdfWriter) -> None:
    writer.add_annotation(0, link(action("/URI", URI=TextStringObject("https://www.yok.gov.tr/"))))


def open_at_page_two(writer: PdfWriter) -> None:
    writer.open_destination = writer.pages[1]


def outline_go_to(writer: PdfWriter) -> None:
    writer.add_outline_item(title="Page 2", page_number=1)


def looping_next_chain(writer: PdfWriter) -> None:
    first = action("/GoTo", D=ArrayObject([writer.pages[0].indirect_reference, name("/Fit")]))
    second = action("/Named", N=name("/NextPage"))
    first_ref, second_ref = writer._add_object(first), writer._add_object(second)
    first[name("/Next")] = second_ref
    second[name("/Next")] = first_ref  # a cycle: the walk must end all the same
    writer.add_annotation(0, link(first_ref.get_object()))


HARMLESS = [
    pytest.param(None, id="plain"),
    pytest.param(web_link, id="https-link"),
    pytest.param(open_at_page_two, id="open-at-page-two"),
    pytest.param(outline_go_to, id="outline-go-to"),
    pytest.param(looping_next_chain, id="looping-next-chain"),
]


def upload(content: bytes, filename: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(filename, content, content_type="application/pdf")


def rejected(content: bytes) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        validate_upload(upload(content))
    return info.value


# --- active content and embedded files -------------------------------------------------------


@pytest.mark.parametrize("build", ACTIVE)
def test_pdfs_with_active_content_are_refused(build):
    assert rejected(pdf(build)).code == "pdf_active_content"


@pytest.mark.parametrize("build", EMBEDDED)
def test_pdfs_with_embedded_files_are_refused(build):
    assert rejected(pdf(build)).code == "pdf_embedded_files"


@pytest.mark.parametrize("build", [*ACTIVE, *EMBEDDED])
def test_the_object_walk_alone_finds_them(build, monkeypatch):
    """The raw-bytes search is only a second line: the structure is what is checked."""
    monkeypatch.setattr(documents, "_raw_pdf_finding", lambda data: None)

    assert rejected(pdf(build)).code in {"pdf_active_content", "pdf_embedded_files"}


@pytest.mark.parametrize(
    "build", [document_javascript, open_action_launch, page_open_javascript, link_launch]
)
def test_the_raw_bytes_search_alone_finds_scripts_and_launches(build, monkeypatch):
    monkeypatch.setattr(documents, "_inspect_pdf_objects", lambda reader: None)

    assert rejected(pdf(build)).code == "pdf_active_content"


@pytest.mark.parametrize("build", HARMLESS)
def test_harmless_pdfs_are_stored_as_uploaded(build):
    content = pdf(build)

    clean = validate_upload(upload(content))

    assert clean.content == content
    assert clean.content_type == "application/pdf"


def test_the_messages_say_what_to_do():
    with translation.override("en"):
        active = rejected(pdf(open_action_launch)).message
        embedded = rejected(pdf(attachment)).message
    assert "JavaScript" in active
    assert "Print to PDF" in active
    assert "attached" in embedded
    assert active != embedded


def test_a_pdf_with_too_many_objects_is_refused_without_a_long_walk(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PDF_CONTAINERS", 5)

    assert rejected(pdf(outline_go_to)).code == "pdf_unreadable"


# --- the size of a whole application ---------------------------------------------------------


def stored_files(settings) -> list[str]:
    root = settings.PRIVATE_MEDIA_ROOT
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


@pytest.fixture
def draft(db):
    application = ApplicationFactory()
    DocumentFactory(application=application, kind="photo")
    DocumentFactory(application=application, kind="student_certificate")
    return application


def current_bytes(application) -> int:
    return sum(d.size for d in application.documents.filter(is_current=True))


@pytest.mark.django_db
def test_a_file_over_the_application_cap_is_refused_and_nothing_is_stored(
    draft, settings, make_upload
):
    new = make_upload("passport.pdf")
    size = new.size
    settings.APPLICATION_MAX_BYTES = current_bytes(draft) + size - 1
    files_before, version_before = stored_files(settings), draft.version

    with pytest.raises(UploadRejected) as info:
        services.document_upload(
            application_id=draft.pk,
            actor=draft.applicant,
            kind="passport_identity_page",
            uploaded=new,
        )

    assert info.value.code == "application_too_large"
    assert not draft.documents.filter(kind="passport_identity_page").exists()
    assert stored_files(settings) == files_before
    draft.refresh_from_db()
    assert draft.version == version_before


@pytest.mark.django_db
def test_a_file_up_to_the_cap_is_accepted(draft, settings, make_upload):
    new = make_upload("passport.pdf")
    settings.APPLICATION_MAX_BYTES = current_bytes(draft) + new.size

    services.document_upload(
        application_id=draft.pk, actor=draft.applicant, kind="passport_identity_page", uploaded=new
    )

    assert current_bytes(draft) == settings.APPLICATION_MAX_BYTES


@pytest.mark.django_db
def test_the_file_being_replaced_does_not_count(draft, settings, make_upload):
    """At the cap, a photo can still be replaced: the old one no longer counts."""
    photo = draft.documents.get(kind="photo")
    replacement_size = validate_upload(make_upload("p.png")).size
    settings.APPLICATION_MAX_BYTES = current_bytes(draft) - photo.size + replacement_size

    services.document_upload(
        application_id=draft.pk, actor=draft.applicant, kind="photo", uploaded=make_upload("p.png")
    )

    assert draft.documents.filter(kind="photo").count() == 1
    with pytest.raises(UploadRejected):
        services.document_upload(
            application_id=draft.pk,
            actor=draft.applicant,
            kind="other",
            uploaded=make_upload("extra.png"),
        )


@pytest.mark.django_db
def test_the_student_sees_the_cap_in_the_form(draft, settings, client_for, make_upload):
    settings.APPLICATION_MAX_BYTES = current_bytes(draft)
    url = reverse("application-documents", args=[draft.pk])

    response = client_for(draft.applicant).post(
        url, {"kind": "other", "file": make_upload("letter.pdf")}
    )

    assert response.status_code == 400
    assert "over its limit of" in response.content.decode()
    assert not draft.documents.filter(kind="other").exists()


@pytest.mark.django_db
def test_a_renewed_passport_over_the_cap_changes_nothing(application_in, settings, make_upload):
    application = application_in(Status.SUBMITTED, passport_number="C11111111")
    settings.APPLICATION_MAX_BYTES = current_bytes(application)
    identity_page = make_upload("new-passport.pdf")

    with pytest.raises(UploadRejected):
        services.application_passport_update(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=application.version,
            passport_number="C22222222",
            issue_date=timezone.localdate().replace(year=2024),
            expiry_date=timezone.localdate().replace(year=2034),
            identity_page=identity_page,
        )

    application.refresh_from_db()
    assert application.passport_number == "C11111111"
    assert not application.events.filter(kind="passport_updated").exists()


# --- serving ---------------------------------------------------------------------------------


@pytest.fixture
def submitted_with_files(application_in):
    application = application_in(Status.SUBMITTED)
    pdf_document = DocumentFactory(
        application=application,
        kind="other",
        content=pdf(),
        content_type="application/pdf",
        original_name="letter.pdf",
    )
    image = application.documents.get(kind="photo", is_current=True)
    return application, image, pdf_document


def assert_download(response, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?inline=1"])
def test_students_always_download(submitted_with_files, client_for, query):
    application, image, pdf_document = submitted_with_files
    client = client_for(application.applicant)

    for document in (image, pdf_document):
        response = client.get(reverse("document-file", args=[document.pk]) + query)
        assert_download(response, document.original_name)


@pytest.mark.django_db
def test_officers_see_images_inline_and_download_pdfs(submitted_with_files, officer, client_for):
    _application, image, pdf_document = submitted_with_files
    client = client_for(officer)

    shown = client.get(reverse("document-file", args=[image.pk]) + "?inline=1")
    downloaded = client.get(reverse("document-file", args=[image.pk]))
    pdf_asked_inline = client.get(reverse("document-file", args=[pdf_document.pk]) + "?inline=1")

    assert shown["Content-Disposition"].startswith("inline;")
    assert shown["Content-Type"] == "image/png"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in shown["Cache-Control"]
    assert_download(downloaded, image.original_name)
    assert_download(pdf_asked_inline, pdf_document.original_name)
    assert pdf_asked_inline["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_the_review_page_embeds_no_pdf(submitted_with_files, officer, client_for):
    application, image, pdf_document = submitted_with_files

    html = client_for(officer).get(reverse("officer-review", args=[application.pk])).content
    html = html.decode()

    assert f"{reverse('document-file', args=[image.pk])}?inline=1" in html
    assert f"{reverse('document-file', args=[pdf_document.pk])}?inline=1" not in html
    assert "<object" not in html
    assert "<iframe" not in html


@pytest.mark.django_db
def test_the_decision_letter_is_a_download(application_in, client_for):
    application = application_in(Status.APPROVED)

    response = client_for(application.applicant).get(
        reverse("permit-letter", args=[application.pk])
    )

    assert_download(response, f"{application.permit.number}.pdf")
    assert response["Content-Type"] == "application/pdf"
