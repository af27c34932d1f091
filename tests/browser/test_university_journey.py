"""The universities' side, in a real browser.

An international office signs in with its password and authenticator code, follows its
students in the file tracker, confirms an enrolment, checks a case's documents and returns it,
reports a withdrawal, uploads a CSV file of confirmations (refused with a per-row message, then
applied once fixed), and makes an API token that then works against the API; the student sees
the university's steps; a supervisor manages the offices' accounts.

Every page is audited in az, tr and en, as in ``test_journey.py`` (axe-core, the Nu Html
Checker, no horizontal scrolling at 375 px); the office's pages are used at 375 px too.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from applications import workflow
from applications.models import Application, EnrolmentStatus, Status
from reports.models import Report, ReportType
from tests.factories import (
    ApplicationFactory,
    SupervisorFactory,
    UniversityStaffFactory,
    attach_required_documents,
)
from universities.models import University

from .audit import AssetWatch, Auditor
from .conftest import AXE_JS, VNU_JAR
from .test_journey import english, fill, flash, path_of, submit
from .test_renewal_journey import sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_cache"),
]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def with_authenticator(user):
    from accounts.services import totp_authenticator_set

    totp_authenticator_set(user=user, secret=SECRET)
    return user


def handed_in(university: University, **fields) -> Application:
    application = ApplicationFactory(
        university=university,
        province=university.province,
        declaration_accepted_at=timezone.now(),
        **fields,
    )
    attach_required_documents(application, on=timezone.localdate())
    workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=Application.objects.get(pk=application.pk).version,
    )
    return Application.objects.get(pk=application.pk)


def test_the_university_journey_in_a_browser(
    live_server, new_context, screenshots, settings, tmp_path, subtests, application_in
):
    base = live_server.url
    html_dir = tmp_path / "pages"
    html_dir.mkdir()
    shots = screenshots / "university"
    shots.mkdir(exist_ok=True)
    audit = Auditor(
        base_url=base,
        screenshots=shots,
        html_dir=html_dir,
        axe_source=AXE_JS.read_text(encoding="utf-8"),
    )
    assets = AssetWatch()

    university = University.objects.order_by("name").first()
    office_user = with_authenticator(UniversityStaffFactory(university=university))
    # A student with a permit (for the withdrawal), two waiting for the confirmation.
    holder = application_in(Status.APPROVED, university=university, province=university.province)
    confirm_me = handed_in(university, surname="Quliyeva", student_number="20240001")
    csv_cases = [handed_in(university, student_number=f"2024100{n}") for n in range(3)]
    # Then the university switches its document check on: the next hand-in waits for it.
    university.precheck_enabled = True
    university.save(update_fields=["precheck_enabled"])
    check_me = handed_in(university, surname="Babayev", student_number="20240002")
    assert check_me.status == Status.PRECHECK

    office = new_context(width=375, height=812)
    english(office, base)
    page = office.new_page()
    assets.watch(page)

    # 1. Sign-in with the password and the authenticator code: the office's overview.
    sign_in(page, base, office_user.email, SECRET)
    assert path_of(page) == "/university/", flash(page)
    expect(page.locator("main h1")).to_contain_text(university.name)
    audit.step(page, "office-home")

    # 2. The file tracker, and one case.
    page.goto(base + "/university/students/")
    expect(page.locator("main table")).to_contain_text(confirm_me.reference)
    audit.step(page, "office-tracker")
    page.goto(base + f"/university/students/{check_me.pk}/")
    audit.step(page, "office-case")

    # 3. An enrolment confirmed, correcting the expected end.
    page.goto(base + "/university/confirmations/")
    audit.step(page, "office-confirmations")
    page.get_by_role("link", name=confirm_me.enrolment.number).click()
    audit.step(page, "office-confirmation")
    fill(page, {"confirm-programme_end": "2028-06-30"}, within="main")
    submit(page, "main form:has([name='confirm-level'])", expect_path="/university/confirmations/")
    assert "Enrolment confirmed" in flash(page)
    confirm_me.enrolment.refresh_from_db()
    assert confirm_me.enrolment.status == EnrolmentStatus.CONFIRMED
    assert confirm_me.enrolment.programme_end == date(2028, 6, 30)

    # 4. A document check: returned with a reason for the photo.
    page.goto(base + "/university/precheck/")
    audit.step(page, "office-precheck-list")
    page.get_by_role("link", name=check_me.reference).click()
    audit.step(page, "office-precheck-case")
    fill(page, {"reason_photo": "The photo is not biometric."})
    with page.expect_navigation():
        page.locator("main button[value=return]").click()
    assert path_of(page) == "/university/precheck/", flash(page)
    assert Application.objects.get(pk=check_me.pk).status == Status.RETURNED

    # 5. A withdrawal reported: the end-of-studies case opens.
    page.goto(base + "/university/report/")
    audit.step(page, "office-report")
    fill(
        page,
        {
            "reference": holder.reference,
            "reason": "withdrawal",
            "effective_on": timezone.localdate().isoformat(),
        },
    )
    submit(page, "main form", expect_path="/university/")
    report = Report.objects.get(type=ReportType.END_OF_STUDIES)
    assert report.reported_by == office_user
    assert report.reference in flash(page)

    # 6. A CSV file of confirmations: a bad date refuses the whole file, with the row named;
    #    the fixed file is applied in full.
    header = "reference,action,level,field,programme_start,programme_end,reason\n"
    rows = [
        f"{case.enrolment.number},confirm,bachelor,general,2024-09-16,2028-06-30,"
        for case in csv_cases
    ]
    bad = tmp_path / "confirmations-bad.csv"
    bad.write_text(
        header + "\n".join([*rows[:2], rows[2].replace("2028-06-30", "2028-31-06")]) + "\n"
    )
    good = tmp_path / "confirmations.csv"
    good.write_text(header + "\n".join(rows) + "\n")
    page.goto(base + "/university/bulk/")
    audit.step(page, "office-bulk")
    page.check("main input[name=kind][value=confirmations]")
    page.set_input_files("main input[name=file]", bad)
    submit(page, "main form[enctype='multipart/form-data']")
    expect(page.locator("main")).to_contain_text("4")  # the row (the header is row 1)
    expect(page.locator("main")).to_contain_text("programme_end")
    audit.step(page, "office-bulk-invalid")
    assert page.locator("main form[action$='/apply/']").count() == 0
    page.goto(base + "/university/bulk/")
    page.check("main input[name=kind][value=confirmations]")
    page.set_input_files("main input[name=file]", good)
    submit(page, "main form[enctype='multipart/form-data']")
    audit.step(page, "office-bulk-valid")
    submit(page, "main form[action$='/apply/']")
    for case in csv_cases:
        case.enrolment.refresh_from_db()
        assert case.enrolment.status == EnrolmentStatus.CONFIRMED
    audit.step(page, "office-bulk-applied")
    with page.expect_download() as result_info:
        page.locator("main a[href$='result.csv']").first.click()
    result = result_info.value.path().read_text(encoding="utf-8-sig")
    assert all(case.enrolment.number in result for case in csv_cases)

    # 7. An API token for the university's own system: shown once, then it works against the
    #    API (and only as long as it is not revoked).
    page.goto(base + "/university/tokens/")
    audit.step(page, "office-tokens")
    fill(page, {"name": "Student information system"})
    submit(page, "main form")
    key = page.locator("#api-token-key").input_value()
    assert key.startswith("aztr_")
    # The key's page is not audited by reloading (a reload would not show the key again).
    page.goto(base + "/university/tokens/")
    expect(page.locator("main")).not_to_contain_text(key)
    api = Client()
    answer = api.get("/api/v1/students/", headers={"authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.content
    assert confirm_me.reference in answer.content.decode()
    page.goto(base + "/api/docs/")
    expect(page.locator("body")).to_contain_text("/api/v1/confirmations/")
    with page.expect_navigation():
        page.goto(base + "/university/tokens/")
    page.locator("main form[action$='/revoke/'] button").first.click()
    page.wait_for_load_state()
    answer = api.get("/api/v1/students/", headers={"authorization": f"Bearer {key}"})
    assert answer.status_code == 401

    # 8. The student whose application was returned sees why, in their own browser.
    student = new_context(width=375, height=812).new_page()
    english(student.context, base)
    assets.watch(student)
    sign_in(student, base, check_me.applicant.email)
    student.goto(base + f"/applications/{check_me.pk}/")
    expect(student.locator("main")).to_contain_text("The photo is not biometric.")
    audit.step(student, "student-returned")

    # 9. A supervisor's page of the offices' accounts.
    supervisor = with_authenticator(SupervisorFactory())
    desk = new_context(width=1280, height=900).new_page()
    english(desk.context, base)
    assets.watch(desk)
    sign_in(desk, base, supervisor.email, SECRET)
    desk.goto(base + "/officers/university-accounts/")
    expect(desk.locator("main table")).to_contain_text(office_user.email)
    audit.step(desk, "supervisor-university-accounts")
    fill(desk, {"email": "new.office@example.edu.tr", "university": str(university.pk)})
    submit(desk, "main form", expect_path="/officers/university-accounts/")
    expect(desk.locator("main table")).to_contain_text("new.office@example.edu.tr")
    desk.goto(base + f"/officers/university-accounts/universities/{university.pk}/")
    audit.step(desk, "supervisor-university-settings")

    assert re.match(r"EC-\d{4}-\d{6}", confirm_me.enrolment.number)

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
