"""The workflow services: every status change, who may make it, and what it leaves behind."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from applications.decisions import (
    REJECTION_REASONS,
    application_approve,
    application_reject,
    application_request_info,
    application_start_review,
)
from applications.flow import TRANSITIONS
from applications.models import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    Application,
    ApplicationEvent,
    InfoRequest,
    ReferenceCounter,
    Status,
)
from applications.precheck import application_resubmit, precheck_pass, precheck_return
from applications.references import REFERENCE_RE
from applications.services import document_upload
from applications.workflow import (
    IncompleteApplication,
    application_provide_info,
    application_start,
    application_submit,
    application_withdraw,
)
from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed, WorkflowError
from permits.models import Permit
from rules.models import PolicyVersion
from tests.factories import (
    PNG_BYTES,
    ApplicationFactory,
    SupervisorFactory,
    UniversityStaffFactory,
    UserFactory,
    attach_required_documents,
)
from universities.models import University

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
TODAY = date(2024, 10, 1)
REQUIRED_DOCUMENTS = [
    "passport_identity_page",
    "passport_entry_stamp",
    "photo",
    "student_certificate",
    "health_insurance",
    "proof_of_address",
]


@pytest.fixture(autouse=True)
def _today():
    """The worked example's evaluation date, mid-morning in Türkiye; messages in English."""
    with (
        time_machine.travel(datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL), tick=False),
        translation.override("en"),
    ):
        yield


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def complete_draft(**fields) -> Application:
    fields.setdefault("declaration_accepted_at", timezone.now())
    application = ApplicationFactory(**fields)
    attach_required_documents(application, on=TODAY)
    return application


def events(application: Application) -> list[tuple[str, str, str]]:
    return list(
        application.events.filter(kind=ApplicationEvent.Kind.STATUS_CHANGED).values_list(
            "from_status", "to_status", "actor__email"
        )
    )


def submit(application: Application) -> Application:
    return application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=fresh(application).version,
    )


def start_review(application: Application, officer) -> Application:
    return application_start_review(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
    )


def request_info(application: Application, officer, **kwargs) -> InfoRequest:
    kwargs.setdefault("message", "Please upload a clearer photo.")
    kwargs.setdefault("document_kinds", ["photo"])
    return application_request_info(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
        **kwargs,
    )


def provide_info(application: Application, actor=None, response: str = "Uploaded.") -> Application:
    return application_provide_info(
        application_id=application.pk,
        actor=actor or application.applicant,
        expected_version=fresh(application).version,
        response=response,
    )


def approve(
    application: Application,
    officer,
    valid_from: date = TODAY,
    valid_to: date = date(2028, 9, 15),
) -> Permit:
    return application_approve(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def reject(
    application: Application,
    officer,
    reason_codes: tuple[str, ...] = ("conditions_not_met",),
    explanation: str = "The passport is not valid long enough.",
) -> Application:
    return application_reject(
        application_id=application.pk,
        actor=officer,
        expected_version=fresh(application).version,
        reason_codes=list(reason_codes),
        explanation=explanation,
    )


def withdraw(application: Application, actor=None, note: str = "") -> Application:
    return application_withdraw(
        application_id=application.pk,
        actor=actor or application.applicant,
        expected_version=fresh(application).version,
        note=note,
    )


def office_of(application: Application):
    """The international office of the application's university (made the first time)."""
    from universities.models import UniversityStaff

    membership = UniversityStaff.objects.filter(university=application.university).first()
    if membership is not None:
        return membership.user
    return UniversityStaffFactory(university=application.university)


def hand_in_for_check(application: Application) -> Application:
    """Hand in at a university whose office checks documents first."""
    office_of(application)
    University.objects.filter(pk=application.university_id).update(precheck_enabled=True)
    return submit(application)


def return_to_student(application: Application) -> Application:
    return precheck_return(
        application_id=application.pk,
        actor=office_of(application),
        expected_version=fresh(application).version,
        reasons={"photo": "Not a biometric photo."},
    )


def hand_in_again(application: Application) -> Application:
    return application_resubmit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=fresh(application).version,
    )


