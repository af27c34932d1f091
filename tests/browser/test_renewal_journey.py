"""The second path, in a real browser: a permit cut short by the passport, renewed.

A student whose permit ends within the extension window (it was cut short by the passport)
reports the renewed passport; an officer accepts the report; the student, told that the
permit can now be extended for the rest of the programme, submits an extension and downloads
its receipt; the officer approves; the student downloads the new decision letter.

Every page is audited in az, tr and en, as in ``test_journey.py`` (axe-core, the Nu Html
Checker, no horizontal scrolling at 375 px); the student's pages are used at 375 px.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from applications.models import Application, Kind, Status
from permits.models import Permit
from reports.models import Report, ReportStatus
from tests.factories import DEMO_PASSWORD

from .audit import AssetWatch, Auditor
from .conftest import AXE_JS, VNU_JAR
from .test_journey import (
    TWO_FACTOR_PATH,
    english,
    fill,
    flash,
    officer_with_authenticator,
    path_of,
    submit,
    totp_code,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_cache"),
]

EXTENSION_UPLOADS = {
    "passport_identity_page": "new-passport.pdf",
    "photo": "photo.png",
    "student_certificate": "ogrenci-belgesi.pdf",
    "health_insurance": "insurance.pdf",
}


def sign_in(page: Page, base: str, email: str, secret: str | None = None) -> None:
    page.goto(base + "/accounts/login/")
    fill(page, {"login": email, "password": DEMO_PASSWORD})
    submit(page, "main form")
    if path_of(page) == TWO_FACTOR_PATH:
        assert secret, "two-factor sign-in asked for a code, but no authenticator is set up"
        fill(page, {"code": totp_code(secret)})
        submit(page, "main form")


def test_the_renewal_journey_in_a_browser(
    live_server,
    new_context,
    smtp_sink,
    screenshots,
    settings,
    make_upload,
    tmp_path,
    subtests,
    application_in,
):
    base = live_server.url
    settings.PUBLIC_BASE_URL = base
    html_dir = tmp_path / "pages"
    html_dir.mkdir()
    shots = screenshots / "renewal"
    shots.mkdir(exist_ok=True)
    audit = Auditor(
        base_url=base,
        screenshots=shots,
        html_dir=html_dir,
        axe_source=AXE_JS.read_text(encoding="utf-8"),
    )
    assets = AssetWatch()
    today = timezone.localdate()
    files = {}
    for name in EXTENSION_UPLOADS.values():
        path = tmp_path / name
        path.write_bytes(make_upload(name).read())
        files[name] = path

    # A permit granted today, cut short by a passport expiring in 90 days: it ends in 30 days,
    # inside the extension window, though the programme runs for two more years.
    first = application_in(Status.APPROVED, passport_expiry_date=today + timedelta(days=90))
    permit = first.permit
    assert permit.valid_to == today + timedelta(days=30)
    email = first.applicant.email

    student = new_context(width=375, height=812, locale="az-AZ").new_page()
    english(student.context, base)
    assets.watch(student)
    sign_in(student, base, email)
    assert path_of(student) == "/dashboard/", flash(student)
    expect(student.locator("main")).to_contain_text(permit.number)
    audit.step(student, "renewal-dashboard")

    # 1. The student reports the renewed passport, with its identity page.
    student.get_by_role("link", name="Report a change").first.click()
    assert path_of(student) == f"/permits/{permit.pk}/report/"
    audit.step(student, "report-choose")
    # Every kind of report has its form; each is audited, the passport one is sent.
    for kind in ("address", "study", "end_of_studies"):
        student.goto(f"{base}/permits/{permit.pk}/report/{kind}/")
        audit.step(student, f"report-{kind}")
    student.goto(f"{base}/permits/{permit.pk}/report/")
    student.get_by_role("link", name="Renewed passport").click()
    assert path_of(student) == f"/permits/{permit.pk}/report/passport/"
    audit.step(student, "report-passport")
    fill(
        student,
        {
            # The permit was granted today; the new passport arrives the same day.
            "changed_on": today.isoformat(),
            "new_passport_number": "C98765432",
            "issue_date": (today - timedelta(days=5)).isoformat(),
            "expiry_date": (today + timedelta(days=3650)).isoformat(),
        },
    )
    student.set_input_files("main input[name=identity_page]", files["new-passport.pdf"])
    submit(student, "main form")
    report = Report.objects.filter(permit=permit).first()
    assert report is not None, student.locator("main").inner_text()
    assert path_of(student) == f"/reports/{report.pk}/", flash(student)
    assert f"Your report {report.reference} was sent." in flash(student)
    audit.step(student, "report-sent")

    # 2. An officer finds it in the reports' tab, compares it with the record and accepts it.
    officer, secret = officer_with_authenticator()
    office = new_context(width=1280, height=900)
    english(office, base)
    desk = office.new_page()
    assets.watch(desk)
    sign_in(desk, base, officer.email, secret)
    desk.goto(base + "/officers/?kind=report")
    expect(desk.locator("main table")).to_contain_text(report.reference)
    audit.step(desk, "officer-reports-queue")
    desk.get_by_role("link", name=report.reference).click()
    review_path = f"/officers/reports/{report.pk}/"
    assert path_of(desk) == review_path
    expect(desk.locator("main")).to_contain_text("C98765432")
    audit.step(desk, "officer-report-review")
    submit(desk, f"main form[action='{review_path}start/']", expect_path=review_path)
    audit.step(desk, "officer-report-under-review")
    submit(desk, f"main form[action='{review_path}accept/']", expect_path=review_path)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    first.refresh_from_db()
    assert first.passport_number == "C98765432"
    audit.step(desk, "officer-report-accepted")

    # 3. The student is told that the permit can be extended, and submits the extension.
    student.goto(base + f"/reports/{report.pk}/")
    expect(student.locator("main")).to_contain_text("Accepted")
    audit.step(student, "report-accepted")
    student.get_by_role("link", name="Apply for an extension").first.click()
    assert path_of(student) == f"/permits/{permit.pk}/extend/"
    audit.step(student, "extension-open")
    submit(student, "main form")
    extension = Application.objects.get(kind=Kind.EXTENSION, extends=permit)
    assert extension.passport_number == "C98765432"  # prefilled from the record
    documents_path = f"/applications/{extension.pk}/documents/"
    student.goto(base + documents_path)
    for kind, name in EXTENSION_UPLOADS.items():
        student.select_option("main select[name=kind]", kind)
        student.set_input_files("main input[name=file]", files[name])
        submit(student, "main form[enctype='multipart/form-data']", expect_path=documents_path)
    audit.step(student, "extension-documents")
    student.get_by_role("link", name="Continue to review").click()
    audit.step(student, "extension-review")
    student.check("main [name=declaration]")
    detail_path = f"/applications/{extension.pk}/"
    submit(student, "main form", expect_path=detail_path)
    extension.refresh_from_db()
    assert extension.status == Status.SUBMITTED
    audit.step(student, "extension-submitted")
    with student.expect_download() as receipt_info:
        student.locator(f"main a[href='/applications/{extension.pk}/receipt/']").click()
    receipt = Path(receipt_info.value.path()).read_bytes()
    assert receipt.startswith(b"%PDF-")
    assert extension.reference in "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(receipt)).pages
    )

    # 4. The officer approves the extension; the student downloads the new letter.
    extension_review = f"/officers/applications/{extension.pk}/"
    desk.goto(base + extension_review)
    submit(desk, f"main form[action='{extension_review}start/']", expect_path=extension_review)
    submit(desk, f"main form[action='{extension_review}approve/']", expect_path=extension_review)
    new_permit = Permit.objects.get(extends=permit)
    assert new_permit.valid_from == permit.valid_to + timedelta(days=1)
    audit.step(desk, "officer-extension-approved")
    student.goto(base + detail_path)
    audit.step(student, "extension-approved")
    with student.expect_download() as letter_info:
        student.locator(f"main a[href='/applications/{extension.pk}/letter/']").click()
    assert letter_info.value.suggested_filename == f"{new_permit.number}.pdf"
    assert Path(letter_info.value.path()).read_bytes().startswith(b"%PDF-")

    # 5. Later the new permit is cancelled (LFIP Art. 40): the holder sees why, with the letter,
    #    and /verify/ says so.
    cancel_path = f"/officers/permits/{new_permit.pk}/cancel/"
    desk.goto(base + cancel_path)
    audit.step(desk, "officer-permit-cancel")
    desk.check("main input[name=grounds][value=other_purpose]")
    fill(desk, {"note": "The holder no longer attends the programme."})
    submit(desk, "main form", expect_path=extension_review)
    new_permit.refresh_from_db()
    assert new_permit.status == "cancelled"
    student.goto(base + "/dashboard/")
    expect(student.locator("main")).to_contain_text("Permits no longer valid")
    audit.step(student, "dashboard-permit-cancelled")
    with student.expect_download() as cancellation_info:
        student.locator(f"main a[href='/permits/{new_permit.pk}/cancellation-letter/']").click()
    assert Path(cancellation_info.value.path()).read_bytes().startswith(b"%PDF-")
    student.goto(f"{base}/verify/{new_permit.verification_code}/")
    expect(student.locator("#verify-result")).to_have_attribute("data-state", "cancelled")
    audit.step(student, "verify-cancelled")

    smtp_sink.wait_for(3)
    assert any(report.reference in m.subject for m in smtp_sink.messages)

    report_findings = {
        "axe-core: no WCAG 2.x A/AA violations": [str(f) for f in audit.axe],
        "Nu Html Checker: no errors": audit.vnu_errors(VNU_JAR),
        "375 px: no horizontal scrolling": [str(f) for f in audit.overflow],
        "every stylesheet, image and script loads; no console errors": assets.broken,
    }
    audit.write_report(report_findings)
    for check, problems in report_findings.items():
        with subtests.test(msg=check):
            assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
