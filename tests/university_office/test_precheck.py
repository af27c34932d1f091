"""The university's document check before the queue, where the university switched it on."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import precheck, services, workflow
from applications.models import Application, PrecheckRound, Status
from applications.workflow import IncompleteApplication
from cases.errors import NotPermitted
from cases.registry import case_kind
from notifications.models import Notification
from tests.factories import PNG_BYTES, OfficerFactory

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db


def fresh(application):
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def checking(uni_a):
    uni_a.precheck_enabled = True
    uni_a.save(update_fields=["precheck_enabled"])
    return uni_a


def handed_in(case_at, university):
    """A hand-in stops at the university's check (``case_at`` would expect "submitted")."""
    from django.utils import timezone

    from tests.factories import ApplicationFactory, attach_required_documents

    application = ApplicationFactory(
        university=university, province=university.province, declaration_accepted_at=timezone.now()
    )
    attach_required_documents(application, on=TODAY)
    workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=fresh(application).version,
    )
    return fresh(application)


def test_a_hand_in_waits_for_the_university_and_not_in_the_queue(checking, case_at, office_a):
    with at(TODAY):
        application = handed_in(case_at, checking)
    assert application.status == Status.PRECHECK
    assert application.reference
    assert application.submitted_at is None
    assert application.precheck_rounds.get().state == PrecheckRound.State.OPEN
    queue = case_kind("application").all_cases().filter(status__in=["submitted", "under_review"])
    assert not queue.filter(pk=application.pk).exists()
    assert Notification.objects.filter(kind="precheck_started").count() == 1


def test_passing_sends_the_case_to_the_queue_and_starts_the_legal_clock(
    checking, case_at, office_a, client
):
    with at(TODAY):
        application = handed_in(case_at, checking)
        precheck.precheck_pass(
            application_id=application.pk, actor=office_a, expected_version=application.version
        )
    application = fresh(application)
    assert application.status == Status.SUBMITTED
    assert application.submitted_at is not None
    assert application.precheck_rounds.get().state == PrecheckRound.State.PASSED
    assert Notification.objects.filter(kind="precheck_passed").count() == 1
    client.force_login(OfficerFactory())
    review = client.get(reverse("officer-review", args=[application.pk])).content.decode()
    assert "checked the documents on 2026-03-02 before sending the case here" in review


def test_a_return_gives_a_reason_per_document_and_the_student_replaces_them(
    checking, case_at, office_a, client
):
    with at(TODAY):
        application = handed_in(case_at, checking)
        precheck.precheck_return(
            application_id=application.pk,
            actor=office_a,
            expected_version=application.version,
            reasons={"photo": "The photo is not biometric.", "student_certificate": ""},
        )
    application = fresh(application)
    assert application.status == Status.RETURNED
    assert application.precheck_rounds.get().returned_documents == {
        "photo": "The photo is not biometric."
    }
    client.force_login(application.applicant)
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "The photo is not biometric." in page
    with at(TODAY), pytest.raises(IncompleteApplication):
        precheck.application_resubmit(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=application.version,
        )
    with at(TODAY + timedelta(days=1)):
        services.document_upload(
            application_id=application.pk,
            actor=application.applicant,
            kind="photo",
            uploaded=SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png"),
        )
        # Only the returned documents can change.
        with pytest.raises(services.WorkflowError):
            services.document_upload(
                application_id=application.pk,
                actor=application.applicant,
                kind="passport",
                uploaded=SimpleUploadedFile("p.png", PNG_BYTES, content_type="image/png"),
            )
        response = client.post(
            reverse("application-resubmit", args=[application.pk]),
            {"version": fresh(application).version},
        )
    assert response.status_code == 302
    application = fresh(application)
    assert application.status == Status.PRECHECK
    assert application.precheck_rounds.filter(state="open").count() == 1


def test_a_return_without_any_reason_is_refused(checking, case_at, office_a):
    with at(TODAY):
        application = handed_in(case_at, checking)
        with pytest.raises(precheck.WorkflowError):
            precheck.precheck_return(
                application_id=application.pk,
                actor=office_a,
                expected_version=application.version,
                reasons={"photo": "  "},
            )
    assert fresh(application).status == Status.PRECHECK


def test_another_universitys_office_cannot_check_nor_open_the_documents(
    checking, case_at, office_b, client
):
    with at(TODAY):
        application = handed_in(case_at, checking)
        with pytest.raises(NotPermitted):
            precheck.precheck_pass(
                application_id=application.pk, actor=office_b, expected_version=application.version
            )
    document = application.documents.first()
    client.force_login(office_b)
    assert client.get(reverse("university-precheck-case", args=[application.pk])).status_code == 404
    url = reverse("university-precheck-document", args=[application.pk, document.pk])
    assert client.get(url).status_code == 404


def test_the_office_sees_documents_only_during_its_check(checking, case_at, office_a, client):
    with at(TODAY):
        application = handed_in(case_at, checking)
    document = application.documents.first()
    url = reverse("university-precheck-document", args=[application.pk, document.pk])
    client.force_login(office_a)
    assert client.get(url).status_code == 200
    page = client.get(reverse("university-precheck-case", args=[application.pk])).content.decode()
    assert document.original_name in page
    response = client.post(
        reverse("university-precheck-case", args=[application.pk]),
        {"version": application.version, "decision": "pass", "note": ""},
    )
    assert response.status_code == 302
    assert fresh(application).status == Status.SUBMITTED
    assert client.get(url).status_code == 404


def test_without_the_check_switched_on_cases_go_straight_to_the_queue(case_at, uni_a, office_a):
    with at(TODAY):
        application = case_at(uni_a)
    assert application.status == Status.SUBMITTED
    assert not application.precheck_rounds.exists()


def test_the_tracker_lists_what_is_missing(checking, case_at, office_a, client):
    with at(TODAY):
        application = handed_in(case_at, checking)
        precheck.precheck_return(
            application_id=application.pk,
            actor=office_a,
            expected_version=application.version,
            reasons={"photo": "Blurred."},
        )
    client.force_login(office_a)
    page = client.get(reverse("university-students") + "?status=returned").content.decode()
    assert application.reference in page
    assert "returned by your office" in page
    assert "enrolment confirmation" in page


def test_retention_removes_the_universitys_reasons_and_keeps_which_documents(
    checking, case_at, office_a, settings
):
    from datetime import date

    from applications import workflow
    from applications.retention import application_anonymise

    with at(TODAY):
        application = handed_in(case_at, checking)
        precheck.precheck_return(
            application_id=application.pk,
            actor=office_a,
            expected_version=application.version,
            reasons={"photo": "Blurred; Aysel, call me on 0532 000 00 00."},
            note="Bring it to room 12.",
        )
        workflow.application_withdraw(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=fresh(application).version,
        )
    with at(date(2032, 3, 2)):
        assert application_anonymise(application_id=application.pk)
    round_ = application.precheck_rounds.get()
    assert (round_.returned_documents, round_.note) == ({"photo": ""}, "")