def in_status(status: str, officer) -> Application:
    """A complete application brought to ``status`` through the services only."""
    application = complete_draft()
    if status == Status.DRAFT:
        return application
    if status in (Status.PRECHECK, Status.RETURNED):
        hand_in_for_check(application)
        if status == Status.RETURNED:
            return_to_student(application)
            # The student has already replaced the returned photo, not yet handed it in.
            document_upload(
                application_id=application.pk,
                actor=application.applicant,
                kind="photo",
                uploaded=SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png"),
            )
        return fresh(application)
    submit(application)
    if status == Status.WITHDRAWN:
        withdraw(application)
    elif status != Status.SUBMITTED:
        start_review(application, officer)
    if status == Status.INFO_REQUESTED:
        request_info(application, officer)
    elif status == Status.APPROVED:
        approve(application, officer)
    elif status == Status.REJECTED:
        reject(application, officer)
    application = fresh(application)
    assert application.status == status
    return application


# --- the table ------------------------------------------------------------------------------


DESIGNED_EDGES = {
    (Status.DRAFT, Status.SUBMITTED),
    (Status.DRAFT, Status.WITHDRAWN),
    (Status.SUBMITTED, Status.UNDER_REVIEW),
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.UNDER_REVIEW, Status.INFO_REQUESTED),
    (Status.UNDER_REVIEW, Status.APPROVED),
    (Status.UNDER_REVIEW, Status.REJECTED),
    (Status.UNDER_REVIEW, Status.WITHDRAWN),
    (Status.INFO_REQUESTED, Status.UNDER_REVIEW),
    (Status.INFO_REQUESTED, Status.WITHDRAWN),
    # The university's document check, where the university has switched it on.
    (Status.DRAFT, Status.PRECHECK),
    (Status.PRECHECK, Status.SUBMITTED),
    (Status.PRECHECK, Status.RETURNED),
    (Status.PRECHECK, Status.WITHDRAWN),
    (Status.RETURNED, Status.PRECHECK),
    (Status.RETURNED, Status.WITHDRAWN),
}


class TestTransitionTable:
    def test_covers_every_status_and_nothing_else(self):
        assert set(TRANSITIONS) == set(Status.values)
        assert set().union(*TRANSITIONS.values()) <= set(Status.values)

    def test_is_exactly_the_designed_lifecycle(self):
        edges = {(source, target) for source, targets in TRANSITIONS.items() for target in targets}
        assert edges == DESIGNED_EDGES

    def test_decided_and_withdrawn_applications_are_final(self):
        for status in FINAL_STATUSES:
            assert TRANSITIONS[status] == frozenset()
        # "Active" (one per student) is exactly "can still move".
        assert {s for s, targets in TRANSITIONS.items() if targets} == set(ACTIVE_STATUSES)


def perform(target: str, application: Application, officer):
    """The service whose result is ``target``; provide_info is exercised on its own below."""
    if target == Status.SUBMITTED:
        if application.status == Status.PRECHECK:
            return precheck_pass(
                application_id=application.pk,
                actor=office_of(application),
                expected_version=fresh(application).version,
            )
        return submit(application)
    if target == Status.PRECHECK:
        if application.status == Status.DRAFT:
            return hand_in_for_check(application)
        return hand_in_again(application)
    if target == Status.RETURNED:
        return return_to_student(application)
    if target == Status.UNDER_REVIEW:
        if application.status == Status.INFO_REQUESTED:
            return provide_info(application)
        return start_review(application, officer)
    if target == Status.INFO_REQUESTED:
        return request_info(application, officer)
    if target == Status.APPROVED:
        return approve(application, officer)
    if target == Status.REJECTED:
        return reject(application, officer)
    if target == Status.WITHDRAWN:
        return withdraw(application)
    raise AssertionError(target)


