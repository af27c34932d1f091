"""The student's whole journey through the portal, driven by the test client as a person would.

Sign up, verify the address, accept the data-protection notice, fill the profile, complete every
step of the application, upload real files, submit, answer an officer's information request,
exchange messages, and see the decision (approval with its letter, or refusal with its reasons).
Officers' actions come from the workflow services: their pages are not the student's.

Dates are fixed with time_machine on the worked example: programme start 2024-09-16, entry
2024-09-10, applying on 2024-10-01.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Profile, User
from accounts.services import PRIVACY_NOTICE_VERSION
from applications import decisions, workflow
from applications.models import Application, InfoRequest, Message, Status
from applications.references import REFERENCE_RE
from documents.models import Document
from rules import eligibility
from rules.policies import eligibility_evaluate
from tests.factories import ApplicationFactory, OfficerFactory, attach_required_documents
from universities.models import University

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
TODAY = date(2024, 10, 1)
EMAIL = "leyla.aliyeva@example.com"
PASSWORD = "Quiet-River-7391"
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
REQUIRED_KINDS = [
    "passport_identity_page",
    "passport_entry_stamp",
    "photo",
    "student_certificate",
    "health_insurance",
    "proof_of_address",
]

PERSONAL = {
    "surname": "Əliyeva",
    "given_names": "Leyla Gülnar",
    "father_name": "Rəşid",
    "mother_name": "Səbinə",
    "sex": "F",
    "date_of_birth": "2004-05-12",
    "place_of_birth": "Bakı",
    "marital_status": "single",
    "fin": "5ABCD7K",
    "phone": "+994501234567",
    "contact_email": EMAIL,
}
PASSPORT = {
    "passport_number": "C12345678",
    "passport_issue_date": "2022-01-10",
    "passport_expiry_date": "2032-01-09",
    "passport_issuing_authority": "DMX",
    "entry_date": "2024-09-10",
}


def study_data() -> dict[str, str]:
    university = University.objects.order_by("name").first()
    return {
        "university": str(university.pk),
        "faculty": "Mühəndislik fakültəsi",
        "department": "Kompüter mühəndisliyi",
        "student_number": "202400123",
        "level": "bachelor",
        "field": "general",
        "programme_start": "2024-09-16",
        "programme_end": "",
    }


def address_data() -> dict[str, str]:
    university = University.objects.order_by("name").first()
    return {
        "province": str(university.province_id),
        "district": "Çankaya",
        "neighbourhood": "Kızılay",
        "address_line": "Atatürk Bulvarı 12, daire 4",
        "postal_code": "06420",
    }


@pytest.fixture
def clock():
    """10:00 in Türkiye on the day of application; tests move it on with ``clock.shift``."""
    with time_machine.travel(datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL), tick=False) as t:
        yield t


@pytest.fixture
def browser() -> Client:
    """A visitor whose browser asks for English pages."""
    return Client(headers={"accept-language": "en"})


def html(response) -> str:
    return response.content.decode()


def version_on_page(response) -> int:
    """The hidden ``version`` the page's form carries, as a browser would send it back."""
    found = VERSION_RE.findall(html(response))
    assert len(found) == 1, found
    return int(found[0])


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def en_date(value: date) -> str:
    with translation.override("en"):
        return formats.date_format(value, "DATE_FORMAT")


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def signed_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def submitted_application(applicant: User) -> Application:
    """A complete draft of ``applicant``, submitted on TODAY through the workflow service."""
    application = ApplicationFactory(applicant=applicant)
    attach_required_documents(application, on=TODAY)
    return workflow.application_submit(
        application_id=application.pk,
        actor=applicant,
        expected_version=application.version,
        accept_declaration=True,
        on=TODAY,
    )


def under_review(application: Application, officer: User) -> Application:
    return decisions.application_start_review(
        application_id=application.pk, actor=officer, expected_version=fresh(application).version
    )


# --- the journey ------------------------------------------------------------------------------


