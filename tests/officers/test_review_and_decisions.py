"""The review page and the decisions taken from it.

The page shows everything the student entered, the rules' outcome, the documents (previewed
inline), the messages and the internal notes; opening it or a document is written to the access
log. Every decision is a POST carrying the version the officer saw.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape

from applications import decisions, selectors, workflow
from applications.models import (
    Application,
    ApplicationEvent,
    InfoRequest,
    InternalNote,
    Message,
    Status,
)
from cases.assignment import case_claim_next
from documents.models import Document
from permits.models import Permit
from tests.factories import DocumentFactory, OfficerFactory

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)
TODAY = NOW.date()
PROGRAMME_END = date(2028, 9, 15)  # bachelor's from 2024-09-16: four years
ACCESS_LOG = (ApplicationEvent.Kind.VIEWED, ApplicationEvent.Kind.DOCUMENT_VIEWED)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(application: Application) -> dict:
    """What a refused decision must leave as it was (opening pages is logged, so not counted)."""
    current = fresh(application)
    return {
        "status": current.status,
        "version": current.version,
        "assignee": current.assignee_id,
        "updated_at": current.updated_at,
        "decided_at": current.decided_at,
        "events": current.events.exclude(kind__in=ACCESS_LOG).count(),
        "permits": Permit.objects.filter(application=current).count(),
        "info_requests": list(current.info_requests.values_list("pk", "state", "due_date")),
        "documents": list(
            current.documents.order_by("pk").values_list("pk", "review", "review_reason")
        ),
    }


def review_url(application: Application) -> str:
    return reverse("officer-review", args=[application.pk])


@pytest.fixture
def reviewing(application_in, officer):
    """An application under review by ``officer``."""
    return application_in(Status.UNDER_REVIEW, officer=officer)


@pytest.fixture
def as_officer(officer, client_for):
    return client_for(officer)


@pytest.fixture
def as_student(reviewing, client_for):
    return client_for(reviewing.applicant)


def student_page(client, application: Application) -> str:
    response = client.get(reverse("application-detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- the review page -----------------------------------------------------------------------


def shown(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    return escape(str(value))


def test_review_shows_everything_the_student_entered(reviewing, as_officer):
    html = as_officer.get(review_url(reviewing)).content.decode()

    rows = [row for _section, rows in selectors.review_sections(reviewing) for row in rows]
    assert len(rows) > 25
    for field, value in rows:
        assert escape(str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]) in html
        assert f">{shown(value)}</dd>" in html, field.name
    for text in ("Məmmədova", "Gülşən Aygün", "Əhməd", "Şəhla", "Gəncə", "Çankaya", "Kızılay"):
        assert text in html
    assert reviewing.fin in html
    assert reviewing.passport_number in html
    assert reviewing.reference in html


def test_review_shows_the_rule_outcome_and_a_passing_passport(reviewing, as_officer):
    html = as_officer.get(review_url(reviewing)).content.decode()

    assert "under policy version 1" in html
    assert "eligible for the full-programme permit" in html
    assert "not eligible" not in html
    assert "Passport check: passed." in html
    assert "FAILED" not in html
    until = formats.date_format(PROGRAMME_END + timedelta(days=60), "DATE_FORMAT")
    assert f"It must be valid until {until}" in html
    end = formats.date_format(PROGRAMME_END, "DATE_FORMAT")
    assert f"Full-programme permit if decided today: {formats.date_format(TODAY)}" in html
    assert end in html


def test_review_shows_a_failed_passport_check_plainly(application_in, officer, as_officer):
    short = application_in(
        Status.UNDER_REVIEW, officer=officer, passport_expiry_date=date(2028, 10, 1)
    )

    html = as_officer.get(review_url(short)).content.decode()

    assert "Passport check: FAILED." in html
    assert "Passport check: passed" not in html
    assert "not eligible for the full-programme permit" in html
    assert 'data-code="passport_too_short"' in html
    latest = formats.date_format(date(2028, 8, 2), "DATE_FORMAT")  # expiry minus 60 days
    assert f"A permit can run until {latest} at the latest." in html


def test_review_shows_the_legal_stay_warning(application_in, officer, as_officer):
    late = application_in(Status.UNDER_REVIEW, officer=officer, entry_date=date(2024, 6, 1))

    html = as_officer.get(review_url(late)).content.decode()

    assert 'data-code="legal_stay_exceeded"' in html


def test_images_are_previewed_inline_and_pdfs_downloaded(reviewing, as_officer):
    pdf = DocumentFactory(
        application=reviewing,
        kind="other",
        original_name="transcript.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4\n%%EOF\n",
    )

    html = as_officer.get(review_url(reviewing)).content.decode()

    documents = list(reviewing.documents.filter(is_current=True))
    assert len(documents) >= 6
    for document in documents:
        url = reverse("document-file", args=[document.pk])
        if document.content_type == "application/pdf":
            # Never embedded: the file is sent as an attachment (tests/applications/
            # test_upload_hardening.py), so the page offers a download link.
            assert f'href="{url}"' in html
            assert f"{url}?inline=1" not in html
        else:
            assert f'src="{url}?inline=1"' in html
        assert escape(document.original_name) in html
    assert pdf.original_name in html


def test_drafts_have_no_review_page(application_in, as_officer):
    draft = application_in(Status.DRAFT)

    assert as_officer.get(review_url(draft)).status_code == 404
    assert not draft.events.filter(kind__in=ACCESS_LOG).exists()


# --- the access log --------------------------------------------------------------------------


def test_opening_the_review_page_is_logged(reviewing, officer, as_officer, supervisor, client_for):
    as_officer.get(review_url(reviewing))
    client_for(supervisor).get(review_url(reviewing))
    as_officer.get(review_url(reviewing))

    views = list(
        reviewing.events.filter(kind=ApplicationEvent.Kind.VIEWED).values_list("actor", flat=True)
    )
    assert views == [officer.pk, supervisor.pk, officer.pk]
    html = as_officer.get(review_url(reviewing)).content.decode()
    assert "Opened by an officer" in html  # the history shows the access log


def test_opening_a_document_is_logged_and_served_inline(reviewing, officer, as_officer):
    document = reviewing.documents.filter(is_current=True).order_by("pk").first()
    url = reverse("document-file", args=[document.pk])

    inline = as_officer.get(f"{url}?inline=1")
    download = as_officer.get(url)

    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline")
    assert download["Content-Disposition"].startswith("attachment")
    with document.file.open("rb") as handle:
        assert b"".join(inline.streaming_content) == handle.read()
    opened = list(reviewing.events.filter(kind=ApplicationEvent.Kind.DOCUMENT_VIEWED))
    assert len(opened) == 2
    for event in opened:
        assert event.actor == officer
        assert event.data == {"document": document.pk, "kind": document.kind}


def test_students_do_not_open_inline_and_are_not_logged(reviewing, as_student):
    document = reviewing.documents.filter(is_current=True).first()

    response = as_student.get(f"{reverse('document-file', args=[document.pk])}?inline=1")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not reviewing.events.filter(kind__in=ACCESS_LOG).exists()


def test_students_never_see_the_access_log(reviewing, as_officer, as_student):
    document = reviewing.documents.filter(is_current=True).first()
    as_officer.get(review_url(reviewing))
    as_officer.get(f"{reverse('document-file', args=[document.pk])}?inline=1")
    assert reviewing.events.filter(kind__in=ACCESS_LOG).count() == 2

    html = student_page(as_student, reviewing)

    assert "Opened by an officer" not in html
    assert "Document opened by an officer" not in html
    assert not selectors.student_timeline(reviewing).filter(kind__in=ACCESS_LOG).exists()
    assert "Under review" in html  # the timeline itself is there


# --- notes and messages ---------------------------------------------------------------------


def test_internal_notes_stay_internal(reviewing, officer, as_officer, as_student):
    body = "Call the university registrar about the enrolment date."

    response = as_officer.post(reverse("officer-add-note", args=[reviewing.pk]), {"body": body})

    assert response.status_code == 302
    assert response["Location"] == f"{review_url(reviewing)}#notes"
    note = InternalNote.objects.get(application=reviewing)
    assert (note.author, note.body) == (officer, body)
    assert body in as_officer.get(review_url(reviewing)).content.decode()
    html = student_page(as_student, reviewing)
    assert body not in html
    assert "registrar" not in html
    assert "Internal notes" not in html


def test_an_empty_note_is_refused(reviewing, as_officer):
    response = as_officer.post(reverse("officer-add-note", args=[reviewing.pk]), {"body": " "})

    assert messages_of(response) == ["Write the note first."]
    assert not InternalNote.objects.exists()


def test_messages_reach_the_student(reviewing, officer, as_officer, as_student):
    body = "Salam! Your photo is fine; we are checking the certificate."

    response = as_officer.post(reverse("officer-send-message", args=[reviewing.pk]), {"body": body})

    assert response["Location"] == review_url(reviewing)
    assert messages_of(response) == ["Message sent to the student."]
    message = Message.objects.get(application=reviewing)
    assert message.sender == officer
    assert escape(body) in as_officer.get(review_url(reviewing)).content.decode()
    html = student_page(as_student, reviewing)
    assert escape(body) in html
    assert "Migration officer" in html


# --- document verdicts -----------------------------------------------------------------------


def verdict(client, document: Document, **data):
    """Post the verdict form of ``document`` as its page names the fields (one form each)."""
    prefixed = {f"doc{document.pk}-{name}": value for name, value in data.items()}
    return client.post(reverse("officer-document-verdict", args=[document.pk]), prefixed)


def test_each_document_has_its_own_verdict_form(reviewing, as_officer):
    html = as_officer.get(review_url(reviewing)).content.decode()

    for document in reviewing.documents.filter(is_current=True):
        action = reverse("officer-document-verdict", args=[document.pk])
        assert f'action="{action}"' in html
        assert html.count(f'name="doc{document.pk}-verdict"') == 2  # accepted, needs replacement
        assert f'name="doc{document.pk}-reason"' in html


def test_needs_replacement_requires_a_reason(reviewing, as_officer):
    document = reviewing.documents.get(kind="photo", is_current=True)
    before = snapshot(reviewing)

    response = verdict(as_officer, document, verdict="needs_replacement", reason="  ")

    assert response["Location"] == review_url(reviewing)
    assert messages_of(response) == ["Tell the student why the document must be replaced."]
    assert snapshot(reviewing) == before


def test_needs_replacement_reason_reaches_the_student(reviewing, officer, as_officer, as_student):
    document = reviewing.documents.get(kind="photo", is_current=True)
    reason = "The photo must have a white background."

    response = verdict(as_officer, document, verdict="needs_replacement", reason=reason)

    assert messages_of(response) == ["Verdict saved."]
    document.refresh_from_db()
    assert (document.review, document.review_reason, document.reviewed_by) == (
        Document.Review.NEEDS_REPLACEMENT,
        reason,
        officer,
    )
    event = reviewing.events.get(kind=ApplicationEvent.Kind.DOCUMENT_REVIEWED)
    assert event.data == {
        "document": document.pk,
        "kind": "photo",
        "verdict": "needs_replacement",
    }
    html = student_page(as_student, reviewing)
    assert "Needs replacement" in html
    assert reason in html

    verdict(as_officer, document, verdict="accepted", reason="ignored")
    document.refresh_from_db()
    assert (document.review, document.review_reason) == (Document.Review.ACCEPTED, "")
    assert reason not in student_page(as_student, reviewing)


def test_an_unknown_verdict_is_refused(reviewing, as_officer):
    document = reviewing.documents.get(kind="photo", is_current=True)
    before = snapshot(reviewing)

    response = verdict(as_officer, document, verdict="pending")

    assert messages_of(response) == ["Choose a verdict."]
    assert snapshot(reviewing) == before


# --- start review ----------------------------------------------------------------------------


def test_start_review_from_the_page(application_in, officer, as_officer):
    submitted = application_in(Status.SUBMITTED)
    page = as_officer.get(review_url(submitted))
    assert "Start the review" in page.content.decode()
    assert not page.context["can_decide"]

    response = as_officer.post(
        reverse("officer-start-review", args=[submitted.pk]), {"version": submitted.version}
    )

    assert response["Location"] == review_url(submitted)
    after = fresh(submitted)
    assert (after.status, after.assignee) == (Status.UNDER_REVIEW, officer)
    assert as_officer.get(review_url(submitted)).context["can_decide"]


# --- request information -------------------------------------------------------------------


def request_info(client, application, **data):
    data.setdefault("version", fresh(application).version)
    data.setdefault("message", "Please upload a photo on a white background.")
    data.setdefault("document_kinds", ["photo"])
    return client.post(reverse("officer-request-info", args=[application.pk]), data)


def test_the_deadline_defaults_to_thirty_days(reviewing, as_officer):
    page = as_officer.get(review_url(reviewing))

    form = page.context["request_form"]
    assert form["due_date"].value() == date(2024, 10, 31)
    assert 'value="2024-10-31"' in page.content.decode()


def test_request_info_with_the_default_deadline(reviewing, officer, as_officer, as_student):
    response = request_info(as_officer, reviewing, due_date="2024-10-31")

    assert response["Location"] == review_url(reviewing)
    assert messages_of(response) == ["The student has been asked for more information."]
    after = fresh(reviewing)
    assert after.status == Status.INFO_REQUESTED
    request = InfoRequest.objects.get(application=reviewing)
    assert (request.due_date, request.document_kinds, request.requested_by) == (
        date(2024, 10, 31),
        ["photo"],
        officer,
    )
    assert "Please upload a photo on a white background." in student_page(as_student, reviewing)


def test_the_service_defaults_the_deadline_to_the_policy_period(reviewing, officer):
    request = decisions.application_request_info(
        application_id=reviewing.pk,
        actor=officer,
        expected_version=reviewing.version,
        message="Photo, please.",
        document_kinds=["photo"],
    )

    assert request.due_date == TODAY + timedelta(days=30)


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("2024-11-01", "The deadline can be at most 30 days from today."),
        ("2025-01-01", "The deadline can be at most 30 days from today."),
        ("2024-10-01", "The deadline must be in the future."),
    ],
    ids=["31-days", "three-months", "today"],
)
def test_a_deadline_outside_thirty_days_is_refused(reviewing, as_officer, due, message):
    before = snapshot(reviewing)

    response = request_info(as_officer, reviewing, due_date=due)

    assert messages_of(response) == [message]
    assert snapshot(reviewing) == before


def test_request_info_needs_a_message(reviewing, as_officer):
    before = snapshot(reviewing)

    response = request_info(as_officer, reviewing, due_date="2024-10-20", message="")

    assert response.status_code == 400
    assert snapshot(reviewing) == before


# --- approve ---------------------------------------------------------------------------------


def approve(client, application, **data):
    data.setdefault("version", fresh(application).version)
    data.setdefault("valid_from", TODAY.isoformat())
    data.setdefault("valid_to", PROGRAMME_END.isoformat())
    return client.post(reverse("officer-approve", args=[application.pk]), data)


def test_approve_within_the_bounds(reviewing, officer, as_officer):
    response = approve(as_officer, reviewing)

    assert response["Location"] == review_url(reviewing)
    after = fresh(reviewing)
    assert after.status == Status.APPROVED
    assert after.decided_at is not None
    permit = Permit.objects.get(application=reviewing)
    assert (permit.valid_from, permit.valid_to, permit.issued_by) == (
        TODAY,
        PROGRAMME_END,
        officer,
    )
    assert permit.letter
    assert messages_of(response) == [f"Approved. Permit {permit.number} issued."]
    html = as_officer.get(review_url(reviewing)).content.decode()
    assert permit.verification_code in html


def test_the_approve_form_offers_the_bounds(reviewing, as_officer):
    form = as_officer.get(review_url(reviewing)).context["approve_form"]

    assert (form["valid_from"].value(), form["valid_to"].value()) == (TODAY, PROGRAMME_END)


@pytest.mark.parametrize(
    ("passport_expiry", "valid_to"),
    [
        (None, PROGRAMME_END + timedelta(days=1)),  # beyond the programme's end
        (None, date(2031, 1, 1)),
        (date(2028, 10, 1), date(2028, 8, 3)),  # beyond expiry minus the 60-day margin
        (date(2028, 10, 1), PROGRAMME_END),
    ],
    ids=["programme-end+1", "far-beyond", "passport-limit+1", "programme-end-short-passport"],
)
def test_approve_beyond_the_bounds_is_refused(
    application_in, officer, as_officer, passport_expiry, valid_to
):
    fields = {"passport_expiry_date": passport_expiry} if passport_expiry else {}
    application = application_in(Status.UNDER_REVIEW, officer=officer, **fields)
    before = snapshot(application)

    response = approve(as_officer, application, valid_to=valid_to.isoformat())

    assert response.status_code == 400
    assert "valid_to" in response.context["approve_form"].errors
    assert snapshot(application) == before
    assert not Permit.objects.exists()


def test_approve_up_to_the_passport_limit(application_in, officer, as_officer):
    application = application_in(
        Status.UNDER_REVIEW, officer=officer, passport_expiry_date=date(2028, 10, 1)
    )

    approve(as_officer, application, valid_to="2028-08-02")

    assert fresh(application).status == Status.APPROVED
    assert Permit.objects.get(application=application).valid_to == date(2028, 8, 2)


def test_a_permit_cannot_start_in_the_past(reviewing, as_officer):
    before = snapshot(reviewing)

    response = approve(as_officer, reviewing, valid_from="2024-09-30")

    assert response.status_code == 400
    assert "valid_from" in response.context["approve_form"].errors
    assert snapshot(reviewing) == before


def test_the_service_enforces_the_bounds_too(reviewing, officer):
    before = snapshot(reviewing)

    with pytest.raises(workflow.WorkflowError):
        decisions.application_approve(
            application_id=reviewing.pk,
            actor=officer,
            expected_version=reviewing.version,
            valid_from=TODAY,
            valid_to=PROGRAMME_END + timedelta(days=1),
        )
    assert snapshot(reviewing) == before


def test_a_submitted_application_cannot_be_approved_before_review(application_in, as_officer):
    submitted = application_in(Status.SUBMITTED)
    before = snapshot(submitted)

    response = approve(as_officer, submitted)

    assert response.status_code == 302
    assert messages_of(response)
    assert snapshot(submitted) == before


# --- reject ----------------------------------------------------------------------------------


def reject(client, application, **data):
    data.setdefault("version", fresh(application).version)
    data.setdefault("reason_codes", ["conditions_not_met", "studies_cannot_continue"])
    data.setdefault("explanation", "The university confirmed that the enrolment was cancelled.")
    return client.post(reverse("officer-reject", args=[application.pk]), data)


def test_reject_with_reasons_and_an_explanation(reviewing, officer, as_officer, as_student):
    response = reject(as_officer, reviewing)

    assert response["Location"] == review_url(reviewing)
    assert messages_of(response) == ["The application was refused."]
    after = fresh(reviewing)
    assert after.status == Status.REJECTED
    assert after.decided_at is not None
    event = selectors.rejection_details(after)
    assert event.actor == officer
    assert event.data == {"reasons": ["conditions_not_met", "studies_cannot_continue"]}
    assert event.note == "The university confirmed that the enrolment was cancelled."
    html = student_page(as_student, reviewing)
    assert "The university confirmed that the enrolment was cancelled." in html
    assert str(decisions.REJECTION_REASONS["studies_cannot_continue"]) in html
    assert "How to appeal" in html
    assert not Permit.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reason_codes": []},
        {"reason_codes": ["made_up"]},
        {"explanation": ""},
    ],
    ids=["no-reason", "unknown-reason", "no-explanation"],
)
def test_reject_needs_grounds_and_an_explanation(reviewing, as_officer, data):
    before = snapshot(reviewing)

    response = reject(as_officer, reviewing, **data)

    assert response.status_code == 400
    assert snapshot(reviewing) == before


# --- stale pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decide",
    [
        lambda client, app, v: approve(client, app, version=v),
        lambda client, app, v: reject(client, app, version=v),
        lambda client, app, v: request_info(client, app, version=v, due_date="2024-10-20"),
        lambda client, app, v: client.post(
            reverse("officer-start-review", args=[app.pk]), {"version": v}
        ),
    ],
    ids=["approve", "reject", "request-info", "start-review"],
)
def test_a_stale_page_changes_nothing(reviewing, officer, as_officer, decide):
    # Someone else acted meanwhile: the version moved on.
    decisions.application_release(
        application_id=reviewing.pk, actor=officer, expected_version=reviewing.version
    )
    case_claim_next(actor=officer)
    before = snapshot(reviewing)

    response = decide(as_officer, reviewing, reviewing.version)

    assert response.status_code == 302
    assert response["Location"] == review_url(reviewing)
    (message,) = messages_of(response)
    assert "changed by someone else" in message
    assert snapshot(reviewing) == before
    assert not Permit.objects.exists()
    page = as_officer.get(response["Location"]).content.decode()
    assert "changed by someone else" in page


# --- two approvals at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_approvals_issue_exactly_one_permit(application_in):
    first, second = OfficerFactory(), OfficerFactory()
    application = application_in(Status.UNDER_REVIEW, officer=first)
    seen_version = application.version
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    lock = threading.Lock()

    def worker(officer) -> None:
        try:
            barrier.wait(timeout=10)
            result: object = decisions.application_approve(
                application_id=application.pk,
                actor=officer,
                expected_version=seen_version,
                valid_from=TODAY,
                valid_to=PROGRAMME_END,
            )
        except BaseException as exc:  # the loser's StaleVersion, checked below
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    pool = [threading.Thread(target=worker, args=(o,)) for o in (first, second)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in pool)

    permits = [o for o in outcomes if isinstance(o, Permit)]
    errors = [o for o in outcomes if not isinstance(o, Permit)]
    assert len(permits) == 1, outcomes
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], workflow.StaleVersion), errors
    assert Permit.objects.filter(application=application).count() == 1
    after = fresh(application)
    assert after.status == Status.APPROVED
    assert after.version == seen_version + 1
    assert (
        after.events.filter(
            kind=ApplicationEvent.Kind.STATUS_CHANGED, to_status=Status.APPROVED
        ).count()
        == 1
    )


def test_a_passport_too_short_for_any_permit_leaves_request_and_refusal(
    application_in, officer, as_officer
):
    # Expiry minus the 60-day margin lies before today: no permit period exists at all.
    short = application_in(
        Status.UNDER_REVIEW, officer=officer, passport_expiry_date=TODAY + timedelta(days=30)
    )

    html = as_officer.get(review_url(short)).content.decode()

    assert "Passport check: FAILED." in html
    assert "A permit can run until" not in html
    assert reverse("officer-approve", args=[short.pk]) not in html
    assert reverse("officer-request-info", args=[short.pk]) in html
    assert reverse("officer-reject", args=[short.pk]) in html


def test_a_decided_applications_documents_get_no_new_verdict(application_in, officer, as_officer):
    decided = application_in(Status.REJECTED, officer=officer)
    document = decided.documents.filter(is_current=True).first()

    verdict(as_officer, document, verdict="accepted")

    document.refresh_from_db()
    assert document.review == Document.Review.PENDING


def test_officers_cannot_open_a_drafts_documents(application_in, as_officer):
    draft = application_in(Status.DRAFT)
    document = draft.documents.first() or DocumentFactory(application=draft)

    response = as_officer.get(reverse("document-file", args=[document.pk]))

    assert response.status_code == 404
    assert not ApplicationEvent.objects.filter(application=draft, kind__in=ACCESS_LOG).exists()


def test_the_review_page_shows_the_notice_delivery_log(reviewing, as_officer):
    html = as_officer.get(review_url(reviewing)).content.decode()

    assert "Notices sent to the student" in html
    # Submission and the start of the review each wrote a notice for the student.
    assert html.count(reviewing.applicant.email) >= 2
    assert "Application received" in html