@pytest.mark.parametrize(
    ("source", "target"),
    sorted(DESIGNED_EDGES),
)
def test_every_allowed_transition_works_through_its_service(source, target, officer):
    application = in_status(source, officer)
    version = application.version

    perform(target, application, officer)

    after = fresh(application)
    assert after.status == target
    assert after.version == version + 1
    assert events(after)[-1][:2] == (source, target)


NOT_ALLOWED = sorted(
    (source, target)
    for source, target in itertools.product(Status.values, Status.values)
    if (source, target) not in DESIGNED_EDGES and target != Status.DRAFT
)


@pytest.mark.parametrize(("source", "target"), NOT_ALLOWED)
def test_every_other_transition_is_refused_and_changes_nothing(source, target, officer):
    application = in_status(source, officer)
    before = (application.status, application.version, application.events.count())

    with pytest.raises(TransitionNotAllowed) as excinfo:
        perform(target, application, officer)

    after = fresh(application)
    assert (after.status, after.version, after.events.count()) == before
    assert excinfo.value.message


STALE_CASES = {
    "submit": (
        Status.DRAFT,
        "applicant",
        lambda app, actor, v: application_submit(
            application_id=app.pk, actor=actor, expected_version=v
        ),
    ),
    "start_review": (
        Status.SUBMITTED,
        "officer",
        lambda app, actor, v: application_start_review(
            application_id=app.pk, actor=actor, expected_version=v
        ),
    ),
    "request_info": (
        Status.UNDER_REVIEW,
        "officer",
        lambda app, actor, v: application_request_info(
            application_id=app.pk,
            actor=actor,
            expected_version=v,
            message="Photo, please.",
            document_kinds=["photo"],
        ),
    ),
    "provide_info": (
        Status.INFO_REQUESTED,
        "applicant",
        lambda app, actor, v: application_provide_info(
            application_id=app.pk, actor=actor, expected_version=v
        ),
    ),
    "approve": (
        Status.UNDER_REVIEW,
        "officer",
        lambda app, actor, v: application_approve(
            application_id=app.pk,
            actor=actor,
            expected_version=v,
            valid_from=TODAY,
            valid_to=date(2028, 9, 15),
        ),
    ),
    "reject": (
        Status.UNDER_REVIEW,
        "officer",
        lambda app, actor, v: application_reject(
            application_id=app.pk,
            actor=actor,
            expected_version=v,
            reason_codes=["conditions_not_met"],
            explanation="Not met.",
        ),
    ),
    "withdraw": (
        Status.UNDER_REVIEW,
        "applicant",
        lambda app, actor, v: application_withdraw(
            application_id=app.pk, actor=actor, expected_version=v
        ),
    ),
}


@pytest.mark.parametrize("action", sorted(STALE_CASES))
def test_a_stale_version_is_refused_by_every_service_and_changes_nothing(officer, action):
    status, role, call = STALE_CASES[action]
    application = in_status(status, officer)
    actor = officer if role == "officer" else application.applicant
    before = (application.status, application.version, application.events.count())

    with pytest.raises(StaleVersion) as excinfo:
        call(application, actor, application.version - 1)

    assert "reload" in excinfo.value.message
    after = fresh(application)
    assert (after.status, after.version, after.events.count()) == before
    assert not Permit.objects.filter(application=application).exists()
    assert application.info_requests.filter(state=InfoRequest.State.OPEN).count() == (
        1 if status == Status.INFO_REQUESTED else 0
    )


# --- start ----------------------------------------------------------------------------------