def test_the_whole_journey_from_sign_up_to_the_permit_letter(
    browser, clock, make_upload, django_capture_on_commit_callbacks
):
    # 1. Sign up: a verification email is sent; the account cannot be used yet.
    response = browser.post(
        reverse("account_signup"), {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=EMAIL)
    assert not EmailAddress.objects.get(user=user, email=EMAIL).verified
    assert signed_in_user(browser) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    link = CONFIRM_LINK_RE.search(mail.outbox[0].body).group(1)

    # Signing in before verifying does not reach the dashboard.
    response = browser.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user(browser) is None
    response = browser.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    # 2. Confirm the address from the link in the email: the student is signed in.
    response = browser.get(link)
    assert response.status_code == 200
    assert 'method="post"' in html(response)
    response = browser.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert EmailAddress.objects.get(user=user, email=EMAIL).verified
    assert signed_in_user(browser) == user.pk

    # 3. No personal data before the data-protection notice is accepted.
    response = browser.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('privacy-notice')}?next=%2Fdashboard%2F"
    response = browser.get(response["Location"])
    assert response.status_code == 200
    assert 'name="next" value="/dashboard/"' in html(response)
    assert not Profile.objects.filter(user=user).exists()
    response = browser.post(reverse("privacy-notice"), {"next": "/dashboard/"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert profile.privacy_notice_accepted_at == timezone.now()

    # 4. Then the profile, once: the form takes Azerbaijani letters and leads on to the dashboard.
    profile_url = f"{reverse('profile')}?next=%2Fdashboard%2F"
    assert response["Location"] == profile_url
    response = browser.get(profile_url)
    assert response.status_code == 200
    assert 'name="next" value="/dashboard/"' in html(response)
    profile_data = {
        "surname": "Əliyeva",
        "given_names": "Leyla Gülnar",
        "date_of_birth": "2004-05-12",
        "phone": "+994501234567",
        "fin": "5abcd7k",
        "preferred_language": "tr",
        "next": "/dashboard/",
    }
    response = browser.post(profile_url, {**profile_data, "surname": "Алиева"})
    assert response.status_code == 400
    assert "error-summary" in html(response)
    assert "Use Latin letters exactly as in your passport" in html(response)
    assert Profile.objects.get(user=user).surname == ""
    response = browser.post(profile_url, profile_data)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    profile = Profile.objects.get(user=user)
    assert (profile.surname, profile.given_names) == ("Əliyeva", "Leyla Gülnar")
    assert profile.date_of_birth == date(2004, 5, 12)
    assert profile.fin == "5ABCD7K"
    assert profile.is_complete
    user.refresh_from_db()
    assert user.preferred_language == "tr"

    # 5. Start an application: the task list, with what the profile already said.
    response = browser.post(reverse("application-new"))
    application = Application.objects.get(applicant=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("application-tasks", args=[application.pk])
    assert application.status == Status.DRAFT
    assert (application.surname, application.given_names) == ("Əliyeva", "Leyla Gülnar")
    assert application.date_of_birth == date(2004, 5, 12)
    assert (application.phone, application.fin) == ("+994501234567", "5ABCD7K")
    assert application.contact_email == EMAIL
    response = browser.get(reverse("application-tasks", args=[application.pk]))
    assert response.status_code == 200
    assert html(response).count(">Completed<") == 0

    # 6. The personal step: prefilled; a bad FIN is refused and nothing is saved.
    url = reverse("application-section", args=[application.pk, "personal"])
    response = browser.get(url)
    assert response.status_code == 200
    assert 'value="Əliyeva"' in html(response)
    assert 'value="2004-05-12"' in html(response)
    version = version_on_page(response)
    assert version == fresh(application).version
    response = browser.post(url, {**PERSONAL, "fin": "12O45", "version": version})
    assert response.status_code == 400
    assert "error-summary" in html(response)
    assert "The FIN has 7 characters" in html(response)
    assert fresh(application).version == version
    assert fresh(application).father_name == ""
    response = browser.post(url, {**PERSONAL, "version": version})
    assert response.status_code == 302
    assert response["Location"] == reverse("application-section", args=[application.pk, "passport"])
    application = fresh(application)
    assert application.version == version + 1
    assert (application.father_name, application.mother_name) == ("Rəşid", "Səbinə")
    assert application.place_of_birth == "Bakı"

    # 7. The passport step: an expiry before the issue date is refused and nothing is saved.
    url = reverse("application-section", args=[application.pk, "passport"])
    response = browser.get(url)
    version = version_on_page(response)
    response = browser.post(
        url, {**PASSPORT, "passport_expiry_date": "2021-12-31", "version": version}
    )
    assert response.status_code == 400
    assert "error-summary" in html(response)
    assert "The expiry date must be after the issue date." in html(response)
    assert fresh(application).version == version
    assert fresh(application).passport_number == ""
    response = browser.post(url, {**PASSPORT, "version": version})
    assert response.status_code == 302
    assert response["Location"] == reverse("application-section", args=[application.pk, "study"])
    assert fresh(application).entry_date == date(2024, 9, 10)

    # 8. Study and address.
    for slug, data, next_url in (
        ("study", study_data(), reverse("application-section", args=[application.pk, "address"])),
        ("address", address_data(), reverse("application-documents", args=[application.pk])),
    ):
        url = reverse("application-section", args=[application.pk, slug])
        version = version_on_page(browser.get(url))
        response = browser.post(url, {**data, "version": version})
        assert response.status_code == 302, html(response)
        assert response["Location"] == next_url
    application = fresh(application)
    assert application.programme_start == date(2024, 9, 16)
    assert application.district == "Çankaya"
    response = browser.get(reverse("application-tasks", args=[application.pk]))
    assert html(response).count(">Completed<") == 4  # the four sections, not the documents yet
    assert "Ready to submit" not in html(response)

    # 9. Documents: a disguised HTML file is refused with the rule, and nothing is stored.
    url = reverse("application-documents", args=[application.pk])
    response = browser.get(url)
    assert response.status_code == 200
    assert html(response).count("missing") == len(REQUIRED_KINDS)
    files_before = stored_files()
    response = browser.post(
        url,
        {
            "kind": "passport_identity_page",
            "file": make_upload("passport.pdf", b"<html><script>alert(1)</script></html>"),
        },
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted" in html(response)
    assert Document.objects.count() == 0
    assert stored_files() == files_before
    for kind in REQUIRED_KINDS:
        upload = make_upload("photo.png") if kind == "photo" else make_upload(f"{kind}.pdf")
        response = browser.post(url, {"kind": kind, "file": upload})
        assert response.status_code == 302, html(response)
        assert response["Location"] == url
    documents = {doc.kind: doc for doc in Document.objects.filter(application=application)}
    assert sorted(documents) == sorted(REQUIRED_KINDS)
    assert documents["photo"].content_type == "image/png"
    assert documents["student_certificate"].content_type == "application/pdf"
    assert len(stored_files()) == len(REQUIRED_KINDS)
    response = browser.get(reverse("application-tasks", args=[application.pk]))
    assert html(response).count(">Completed<") == 5
    assert "Ready to submit" in html(response)

    # 10. Review: the rules' outcome in plain words, then the declaration.
    url = reverse("application-review", args=[application.pk])
    response = browser.get(url)
    assert response.status_code == 200
    application = fresh(application)
    outcome, policy = eligibility_evaluate(
        inputs=workflow.application_rule_input(application, on=TODAY)
    )
    assert outcome.eligible
    page = html(response)
    assert "Yes: you can get one permit for your whole programme." in page
    assert f"from {en_date(outcome.permit_start)} to {en_date(outcome.permit_end)}" in page
    assert en_date(outcome.passport_required_until) in page
    assert "Your passport is valid long enough" in page
    assert f"Checked against permit policy version {policy.number}" in page
    version = version_on_page(response)

    response = browser.post(url, {"version": version})
    assert response.status_code == 400
    assert "Tick the declaration to submit your application." in html(response)
    assert fresh(application).status == Status.DRAFT
    assert fresh(application).reference is None

    response = browser.post(url, {"version": version, "declaration": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    application = fresh(application)
    assert application.status == Status.SUBMITTED
    assert REFERENCE_RE.match(application.reference)
    assert application.reference.startswith("AZTR-2024-")
    assert application.eligibility_outcome == outcome.to_dict()
    assert application.policy_version == policy
    assert application.evaluated_on == TODAY
    assert application.declaration_accepted_at == timezone.now()
    response = browser.get(response["Location"])
    assert response.status_code == 200
    assert application.reference in html(response)
    assert f"Your reference number is {application.reference}" in html(response)

    # 11. An officer asks for a new photo; the student sees the request, its due date and text.
    clock.shift(timedelta(days=1))
    officer = OfficerFactory()
    under_review(application, officer)
    request = decisions.application_request_info(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
        message="Your photo has a dark background. Please upload one on a white background.",
        document_kinds=["photo"],
    )
    detail_url = reverse("application-detail", args=[application.pk])
    response = browser.get(detail_url)
    assert response.status_code == 200
    page = html(response)
    assert "The officer needs more information" in page
    assert "Please upload one on a white background." in page
    assert request.due_date == date(2024, 11, 1)
    assert en_date(request.due_date) in page
    assert str(dict(eligibility.DOCUMENT_KINDS)["photo"]) in page
    # The upload form offers what was asked for (and "other"), nothing the officer has seen.
    kind_select = re.search(r'<select name="kind".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([a-z_]+)"', kind_select) == ["photo", "other"]
    response_certificate = browser.post(
        reverse("application-documents", args=[application.pk]),
        {"kind": "student_certificate", "file": make_upload("certificate.pdf")},
    )
    assert response_certificate.status_code == 400
    assert Document.objects.filter(application=application).count() == len(REQUIRED_KINDS)

    # Answering before uploading the photo is refused, with a clear message.
    clock.shift(timedelta(hours=2))
    response = browser.post(
        reverse("application-respond", args=[application.pk]),
        {"version": version_on_page(response), "response": "Done."},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url
    assert flash(response) == [
        "Upload every document the officer asked for before you send your answer."
    ]
    assert fresh(application).status == Status.INFO_REQUESTED

    # The replacement photo goes through the upload form on the detail page.
    old_photo = Document.objects.get(application=application, kind="photo", is_current=True)
    response = browser.post(
        reverse("application-documents", args=[application.pk]),
        {"kind": "photo", "file": make_upload("new-photo.jpg")},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url
    old_photo.refresh_from_db()
    assert not old_photo.is_current  # kept as evidence
    new_photo = Document.objects.get(application=application, kind="photo", is_current=True)
    assert new_photo.content_type == "image/jpeg"

    response = browser.get(detail_url)
    response = browser.post(
        reverse("application-respond", args=[application.pk]),
        {"version": version_on_page(response), "response": "Here is the new photo."},
    )
    assert response.status_code == 302
    assert flash(response) == ["Your answer was sent. The officer will continue the review."]
    assert fresh(application).status == Status.UNDER_REVIEW
    request.refresh_from_db()
    assert request.state == InfoRequest.State.ANSWERED
    assert request.response == "Here is the new photo."

    # 12. Messages: the student writes, the thread shows it.
    response = browser.post(
        reverse("application-message", args=[application.pk]),
        {"body": "Təşəkkür edirəm! When will I hear back?"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url}#messages"
    assert Message.objects.get(application=application).sender == user
    response = browser.get(detail_url)
    assert "Təşəkkür edirəm! When will I hear back?" in html(response)

    # 13. Approved: the permit, its validity and verification code; the letter as a PDF.
    earliest, latest = decisions.permit_bounds(fresh(application), on=timezone.localdate())
    permit = decisions.application_approve(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
        valid_from=earliest,
        valid_to=latest,
    )
    response = browser.get(detail_url)
    assert response.status_code == 200
    page = html(response)
    assert permit.number == f"IKM-{application.reference}"
    assert permit.number in page
    assert f"from {en_date(permit.valid_from)} to {en_date(permit.valid_to)}" in page
    assert permit.verification_code in page
    assert "Withdraw this application" not in page
    response = browser.get(reverse("permit-letter", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{permit.number}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    # 14. The data export holds the application, the profile and every document's bytes.
    response = browser.get(reverse("data-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == EMAIL
    assert data["profile"]["surname"] == "Əliyeva"
    assert data["profile"]["fin"] == "5ABCD7K"
    [exported] = data["applications"]
    assert exported["reference"] == application.reference
    assert exported["permit"]["number"] == permit.number
    assert len(exported["documents"]) == len(REQUIRED_KINDS) + 1  # the replaced photo too
    for document in Document.objects.filter(application=application):
        path = f"documents/{application.pk}/{document.pk}-{document.original_name}"
        with document.file.open("rb") as handle:
            assert archive.read(path) == handle.read()
    assert archive.read(f"letters/{permit.number}.pdf").startswith(b"%PDF-")

    # 15. A submitted application is a record the authority keeps: no account deletion.
    response = browser.get(reverse("account-delete"))
    assert response.status_code == 200
    assert "your account cannot be deleted" in html(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("account-delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account-delete")
    assert flash(response)[0].startswith("Your account cannot be deleted")
    assert User.objects.filter(pk=user.pk).exists()
    assert fresh(application).status == Status.APPROVED
    assert len(stored_files()) == len(REQUIRED_KINDS) + 2  # documents and the letter


# --- single stretches of the journey ----------------------------------------------------------


@pytest.fixture
def student_browser(browser, student) -> Client:
    browser.force_login(student)
    return browser


def test_withdrawing_asks_for_confirmation_then_allows_a_new_application(
    student_browser, student, clock
):
    application = submitted_application(student)
    url = reverse("application-withdraw", args=[application.pk])
    detail = student_browser.get(reverse("application-detail", args=[application.pk]))
    assert url in html(detail)

    response = student_browser.get(url)
    assert response.status_code == 200
    assert "Withdraw your application" in html(response)
    assert 'name="confirm"' in html(response)
    version = version_on_page(response)
    before = fresh(application)

    response = student_browser.post(url, {"version": version, "note": "Changed my mind"})
    assert response.status_code == 400
    assert "Tick the box to confirm that you want to withdraw." in html(response)
    after = fresh(application)
    assert (after.status, after.version) == (before.status, before.version)

    response = student_browser.post(
        url, {"version": version, "confirm": "on", "note": "Changed my mind"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert fresh(application).status == Status.WITHDRAWN

    response = student_browser.get(reverse("dashboard"))
    assert "Start a new application" in html(response)
    response = student_browser.post(reverse("application-new"))
    new = Application.objects.filter(applicant=student).exclude(pk=application.pk).get()
    assert new.status == Status.DRAFT
    assert response["Location"] == reverse("application-tasks", args=[new.pk])


def test_a_second_active_application_cannot_be_started(student_browser, student, clock):
    application = submitted_application(student)
    response = student_browser.post(reverse("application-new"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert flash(response) == ["You already have an application in progress."]
    assert list(Application.objects.filter(applicant=student)) == [application]


def test_a_refusal_shows_its_reasons_and_how_to_appeal(student_browser, student, officer, clock):
    application = submitted_application(student)
    under_review(application, officer)
    reasons = ["conditions_not_met", "studies_cannot_continue"]
    decisions.application_reject(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
        reason_codes=reasons,
        explanation="The university confirmed that the enrolment was cancelled.",
    )
    response = student_browser.get(reverse("application-detail", args=[application.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "Why your application was refused" in page
    for code in reasons:
        assert f"<li>{decisions.REJECTION_REASONS[code]}</li>" in page
    assert str(decisions.REJECTION_REASONS["other_purpose"]) not in page
    assert "The university confirmed that the enrolment was cancelled." in page
    assert "How to appeal" in page
    assert "administrative court (idare mahkemesi)" in page
    assert "within 60 days" in page
    assert "Withdraw this application" not in page
    assert reverse("permit-letter", args=[application.pk]) not in page
    assert student_browser.get(reverse("permit-letter", args=[application.pk])).status_code == 404


def test_a_stale_tab_saves_nothing(student_browser, student, clock):
    """Two tabs on the same step: the second one's save is refused, with a message."""
    application = ApplicationFactory(applicant=student)
    url = reverse("application-section", args=[application.pk, "personal"])
    first_tab = student_browser.get(url)
    second_tab = student_browser.get(url)
    version = version_on_page(first_tab)
    assert version_on_page(second_tab) == version
    fields = {**PERSONAL, "contact_email": student.email}

    response = student_browser.post(url, {**fields, "place_of_birth": "Gəncə", "version": version})
    assert response.status_code == 302
    assert fresh(application).version == version + 1
    assert "Saved. You can come back" in html(student_browser.get(response["Location"]))

    response = student_browser.post(url, {**fields, "place_of_birth": "Şəki", "version": version})
    assert response.status_code == 302
    assert response["Location"] == url
    assert flash(response) == [
        "This application was changed by someone else meanwhile. "
        "Nothing was saved; reload it to see the current state."
    ]
    application = fresh(application)
    assert application.place_of_birth == "Gəncə"
    assert application.version == version + 1
    response = student_browser.get(url)
    assert version_on_page(response) == version + 1
    assert 'value="Gəncə"' in html(response)


def test_removing_a_draft_document(student_browser, student, clock, make_upload):
    application = ApplicationFactory(applicant=student)
    url = reverse("application-documents", args=[application.pk])
    student_browser.post(url, {"kind": "photo", "file": make_upload("photo.png")})
    document = Document.objects.get(application=application)
    assert stored_files()
    response = student_browser.get(url)
    delete_url = reverse("document-delete", args=[application.pk, document.pk])
    assert delete_url in html(response)
    response = student_browser.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == url
    assert not Document.objects.filter(pk=document.pk).exists()


def test_deleting_an_account_with_only_a_draft(student_browser, student, clock, make_upload):
    application = ApplicationFactory(applicant=student)
    url = reverse("application-documents", args=[application.pk])
    for kind, name in (("photo", "photo.png"), ("passport_identity_page", "passport.pdf")):
        response = student_browser.post(url, {"kind": kind, "file": make_upload(name)})
        assert response.status_code == 302
    files = stored_files()
    assert len(files) == 2

    response = student_browser.get(reverse("account-delete"))
    assert response.status_code == 200
    assert "It cannot be undone." in html(response)

    # Without the box ticked a browser still sends the form's CSRF token: nothing is deleted.
    token = CSRF_RE.search(html(response)).group(1)
    response = student_browser.post(reverse("account-delete"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert "error-summary" in html(response)
    assert User.objects.filter(pk=student.pk).exists()

    # The files go in the on-commit hooks, once the rows are gone for good (conftest runs a
    # request's hooks when it ends, as a real commit would).
    response = student_browser.post(reverse("account-delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not User.objects.filter(pk=student.pk).exists()
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Document.objects.exists()
    assert stored_files() == []
    assert signed_in_user(student_browser) is None
    assert student_browser.get(reverse("dashboard"))["Location"].startswith(
        reverse("account_login")
    )


def test_the_export_of_a_draft_holds_the_uploaded_bytes(
    student_browser, student, clock, make_upload
):
    application = ApplicationFactory(applicant=student)
    pdf = make_upload("certificate.pdf")
    content = pdf.read()
    pdf.seek(0)
    student_browser.post(
        reverse("application-documents", args=[application.pk]),
        {"kind": "student_certificate", "file": pdf},
    )
    response = student_browser.get(reverse("data-export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["given_names"] == student.profile.given_names
    [exported] = data["applications"]
    assert exported["reference"] is None
    assert exported["status"] == Status.DRAFT
    [meta] = exported["documents"]
    assert meta["original_name"] == "certificate.pdf"
    assert archive.read(meta["file_in_archive"]) == content  # PDFs are stored as uploaded
