"""The whole journey in a real browser, with every page it visits audited in az, tr and en.

A student signs up, confirms the address from the link in the email the SMTP sink received,
accepts the data-protection notice, fills the profile and every step of the application,
uploads real files and submits. An officer, in a second browser profile, signs in, claims the
application from the queue and asks for a new photo; the student uploads one and answers; the
officer approves; the student downloads the decision letter (a PDF); a member of the public
opens the verification address printed on the letter and sees the permit confirmed.

Every page is screenshotted (``tests/browser/screenshots/``) and checked in Azerbaijani,
Turkish and English: axe-core (WCAG 2.x A and AA), the Nu Html Checker, and no horizontal
scrolling at 375 pixels (see ``audit.py``). Problems of those kinds are collected and reported
together at the end, each check as its own subtest; a broken step of the journey fails at once.

The clock is real (a browser's cookies would expire under a frozen one): every date is
relative to today, on the worked example's pattern (bachelor's, general field).
"""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from applications.models import Application, Status
from permits.models import Permit
from tests.factories import DEMO_PASSWORD, OfficerFactory
from universities.models import University

from .audit import AssetWatch, Auditor
from .conftest import AXE_JS, VNU_JAR

pytestmark = [
    # The live server answers from its own thread: the test's rows must be committed, and the
    # reference data of the migrations restored for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_cache"),
]

EMAIL = "leyla.aliyeva@example.com"
PASSWORD = "Quiet-River-7391"
TWO_FACTOR_PATH = "/accounts/2fa/authenticate/"
CONFIRM_PATH_RE = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
REQUIRED_UPLOADS = {
    "passport_identity_page": "passport.pdf",
    "passport_entry_stamp": "entry-stamp.pdf",
    "photo": "photo.png",
    "student_certificate": "ogrenci-belgesi.pdf",
    "health_insurance": "insurance.pdf",
    "proof_of_address": "address.pdf",
}


# --- small helpers -----------------------------------------------------------------------------


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def fill(page: Page, values: dict[str, str], *, within: str = "main form") -> None:
    """Type each value into the field of that name, as a person would (selects are chosen)."""
    for name, value in values.items():
        field = page.locator(f'{within} [name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def submit(page: Page, form: str, *, expect_path: str | None = None) -> None:
    """Press the form's submit button and wait for the page that answers it."""
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()
    if expect_path is not None:
        problems = page.locator(".error-summary, .alert-danger").all_inner_texts()
        assert path_of(page) == expect_path, f"at {page.url}, not {expect_path}: {problems}"


def flash(page: Page) -> str:
    return " ".join(page.locator(".messages").all_inner_texts())


def officer_with_authenticator() -> tuple[User, str | None]:
    """An officer, with an authenticator app (TOTP) when two-factor sign-in is installed.

    Returns the TOTP secret the app would hold, so the test can compute its codes.
    """
    officer = OfficerFactory()
    if not apps.is_installed("allauth.mfa"):
        return officer, None
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt

    existing = Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).first()
    if existing is not None:  # the factory may already give officers one
        return officer, decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    return officer, secret


def totp_code(secret: str) -> str:
    """The code the authenticator app shows now (allauth accepts only the current period)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:  # too close to the next period: the code could expire on its way
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


FOCUS_VISIBLE = """() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
}"""


def tab_to(page: Page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the field called ``name`` has the focus, checking the focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == name:
            assert page.evaluate(FOCUS_VISIBLE), f"the focus on {name} is not visible"
            return
    raise AssertionError(f"Tab never reached the {name} field")


def english(context, base_url: str) -> None:
    """The language the header's switcher would have set: English, for readable assertions."""
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base_url}])


# --- the journey -------------------------------------------------------------------------------