class TestStart:
    def test_opens_a_draft_and_records_it(self, student):
        application = application_start(applicant=student)

        assert application.status == Status.DRAFT
        assert application.version == 1
        assert application.contact_email == student.email
        assert application.reference is None
        event = application.events.get()
        assert (event.kind, event.actor) == (ApplicationEvent.Kind.CREATED, student)

    def test_a_second_start_is_refused_with_a_clear_message(self, student):
        first = application_start(applicant=student)

        with pytest.raises(WorkflowError) as excinfo:
            application_start(applicant=student)

        assert excinfo.value.message == "You already have an application in progress."
        assert list(student.applications.all()) == [first]

    def test_a_new_start_after_withdrawing(self, student):
        first = complete_draft(applicant=student)
        submit(first)
        withdraw(first)

        second = application_start(applicant=student)

        assert second.pk != first.pk
        assert second.status == Status.DRAFT


# --- submit ---------------------------------------------------------------------------------


class TestSubmit:
    def test_complete_application_is_submitted_with_its_evaluation(self):
        application = complete_draft()

        submitted = submit(application)

        stored = fresh(application)
        assert submitted.reference == stored.reference
        match = REFERENCE_RE.match(stored.reference)
        assert match
        assert match["year"] == "2024"
        assert stored.status == Status.SUBMITTED
        assert stored.version == 2
        assert stored.submitted_at == timezone.now()
        assert stored.evaluated_on == TODAY
        assert stored.policy_version == PolicyVersion.objects.get(number=1)
        outcome = stored.eligibility_outcome
        assert outcome["policy_version"] == 1
        assert outcome["eligible"] is True
        assert outcome["permit_start"] == "2024-10-01"
        assert outcome["permit_end"] == "2028-09-15"
        assert outcome["passport_required_until"] == "2028-11-14"
        assert events(stored) == [(Status.DRAFT, Status.SUBMITTED, application.applicant.email)]
        event = stored.events.get(kind=ApplicationEvent.Kind.STATUS_CHANGED)
        assert event.data == {"reference": stored.reference, "policy_version": 1}

    def test_references_follow_each_other(self):
        first, second = submit(complete_draft()), submit(complete_draft())
        assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1

    def test_an_ineligible_outcome_is_stored_for_the_officer_to_decide(self):
        application = complete_draft(
            passport_issue_date=date(2018, 7, 1), passport_expiry_date=date(2028, 6, 30)
        )

        submit(application)

        outcome = fresh(application).eligibility_outcome
        assert outcome["eligible"] is False
        assert [r["code"] for r in outcome["reasons"]] == ["passport_too_short"]
        assert outcome["max_permit_end_by_passport"] == "2028-05-01"

    def test_incomplete_application_lists_what_is_missing(self):
        application = ApplicationFactory(
            surname="",
            university=None,
            province=None,
            passport_expiry_date=None,
            declaration_accepted_at=timezone.now(),
        )

        with pytest.raises(IncompleteApplication) as excinfo:
            submit(application)

        assert excinfo.value.missing == [
            "surname",
            "passport_expiry_date",
            "university",
            "province",
            *REQUIRED_DOCUMENTS,
        ]
        stored = fresh(application)
        assert (stored.status, stored.version, stored.reference) == (Status.DRAFT, 1, None)
        assert not ReferenceCounter.objects.filter(year=2024).exists()

    def test_missing_documents_alone_block_submission(self):
        application = ApplicationFactory(declaration_accepted_at=timezone.now())
        attach_required_documents(application, on=TODAY)
        application.documents.filter(kind="health_insurance").update(is_current=False)

        with pytest.raises(IncompleteApplication) as excinfo:
            submit(application)

        assert excinfo.value.missing == ["health_insurance"]

    def test_a_minor_needs_parental_consent(self):
        # 17 on the submission date; the checklist of an adult is not enough.
        application = complete_draft(date_of_birth=date(2007, 1, 1))
        application.documents.filter(kind="parental_consent").delete()

        with pytest.raises(IncompleteApplication) as excinfo:
            submit(application)

        assert excinfo.value.missing == ["parental_consent"]

    def test_the_declaration_must_be_confirmed(self):
        application = complete_draft(declaration_accepted_at=None)

        with pytest.raises(WorkflowError) as excinfo:
            submit(application)

        assert "declaration" in excinfo.value.message
        assert fresh(application).status == Status.DRAFT

    def test_an_entry_date_after_the_submission_date_is_a_workflow_error(self):
        application = complete_draft(entry_date=date(2024, 10, 2))

        with pytest.raises(WorkflowError) as excinfo:
            submit(application)

        assert "2 Oct 2024" in excinfo.value.message
        assert fresh(application).status == Status.DRAFT

    def test_a_stale_form_changes_nothing(self):
        application = complete_draft()

        with pytest.raises(StaleVersion) as excinfo:
            application_submit(
                application_id=application.pk, actor=application.applicant, expected_version=0
            )

        assert "changed by someone else" in excinfo.value.message
        stored = fresh(application)
        assert (stored.status, stored.version, stored.reference) == (Status.DRAFT, 1, None)
        assert stored.eligibility_outcome is None
        assert events(stored) == []

    def test_only_the_applicant_submits(self, officer):
        application = complete_draft()

        for someone_else in (officer, UserFactory()):
            with pytest.raises(NotPermitted):
                application_submit(
                    application_id=application.pk, actor=someone_else, expected_version=1
                )
        assert fresh(application).status == Status.DRAFT


# --- review ---------------------------------------------------------------------------------


class TestStartReview:
    def test_assigns_the_officer(self, officer):
        application = in_status(Status.SUBMITTED, officer)

        start_review(application, officer)

        stored = fresh(application)
        assert stored.status == Status.UNDER_REVIEW
        assert stored.assignee == officer
        assert events(stored)[-1] == (Status.SUBMITTED, Status.UNDER_REVIEW, officer.email)

    def test_a_supervisor_is_an_officer_too(self, officer):
        application = in_status(Status.SUBMITTED, officer)
        supervisor = SupervisorFactory()

        start_review(application, supervisor)

        assert fresh(application).assignee == supervisor

    def test_stale_version(self, officer):
        application = in_status(Status.SUBMITTED, officer)

        with pytest.raises(StaleVersion):
            application_start_review(
                application_id=application.pk,
                actor=officer,
                expected_version=application.version - 1,
            )
        assert fresh(application).assignee is None


class TestRequestInfo:
    def test_default_due_date_is_thirty_days_from_today(self, officer):
        application = in_status(Status.UNDER_REVIEW, officer)

        request = request_info(
            application,
            officer,
            message="  Please upload your health insurance.  ",
            document_kinds=["photo", "health_insurance"],
        )

        assert request.due_date == TODAY + timedelta(days=30)
        assert request.state == InfoRequest.State.OPEN
        assert request.message == "Please upload your health insurance."
        assert request.document_kinds == ["health_insurance", "photo"]
        assert request.requested_by == officer
        stored = fresh(application)
        assert stored.status == Status.INFO_REQUESTED
        event = stored.events.order_by("pk").last()
        assert event.data == {"info_request": request.pk, "due_date": "2024-10-31"}

    def test_the_period_comes_from_the_applications_policy(self, officer):
        application = in_status(Status.UNDER_REVIEW, officer)
        PolicyVersion.objects.filter(number=1).update(info_request_days=14)

        request = request_info(application, officer)

        assert request.due_date == date(2024, 10, 15)

    def test_an_explicit_due_date(self, officer):
        application = in_status(Status.UNDER_REVIEW, officer)

        request = request_info(application, officer, due_date=date(2024, 10, 2))

        assert request.due_date == date(2024, 10, 2)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"message": "   "},
            {"document_kinds": ["selfie"]},
            {"due_date": TODAY},
            {"due_date": TODAY - timedelta(days=1)},
        ],
        ids=["blank-message", "unknown-kind", "due-today", "due-yesterday"],
    )
    def test_refused_requests_change_nothing(self, officer, kwargs):
        application = in_status(Status.UNDER_REVIEW, officer)

        with pytest.raises(WorkflowError):
            request_info(application, officer, **kwargs)

        assert fresh(application).status == Status.UNDER_REVIEW
        assert not application.info_requests.exists()