def test_the_whole_journey_in_a_browser(
    live_server, new_context, smtp_sink, screenshots, settings, make_upload, tmp_path, subtests
):
    base = live_server.url
    settings.PUBLIC_BASE_URL = base  # the letter prints the address the public will open
    html_dir = tmp_path / "pages"
    html_dir.mkdir()
    audit = Auditor(
        base_url=base,
        screenshots=screenshots,
        html_dir=html_dir,
        axe_source=AXE_JS.read_text(encoding="utf-8"),
    )
    files = _real_files(tmp_path, make_upload)
    today = timezone.localdate()
    assets = AssetWatch()

    # The student's phone: 375 px wide, asking for Azerbaijani pages.
    student = new_context(width=375, height=812, locale="az-AZ").new_page()
    assets.watch(student)

    # 1. The home page in Azerbaijani; the header's switcher turns the portal to English.
    student.goto(base + "/")
    expect(student.locator("html")).to_have_attribute("lang", "az")
    student.select_option("#language-select", "en")
    submit(student, "header form[action='/i18n/setlang/']", expect_path="/")
    expect(student.locator("html")).to_have_attribute("lang", "en")
    audit.step(student, "home")

    # 2. Sign up: the account waits for its address to be confirmed.
    student.locator("header").get_by_role("link", name="Create an account").click()
    expect(student).to_have_url(base + "/accounts/signup/")
    audit.step(student, "sign-up")
    fill(student, {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    submit(student, "main form", expect_path="/accounts/confirm-email/")
    audit.step(student, "verification-sent")

    # 3. The link from the email, as the sink received it over SMTP.
    [verification] = smtp_sink.wait_for(1)
    assert verification.rcpt_tos == (EMAIL,)
    confirm_path = CONFIRM_PATH_RE.search(verification.text).group(1)
    student.goto(base + confirm_path)
    audit.step(student, "confirm-email")
    submit(student, "main form", expect_path="/account/privacy/")

    # 4. The data-protection notice comes before any personal data, then the profile.
    expect(student.locator("h1")).to_have_text("How we use your personal data")
    audit.step(student, "privacy-notice")
    submit(student, "main form", expect_path="/account/profile/")
    audit.step(student, "profile")
    fill(
        student,
        {
            "surname": "Əliyeva",
            "given_names": "Leyla Gülnar",
            "date_of_birth": "2004-05-12",
            "phone": "+994501234567",
            "fin": "5ABCD7K",
            "preferred_language": "az",
        },
    )
    submit(student, "main form", expect_path="/dashboard/")

    # 5. The dashboard, then a new application and its task list.
    audit.step(student, "dashboard")
    submit(student, "main form[action='/applications/new/']")
    application = Application.objects.get(applicant__email=EMAIL)
    tasks_path = f"/applications/{application.pk}/tasks/"
    assert path_of(student) == tasks_path
    audit.step(student, "task-list")

    # 6. Every step of the form; what the profile said is already filled in.
    university = University.objects.order_by("name").first()
    steps = {
        "personal": {
            "father_name": "Rəşid",
            "mother_name": "Səbinə",
            "sex": "F",
            "place_of_birth": "Bakı",
            "marital_status": "single",
        },
        "passport": {
            "passport_number": "C12345678",
            "passport_issue_date": (today - timedelta(days=700)).isoformat(),
            "passport_expiry_date": (today + timedelta(days=3650)).isoformat(),
            "passport_issuing_authority": "DMX",
            "entry_date": (today - timedelta(days=20)).isoformat(),
        },
        "study": {
            "university": str(university.pk),
            "faculty": "Mühəndislik fakültəsi",
            "department": "Kompüter mühəndisliyi",
            "student_number": "202400123",
            "level": "bachelor",
            "field": "general",
            "programme_start": (today - timedelta(days=30)).isoformat(),
        },
        "address": {
            "province": str(university.province_id),
            "district": "Çankaya",
            "neighbourhood": "Kızılay",
            "address_line": "Atatürk Bulvarı 12, daire 4",
            "postal_code": "06420",
        },
    }
    student.get_by_role("link", name="Personal details").click()
    for slug, values in steps.items():
        assert path_of(student) == f"/applications/{application.pk}/section/{slug}/"
        if slug == "personal":
            expect(student.locator("[name=surname]")).to_have_value("Əliyeva")
            expect(student.locator("[name=fin]")).to_have_value("5ABCD7K")
        audit.step(student, f"step-{slug}")
        fill(student, values)
        submit(student, "main form")
        assert "Saved." in flash(student)

    # 7. Documents: real files through the file input, one kind after another.
    documents_path = f"/applications/{application.pk}/documents/"
    assert path_of(student) == documents_path
    audit.step(student, "documents-empty")
    for kind, name in REQUIRED_UPLOADS.items():
        student.select_option("main select[name=kind]", kind)
        student.set_input_files("main input[name=file]", files[name])
        submit(student, "main form[enctype='multipart/form-data']", expect_path=documents_path)
        assert "The document was uploaded." in flash(student)
    expect(student.locator("main table tbody tr")).to_have_count(len(REQUIRED_UPLOADS))
    expect(student.locator("main ul").first).not_to_contain_text("missing")
    audit.step(student, "documents-complete")

    # 8. Review, declaration, submit.
    student.get_by_role("link", name="Continue to review").click()
    expect(student.locator("#result-title")).to_contain_text("Yes: you can get one permit")
    audit.step(student, "review")
    student.check("main [name=declaration]")
    detail_path = f"/applications/{application.pk}/"
    submit(student, "main form", expect_path=detail_path)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert f"Your reference number is {application.reference}" in flash(student)
    audit.step(student, "submitted")

    # 9. An officer, in a browser of their own, signs in (password, then the code from the
    #    authenticator app when two-factor sign-in is on) and lands on the queue.
    officer, totp_secret = officer_with_authenticator()
    office = new_context(width=1280, height=900)
    english(office, base)
    desk = office.new_page()
    assets.watch(desk)
    desk.goto(base + "/accounts/login/")
    audit.step(desk, "officer-sign-in")
    # With the keyboard alone: the skip link comes first, then the fields; Enter submits.
    desk.keyboard.press("Tab")
    assert desk.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    assert desk.evaluate(FOCUS_VISIBLE), "the skip link's focus is not visible"
    tab_to(desk, "login")
    desk.keyboard.type(officer.email)
    tab_to(desk, "password")
    desk.keyboard.type(DEMO_PASSWORD)
    with desk.expect_navigation():
        desk.keyboard.press("Enter")
    if path_of(desk) == TWO_FACTOR_PATH:
        assert totp_secret, "two-factor sign-in asked for a code, but allauth.mfa is off"
        audit.step(desk, "officer-two-factor")
        tab_to(desk, "code")
        desk.keyboard.type(totp_code(totp_secret))
        with desk.expect_navigation():
            desk.keyboard.press("Enter")
    assert path_of(desk) == "/officers/", flash(desk)
    expect(desk.locator("main table")).to_contain_text(application.reference)
    audit.step(desk, "officer-queue")

    # 10. Claiming starts the review; the officer asks for a new photo.
    review_path = f"/officers/applications/{application.pk}/"
    submit(desk, "main form[action='/officers/claim-next/']", expect_path=review_path)
    assert f"{application.reference} is now yours." in flash(desk)
    audit.step(desk, "officer-review")
    request_form = f"main form[action='{review_path}request-info/']"
    desk.check(f"{request_form} input[name=document_kinds][value=photo]")
    fill(
        desk,
        {"message": "Your photo has a dark background. Please upload one on a white background."},
        within=request_form,
    )
    submit(desk, request_form, expect_path=review_path)
    expect(desk.locator("#waiting-title")).to_be_visible()
    audit.step(desk, "officer-information-requested")

    # 11. The student sees the request, replaces the photo and answers.
    student.goto(base + detail_path)
    expect(student.locator("#request-title")).to_be_visible()
    expect(student.locator("main")).to_contain_text("Please upload one on a white background.")
    audit.step(student, "information-requested")
    request_section = "main section[aria-labelledby=request-title]"
    upload_form = f"{request_section} form[enctype='multipart/form-data']"
    student.select_option(f"{upload_form} select[name=kind]", "photo")
    student.set_input_files(f"{upload_form} input[name=file]", files["new-photo.jpg"])
    submit(student, upload_form, expect_path=detail_path)
    assert "The document was uploaded." in flash(student)
    respond_form = f"main form[action='/applications/{application.pk}/respond/']"
    fill(student, {"response": "Here is the new photo, on white."}, within=respond_form)
    submit(student, respond_form, expect_path=detail_path)
    assert "Your answer was sent." in flash(student)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    photos = application.documents.filter(kind="photo")
    assert [(d.content_type, d.is_current) for d in photos.order_by("uploaded_at")] == [
        ("image/png", False),  # the replaced one is kept as evidence
        ("image/jpeg", True),
    ]
    audit.step(student, "answered")

    # 12. The officer sees the answer and approves with the proposed dates.
    desk.goto(base + review_path)
    audit.step(desk, "officer-review-answered")
    submit(desk, f"main form[action='{review_path}approve/']", expect_path=review_path)
    permit = Permit.objects.get(application=application)
    assert f"Permit {permit.number} issued." in flash(desk)
    audit.step(desk, "officer-approved")

    # 13. The student downloads the decision letter: a PDF carrying the verification address.
    student.goto(base + detail_path)
    expect(student.locator("#permit-title")).to_be_visible()
    expect(student.locator("main")).to_contain_text(permit.verification_code)
    audit.step(student, "approved")
    with student.expect_download() as download_info:
        student.locator(f"main a[href='/applications/{application.pk}/letter/']").click()
    download = download_info.value
    assert download.suggested_filename == f"{permit.number}.pdf"
    letter = Path(download.path()).read_bytes()
    assert letter.startswith(b"%PDF-")
    (screenshots / "decision-letter.pdf").write_bytes(letter)
    # The address is printed as text (it may wrap): compare without the white space.
    printed = "".join(
        "".join(sheet.extract_text().split()) for sheet in PdfReader(io.BytesIO(letter)).pages
    )
    verify_url = f"{base}/verify/{permit.verification_code}/"
    assert verify_url in printed

    # The dashboard lists the permit; its extension page says when the window opens.
    student.goto(base + "/dashboard/")
    expect(student.locator("main")).to_contain_text(permit.number)
    audit.step(student, "dashboard-with-permit")
    student.goto(f"{base}/permits/{permit.pk}/extend/")
    expect(student.locator("main")).to_contain_text("An extension can be applied for from")
    audit.step(student, "extension-not-yet-open")

    # 14. Anyone holding the letter opens that address and sees the permit confirmed.
    public = new_context(width=375, height=812)
    english(public, base)
    visitor = public.new_page()
    assets.watch(visitor)
    visitor.goto(verify_url)
    expect(visitor.locator("#verify-result")).to_have_attribute("data-state", "valid")
    expect(visitor.locator("#verify-result")).to_contain_text(
        "This student residence permit is valid today."
    )
    expect(visitor.locator("main")).not_to_contain_text(permit.number)
    audit.step(visitor, "public-verification")

    # The notices went out by email too (the outbox, sent eagerly here, to the SMTP sink).
    smtp_sink.wait_for(2)
    assert any(
        application.reference in received.subject and received.rcpt_tos == (EMAIL,)
        for received in smtp_sink.messages
    )

    # --- the audits, each reported on its own ---------------------------------------------------
    assert audit.pages_checked == 3 * len(audit.steps)
    report = {
        "axe-core: no WCAG 2.x A/AA violations": [str(finding) for finding in audit.axe],
        "Nu Html Checker: no errors": audit.vnu_errors(VNU_JAR),
        "375 px: no horizontal scrolling": [str(finding) for finding in audit.overflow],
        "every stylesheet, image and script loads; no console errors": assets.broken,
    }
    audit.write_report(report)
    for check, problems in report.items():
        with subtests.test(msg=check):
            assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def _real_files(folder: Path, make_upload) -> dict[str, Path]:
    """Small real PDFs, PNGs and JPEGs on disk, for the browser's file input."""
    names = [*REQUIRED_UPLOADS.values(), "new-photo.jpg"]
    files = {}
    for name in names:
        path = folder / name
        path.write_bytes(make_upload(name).read())
        files[name] = path
    return files