class TestProvideInfo:
    def test_answers_the_open_request_and_resumes_the_review(self, officer):
        application = in_status(Status.INFO_REQUESTED, officer)
        request = application.info_requests.get()

        provide_info(application, response="  New photo uploaded.  ")

        request.refresh_from_db()
        assert request.state == InfoRequest.State.ANSWERED
        assert request.response == "New photo uploaded."
        assert request.responded_at == timezone.now()
        stored = fresh(application)
        assert stored.status == Status.UNDER_REVIEW
        assert events(stored)[-1] == (
            Status.INFO_REQUESTED,
            Status.UNDER_REVIEW,
            application.applicant.email,
        )

    def test_only_the_applicant_answers(self, officer):
        application = in_status(Status.INFO_REQUESTED, officer)

        with pytest.raises(NotPermitted):
            provide_info(application, actor=officer)
        assert fresh(application).status == Status.INFO_REQUESTED

    def test_nothing_to_answer_while_merely_submitted(self, officer):
        # submitted -> under_review is in the table, but only an officer's start_review makes it.
        application = in_status(Status.SUBMITTED, officer)

        with pytest.raises(TransitionNotAllowed):
            provide_info(application)
        stored = fresh(application)
        assert (stored.status, stored.assignee) == (Status.SUBMITTED, None)

    def test_a_review_cannot_be_restarted_over_an_open_request(self, officer):
        application = in_status(Status.INFO_REQUESTED, officer)

        with pytest.raises(TransitionNotAllowed):
            start_review(application, officer)
        assert application.info_requests.get().state == InfoRequest.State.OPEN


class TestApprove:
    def test_creates_the_permit(self, officer):
        application = in_status(Status.UNDER_REVIEW, officer)

        permit = approve(application, officer, valid_to=date(2028, 9, 15))

        stored = fresh(application)
        assert stored.status == Status.APPROVED
        assert stored.decided_at == timezone.now()
        assert permit.application == stored
        assert permit.number == f"IKM-{stored.reference}"
        assert (permit.valid_from, permit.valid_to) == (TODAY, date(2028, 9, 15))
        assert permit.issued_by == officer
        assert len(permit.verification_code) == 10
        assert events(stored)[-1][:2] == (Status.UNDER_REVIEW, Status.APPROVED)

    @pytest.mark.parametrize(
        ("valid_from", "valid_to", "says"),
        [
            (TODAY, date(2028, 9, 16), "2028-09-15"),  # one day after the programme ends
            (TODAY - timedelta(days=1), date(2028, 9, 15), "decision date"),
            (date(2025, 1, 1), date(2024, 12, 31), "end after it starts"),
        ],
        ids=["after-programme-end", "before-decision", "ends-before-start"],
    )
    def test_refuses_a_permit_outside_its_bounds(self, officer, valid_from, valid_to, says):
        application = in_status(Status.UNDER_REVIEW, officer)

        with pytest.raises(WorkflowError) as excinfo:
            approve(application, officer, valid_from=valid_from, valid_to=valid_to)

        assert says in excinfo.value.message
        assert fresh(application).status == Status.UNDER_REVIEW
        assert not Permit.objects.filter(application=application).exists()

    def test_the_passport_limits_the_permit(self, officer):
        # Passport until 2028-06-30: a permit may last until 60 days before, 2028-05-01.
        application = complete_draft(
            passport_issue_date=date(2018, 7, 1), passport_expiry_date=date(2028, 6, 30)
        )
        submit(application)
        start_review(application, officer)

        with pytest.raises(WorkflowError) as excinfo:
            approve(application, officer, valid_to=date(2028, 5, 2))
        assert "2028-05-01" in excinfo.value.message

        permit = approve(application, officer, valid_to=date(2028, 5, 1))
        assert permit.valid_to == date(2028, 5, 1)


class TestReject:
    def test_records_grounds_and_explanation(self, officer):
        application = in_status(Status.UNDER_REVIEW, officer)

        reject(
            application,
            officer,
            reason_codes=("studies_cannot_continue", "conditions_not_met"),
            explanation="  The university confirmed the registration was cancelled.  ",
        )

        stored = fresh(application)
        assert stored.status == Status.REJECTED
        assert stored.decided_at == timezone.now()
        event = stored.events.order_by("pk").last()
        assert event.data == {"reasons": ["conditions_not_met", "studies_cannot_continue"]}
        assert event.note == "The university confirmed the registration was cancelled."

    @pytest.mark.parametrize(
        ("reason_codes", "explanation"),
        [((), "Explained."), (("no_reason_at_all",), "Explained."), (("other_purpose",), "  ")],
        ids=["no-ground", "unknown-ground", "no-explanation"],
    )
    def test_needs_grounds_and_an_explanation(self, officer, reason_codes, explanation):
        application = in_status(Status.UNDER_REVIEW, officer)

        with pytest.raises(WorkflowError):
            reject(application, officer, reason_codes=reason_codes, explanation=explanation)
        assert fresh(application).status == Status.UNDER_REVIEW

    def test_the_grounds_are_those_of_lfip_article_40(self):
        assert set(REJECTION_REASONS) == {
            "conditions_not_met",
            "conditions_no_longer_met",
            "studies_cannot_continue",
            "other_purpose",
            "deportation_or_entry_ban",
        }


class TestWithdraw:
    @pytest.mark.parametrize(
        "status",
        list(ACTIVE_STATUSES),
    )
    def test_the_applicant_withdraws_an_active_application(self, officer, status):
        application = in_status(status, officer)

        withdraw(application, note="  I am moving to another country.  ")

        stored = fresh(application)
        assert stored.status == Status.WITHDRAWN
        assert stored.events.order_by("pk").last().note == "I am moving to another country."
        assert not stored.info_requests.filter(state=InfoRequest.State.OPEN).exists()

    def test_an_open_information_request_is_cancelled(self, officer):
        application = in_status(Status.INFO_REQUESTED, officer)

        withdraw(application)

        assert application.info_requests.get().state == InfoRequest.State.CANCELLED

    def test_nobody_else_withdraws(self, officer):
        application = in_status(Status.SUBMITTED, officer)

        for someone_else in (officer, UserFactory()):
            with pytest.raises(NotPermitted):
                withdraw(application, actor=someone_else)
        assert fresh(application).status == Status.SUBMITTED


# --- roles ----------------------------------------------------------------------------------


OFFICER_ACTIONS = {
    "start_review": (Status.SUBMITTED, lambda app, actor: start_review(app, actor)),
    "request_info": (Status.UNDER_REVIEW, lambda app, actor: request_info(app, actor)),
    "approve": (Status.UNDER_REVIEW, lambda app, actor: approve(app, actor)),
    "reject": (Status.UNDER_REVIEW, lambda app, actor: reject(app, actor)),
}


@pytest.mark.parametrize("action", sorted(OFFICER_ACTIONS))
@pytest.mark.parametrize("who", ["applicant", "another student"])
def test_students_cannot_take_officer_actions(officer, action, who):
    status, perform_action = OFFICER_ACTIONS[action]
    application = in_status(status, officer)
    actor = application.applicant if who == "applicant" else UserFactory()
    before = fresh(application)

    with pytest.raises(NotPermitted) as excinfo:
        perform_action(application, actor)

    assert "officers" in excinfo.value.message
    after = fresh(application)
    assert (after.status, after.version) == (before.status, before.version)
    assert not Permit.objects.filter(application=application).exists()
