"""The REST API of universities' systems (``/api/v1/``): a token of one university, its students
only, the same services (and so the same history) as the office's pages."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import (
    Application,
    ApplicationEvent,
    EnrolmentConfirmation,
    EnrolmentStatus,
    PrecheckRound,
    Status,
)
from cases.errors import NotPermitted, WorkflowError
from reports.models import Report, ReportType
from tests.factories import ApplicationFactory, attach_required_documents
from universities.models import UniversityStaff
from university_office import services
from university_office.api.exceptions import api_exception_handler
from university_office.models import ApiToken, Channel, StudyEndReport

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def api_client(key: str | None = None) -> Client:
    headers = {"accept-language": "en"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    return Client(headers=headers)


def errors_of(response, status: int) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}
    assert all(
        isinstance(message, str) and message
        for messages in body["errors"].values()
        for message in messages
    )
    return body["errors"]


def handed_in_for_precheck(university):
    """A hand-in at a university that checks documents first: the case waits in precheck."""
    application = ApplicationFactory(
        university=university, province=university.province, declaration_accepted_at=timezone.now()
    )
    attach_required_documents(application, on=timezone.localdate())
    from applications import workflow

    workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=fresh(application).version,
    )
    application = fresh(application)
    assert application.status == Status.PRECHECK
    return application


@pytest.fixture
def token_a(office_a):
    return services.token_create(actor=office_a, name="Student information system")


@pytest.fixture
def token_b(office_b):
    return services.token_create(actor=office_b, name="B's system")


@pytest.fixture
def api_a(token_a) -> Client:
    return api_client(token_a[1])


@pytest.fixture
def api_b(token_b) -> Client:
    return api_client(token_b[1])


@pytest.fixture
def cases(case_at, uni_a, uni_b):
    """Two submitted cases at A (one approved, with a permit), one at B."""
    with at(TODAY):
        return {
            "a": case_at(uni_a, surname="ALIYEVA", given_names="NARGIZ"),
            "a_approved": case_at(uni_a, "approved"),
            "b": case_at(uni_b, surname="HASANOV", given_names="ORXAN"),
        }


STUDENTS = reverse("api-students")
CONFIRMATIONS = reverse("api-confirmations")
PRECHECK = reverse("api-precheck")
REPORTS = reverse("api-reports")


# --- Tokens: who is let in ---


class TestAuthentication:
    def test_no_token_is_401_with_a_bearer_challenge(self, cases):
        response = api_client().get(STUDENTS)
        assert "__all__" in errors_of(response, 401)
        assert response["WWW-Authenticate"] == 'Bearer realm="university-api"'

    @pytest.mark.parametrize(
        "header",
        ["Bearer aztr_not-a-real-key", "Bearer nonsense", "Bearer", "Bearer a b", "bearer x"],
    )
    def test_an_unknown_or_malformed_key_is_401(self, cases, header):
        response = Client(headers={"authorization": header}).get(STUDENTS)
        errors_of(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_another_scheme_is_no_token_at_all(self, cases, token_a):
        response = Client(headers={"authorization": f"Token {token_a[1]}"}).get(STUDENTS)
        errors_of(response, 401)

    def test_a_session_is_not_a_way_in(self, cases, client_for, office_a):
        # The office's own signed-in session (with its second factor) opens pages, not the API.
        response = client_for(office_a).get(STUDENTS)
        errors_of(response, 401)

    def test_a_revoked_token_is_401(self, cases, office_a, token_a, api_a):
        assert api_a.get(STUDENTS).status_code == 200
        services.token_revoke(actor=office_a, token_id=token_a[0].pk)
        errors_of(api_a.get(STUDENTS), 401)

    def test_a_deactivated_creator_takes_the_token_with_them(
        self, cases, supervisor, office_a, api_a
    ):
        assert api_a.get(STUDENTS).status_code == 200
        membership = UniversityStaff.objects.get(user=office_a)
        services.university_staff_deactivate(actor=supervisor, membership_id=membership.pk)
        errors = errors_of(api_a.get(STUDENTS), 401)
        assert "no longer act for its university" in errors["__all__"][0]

    def test_a_creator_moved_to_another_university_cannot_use_the_old_token(
        self, cases, office_a, uni_b, api_a
    ):
        UniversityStaff.objects.filter(user=office_a).update(university=uni_b)
        errors_of(api_a.get(STUDENTS), 401)

    def test_use_is_recorded_and_only_the_hash_is_kept(self, cases, token_a, api_a):
        token, key = token_a
        assert token.last_used_at is None
        assert api_a.get(STUDENTS).status_code == 200
        token = fresh(token)
        assert token.last_used_at is not None
        assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key.startswith(token.prefix)
        assert len(token.prefix) < len(key)
        assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())

    def test_an_api_call_opens_no_session(self, cases, api_a):
        response = api_a.get(STUDENTS)
        assert response.status_code == 200
        assert "sessionid" not in response.cookies

    def test_the_token_acts_as_its_creator_in_the_history(self, cases, office_a, api_a):
        confirmation = cases["a"].enrolment
        response = api_a.post(
            reverse("api-confirmation-decline", args=[confirmation.number]),
            {"reason": "Not enrolled."},
            content_type="application/json",
        )
        assert response.status_code == 200
        event = ApplicationEvent.objects.filter(application=cases["a"]).latest("pk")
        assert event.actor == office_a


class TestThrottle:
    def test_a_token_over_its_rate_gets_429_with_retry_after(self, cases, settings, api_a, api_b):
        settings.UNIVERSITY_API_RATE_PER_MINUTE = 2
        assert api_a.get(STUDENTS).status_code == 200
        assert api_a.get(CONFIRMATIONS).status_code == 200
        response = api_a.get(STUDENTS)
        errors = errors_of(response, 429)
        assert "Too many requests" in errors["__all__"][0]
        assert 0 < int(response["Retry-After"]) <= 60
        # Each token has its own count.
        assert api_b.get(STUDENTS).status_code == 200

    def test_the_rate_follows_the_setting(self, cases, settings, api_a):
        settings.UNIVERSITY_API_RATE_PER_MINUTE = 5
        statuses = [api_a.get(STUDENTS).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]


# --- Students ---


class TestStudents:
    def test_the_list_is_the_universitys_own_cases(self, cases, api_a, api_b):
        body = api_a.get(STUDENTS).json()
        references = {row["reference"] for row in body["results"]}
        assert references == {cases["a"].reference, cases["a_approved"].reference}
        assert body["count"] == 2
        assert {row["reference"] for row in api_b.get(STUDENTS).json()["results"]} == {
            cases["b"].reference
        }

    def test_a_row_carries_the_case_its_permit_and_its_confirmation(self, cases, api_a):
        approved = cases["a_approved"]
        rows = {row["reference"]: row for row in api_a.get(STUDENTS).json()["results"]}
        row = rows[approved.reference]
        assert row["kind"] == "first"
        assert row["status"] == "approved"
        assert row["student_number"] == approved.student_number
        assert row["level"] == "bachelor"
        assert row["programme_start"] == "2024-09-16"
        assert row["permit"] == {
            "number": approved.permit.number,
            "status": "valid",
            "valid_from": approved.permit.valid_from.isoformat(),
            "valid_to": approved.permit.valid_to.isoformat(),
        }
        assert row["enrolment_confirmation"]["number"] == approved.enrolment.number
        assert rows[cases["a"].reference]["permit"] is None
        # Never what the office does not need.
        flat = str(row)
        assert approved.passport_number not in flat
        assert "passport" not in flat
        assert "fin" not in row

    def test_filters(self, cases, api_a):
        def references(**params):
            return {row["reference"] for row in api_a.get(STUDENTS, params).json()["results"]}

        assert references(status="approved") == {cases["a_approved"].reference}
        assert references(kind="extension") == set()
        assert references(search="aliyeva") == {cases["a"].reference}
        assert references(search=cases["a"].reference) == {cases["a"].reference}
        # B's student is found by nobody at A.
        assert references(search="hasanov") == set()
        assert references(search=cases["b"].reference) == set()

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"status": "draft"}, "status"), ({"kind": "x"}, "kind"), ({"search": "a\x00"}, "search")],
    )
    def test_a_bad_filter_is_400_naming_it(self, cases, api_a, params, field):
        assert field in errors_of(api_a.get(STUDENTS, params), 400)

    def test_a_page_that_does_not_exist_is_404(self, cases, api_a):
        errors_of(api_a.get(STUDENTS, {"page": 9}), 404)

    def test_detail(self, cases, api_a):
        case = cases["a"]
        response = api_a.get(reverse("api-student", args=[case.reference.lower()]))
        assert response.status_code == 200
        assert response.json()["reference"] == case.reference

    @pytest.mark.parametrize("reference", ["AZTR-2026-999999", "ä", "%00", "x" * 300])
    def test_an_unknown_reference_is_404(self, cases, api_a, reference):
        errors_of(api_a.get(f"{STUDENTS}{reference}/"), 404)

    def test_another_universitys_case_is_404_like_an_unknown_one(self, cases, api_a):
        response = api_a.get(reverse("api-student", args=[cases["b"].reference]))
        unknown = api_a.get(reverse("api-student", args=["AZTR-2026-999999"]))
        assert errors_of(response, 404) == errors_of(unknown, 404)


# --- Enrolment confirmations ---


def confirm_body(application, **changes):
    return {
        "level": application.level,
        "field": application.field,
        "programme_start": application.programme_start.isoformat(),
        "programme_end": None,
    } | changes


class TestConfirmations:
    def test_the_waiting_list_is_the_universitys_own(self, cases, api_a, api_b):
        numbers = {row["number"] for row in api_a.get(CONFIRMATIONS).json()["results"]}
        waiting_a = EnrolmentConfirmation.objects.filter(
            university=cases["a"].university, status=EnrolmentStatus.REQUESTED
        )
        assert numbers == set(waiting_a.values_list("number", flat=True))
        assert cases["b"].enrolment.number not in numbers
        assert {row["number"] for row in api_b.get(CONFIRMATIONS).json()["results"]} == {
            cases["b"].enrolment.number
        }

    def test_detail_by_number_or_reference(self, cases, api_a):
        confirmation = cases["a"].enrolment
        for term in (confirmation.number, cases["a"].reference):
            body = api_a.get(reverse("api-confirmation", args=[term])).json()
            assert body["number"] == confirmation.number
            assert body["status"] == "requested"
            assert body["stated"]["level"] == "bachelor"
            assert body["confirmed"] is None
            assert body["decline_reason"] is None

    def test_another_universitys_confirmation_is_404_for_reads_and_writes(
        self, cases, api_a, uni_a
    ):
        theirs = cases["b"].enrolment
        errors_of(api_a.get(reverse("api-confirmation", args=[theirs.number])), 404)
        errors_of(
            api_a.post(
                reverse("api-confirmation-confirm", args=[theirs.number]),
                confirm_body(cases["b"]),
                content_type="application/json",
            ),
            404,
        )
        errors_of(
            api_a.post(
                reverse("api-confirmation-decline", args=[theirs.number]),
                {"reason": "No."},
                content_type="application/json",
            ),
            404,
        )
        assert fresh(theirs).status == EnrolmentStatus.REQUESTED

    def test_confirming_writes_the_services_history_with_channel_api(self, cases, api_a, office_a):
        application = cases["a"]
        confirmation = application.enrolment
        end = "2028-09-15"
        with at(TODAY + timedelta(days=1)):
            response = api_a.post(
                reverse("api-confirmation-confirm", args=[confirmation.number]),
                confirm_body(application, programme_end=end),
                content_type="application/json",
            )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "confirmed"
        assert body["confirmed"]["programme_end"] == end
        confirmation = fresh(confirmation)
        assert confirmation.status == EnrolmentStatus.CONFIRMED
        assert confirmation.answered_by == office_a
        event = application.events.filter(
            kind=ApplicationEvent.Kind.ENROLMENT, data__to="confirmed"
        ).get()
        assert event.actor == office_a
        assert event.data["channel"] == Channel.API
        assert set(event.data) >= {"confirmation", "event", "from", "to", "corrected", "channel"}
        # The rules were evaluated again with the university's facts, as on the page.
        assert application.events.filter(
            kind=ApplicationEvent.Kind.EVALUATED, data__confirmation=confirmation.number
        ).exists()
        # Answered: no longer waiting, listed among the confirmed ones.
        waiting = api_a.get(CONFIRMATIONS).json()["results"]
        assert confirmation.number not in {row["number"] for row in waiting}
        confirmed = api_a.get(CONFIRMATIONS, {"status": "confirmed"}).json()["results"]
        assert [row["number"] for row in confirmed] == [confirmation.number]

    def test_confirming_twice_is_refused_with_the_services_message(self, cases, api_a):
        url = reverse("api-confirmation-confirm", args=[cases["a"].enrolment.number])
        body = confirm_body(cases["a"])
        assert api_a.post(url, body, content_type="application/json").status_code == 200
        errors = errors_of(api_a.post(url, body, content_type="application/json"), 400)
        assert list(errors) == ["__all__"]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"level": "diploma"}, "level"),
            ({"programme_start": "16.09.2024"}, "programme_start"),
            ({"programme_start": "9999-01-01"}, "programme_start"),
            ({"programme_end": "2024-09-01"}, "programme_end"),
        ],
    )
    def test_bad_facts_are_400_by_field(self, cases, api_a, changes, field):
        response = api_a.post(
            reverse("api-confirmation-confirm", args=[cases["a"].enrolment.number]),
            confirm_body(cases["a"], **changes),
            content_type="application/json",
        )
        assert field in errors_of(response, 400)
        assert fresh(cases["a"].enrolment).status == EnrolmentStatus.REQUESTED

    @pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"'])
    def test_a_body_that_is_not_an_object_is_400(self, cases, api_a, body):
        response = api_a.post(
            reverse("api-confirmation-confirm", args=[cases["a"].enrolment.number]),
            body,
            content_type="application/json",
        )
        errors_of(response, 400)

    def test_declining_writes_the_services_history(self, cases, api_a, office_a):
        application = cases["a"]
        response = api_a.post(
            reverse("api-confirmation-decline", args=[application.enrolment.number]),
            {"reason": "  Left the university in January.  "},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["decline_reason"] == "Left the university in January."
        confirmation = fresh(application.enrolment)
        assert confirmation.status == EnrolmentStatus.DECLINED
        event = application.events.filter(
            kind=ApplicationEvent.Kind.ENROLMENT, data__to="declined"
        ).get()
        assert event.actor == office_a
        assert event.data["channel"] == Channel.API
        assert event.note == "Left the university in January."

    def test_declining_needs_a_reason(self, cases, api_a):
        url = reverse("api-confirmation-decline", args=[cases["a"].enrolment.number])
        assert "reason" in errors_of(api_a.post(url, {}, content_type="application/json"), 400)
        response = api_a.post(url, {"reason": "   "}, content_type="application/json")
        assert "reason" in errors_of(response, 400)


# --- The document check ---


@pytest.fixture
def waiting(uni_a, uni_b, office_a, office_b):
    """A case of A and one of B waiting for their universities' document checks."""
    for university in (uni_a, uni_b):
        university.precheck_enabled = True
        university.save(update_fields=["precheck_enabled"])
    with at(TODAY):
        return {"a": handed_in_for_precheck(uni_a), "b": handed_in_for_precheck(uni_b)}


class TestPrecheck:
    def test_the_list_has_the_universitys_cases_with_their_document_kinds(self, waiting, api_a):
        body = api_a.get(PRECHECK).json()
        assert [row["reference"] for row in body["results"]] == [waiting["a"].reference]
        documents = body["results"][0]["documents"]
        kinds = set(waiting["a"].documents.filter(is_current=True).values_list("kind", flat=True))
        assert {document["kind"] for document in documents} == kinds
        # Kinds only: no file, name, size or link.
        assert all(set(document) == {"kind", "uploaded_at"} for document in documents)

    def test_passing_moves_the_case_on_as_the_service_does(self, waiting, api_a, office_a):
        case = waiting["a"]
        with at(TODAY + timedelta(days=1)):
            response = api_a.post(reverse("api-precheck-pass", args=[case.reference]))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "submitted"
        case = fresh(case)
        assert case.status == Status.SUBMITTED
        assert case.submitted_at is not None
        assert case.precheck_rounds.get().state == PrecheckRound.State.PASSED
        event = case.events.filter(to_status=Status.SUBMITTED).get()
        assert event.actor == office_a
        assert event.from_status == Status.PRECHECK
        assert event.data["precheck"] == "passed"
        assert api_a.get(PRECHECK).json()["count"] == 0

    def test_returning_gives_a_reason_per_document(self, waiting, api_a, office_a):
        case = waiting["a"]
        response = api_a.post(
            reverse("api-precheck-return", args=[case.reference]),
            {"documents": {"photo": "The photo is blurred."}, "note": "Please retake it."},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        case = fresh(case)
        assert case.status == Status.RETURNED
        round_ = case.precheck_rounds.get()
        assert round_.returned_documents == {"photo": "The photo is blurred."}
        assert round_.note == "Please retake it."
        event = case.events.filter(to_status=Status.RETURNED).get()
        assert event.actor == office_a
        assert event.data == {"precheck": "returned", "documents": ["photo"]}

    @pytest.mark.parametrize(
        "body",
        [{"documents": {}}, {"documents": {"diploma": "x"}}, {"documents": {"photo": " "}}, {}],
    )
    def test_a_bad_return_is_400_and_changes_nothing(self, waiting, api_a, body):
        case = waiting["a"]
        response = api_a.post(
            reverse("api-precheck-return", args=[case.reference]),
            body,
            content_type="application/json",
        )
        assert "documents" in errors_of(response, 400)
        assert fresh(case).status == Status.PRECHECK

    def test_another_universitys_case_is_invisible_and_untouchable(self, waiting, api_a):
        theirs = waiting["b"]
        errors_of(api_a.post(reverse("api-precheck-pass", args=[theirs.reference])), 404)
        errors_of(
            api_a.post(
                reverse("api-precheck-return", args=[theirs.reference]),
                {"documents": {"photo": "x"}},
                content_type="application/json",
            ),
            404,
        )
        assert fresh(theirs).status == Status.PRECHECK

    def test_a_case_not_waiting_is_404(self, cases, api_a):
        errors_of(api_a.post(reverse("api-precheck-pass", args=[cases["a"].reference])), 404)


# --- Ends of studies ---


class TestReports:
    def report(self, client, reference="", *, on=TODAY + timedelta(days=10), **changes):
        body = {
            "reference": reference,
            "reason": "graduation",
            "effective_on": (TODAY + timedelta(days=5)).isoformat(),
        } | changes
        with at(on):
            return client.post(REPORTS, body, content_type="application/json")

    def test_a_report_opens_the_end_of_studies_case_as_the_service_does(
        self, cases, api_a, office_a
    ):
        permit = cases["a_approved"].permit
        response = self.report(api_a, permit.number)
        assert response.status_code == 201, response.content
        body = response.json()
        made = StudyEndReport.objects.get()
        assert made.channel == Channel.API
        assert made.reported_by == office_a
        assert made.permit == permit
        report = made.report
        assert report.type == ReportType.END_OF_STUDIES
        assert report.reported_by == office_a
        assert report.details["reason"] == "graduation"
        assert body["report_reference"] == report.reference
        assert body["permit_number"] == permit.number
        assert body["student_reference"] == cases["a_approved"].reference
        assert body["channel"] == "api"
        listed = api_a.get(REPORTS).json()
        assert [row["report_reference"] for row in listed["results"]] == [report.reference]

    def test_the_students_application_reference_names_the_permit_too(self, cases, api_a):
        response = self.report(api_a, cases["a_approved"].reference.lower(), reason="withdrawal")
        assert response.status_code == 201, response.content
        assert StudyEndReport.objects.get().reason == "withdrawal"

    def test_another_universitys_student_is_404_and_nothing_is_reported(
        self, cases, case_at, uni_b, api_a, api_b
    ):
        with at(TODAY):
            theirs = case_at(uni_b, "approved")
        response = self.report(api_a, theirs.permit.number)
        errors_of(response, 404)
        errors_of(self.report(api_a, theirs.reference), 404)
        assert not StudyEndReport.objects.exists()
        assert not Report.objects.exists()
        # And B sees only its own reports.
        assert self.report(api_b, theirs.permit.number).status_code == 201
        assert api_a.get(REPORTS).json()["count"] == 0
        assert api_b.get(REPORTS).json()["count"] == 1

    def test_a_student_without_a_valid_permit_is_404(self, cases, api_a):
        errors_of(self.report(api_a, cases["a"].reference), 404)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"reason": "expelled"}, "reason"),
            ({"effective_on": "yesterday"}, "effective_on"),
            ({"reference": ""}, "reference"),
        ],
    )
    def test_bad_input_is_400_by_field(self, cases, api_a, changes, field):
        changes = {"reference": cases["a_approved"].permit.number} | changes
        assert field in errors_of(self.report(api_a, **changes), 400)

    def test_a_date_in_the_future_is_refused_with_the_services_message(self, cases, api_a):
        permit = cases["a_approved"].permit
        response = self.report(
            api_a, permit.number, effective_on=(TODAY + timedelta(days=30)).isoformat()
        )
        assert errors_of(response, 400) == {
            "__all__": ["The date of the change cannot be in the future."]
        }
        assert not StudyEndReport.objects.exists()


def test_the_public_eligibility_api_ignores_tokens(cases, api_a):
    params = {
        "level": "bachelor",
        "programme_start": "2024-09-16",
        "on": "2024-10-01",
        "passport_expiry": "2029-01-01",
    }
    assert api_a.get(reverse("eligibility-api"), params).status_code == 200
    bogus = Client(headers={"authorization": "Bearer aztr_nothing"})
    assert bogus.get(reverse("eligibility-api"), params).status_code == 200


def test_application_fields_never_leave_through_the_api(cases, api_a):
    """Whatever the endpoint, no passport number, FIN or address of a student is in the JSON."""
    application = Application.objects.get(pk=cases["a_approved"].pk)
    texts = [
        api_a.get(STUDENTS).content.decode(),
        api_a.get(reverse("api-student", args=[application.reference])).content.decode(),
        api_a.get(CONFIRMATIONS).content.decode(),
    ]
    for text in texts:
        for secret in (application.passport_number, application.fin, application.address_line):
            assert secret not in text


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (NotPermitted("Only the office of the student's university can do this."), 403),
        (WorkflowError("This confirmation was answered meanwhile."), 400),
        (PermissionDenied("no"), 403),
        (Http404("No EnrolmentConfirmation matches the given query."), 404),
    ],
)
def test_every_refusal_has_the_portals_error_shape(exc, status):
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert set(response.data) == {"errors"}
    assert list(response.data["errors"]) == ["__all__"]
    if isinstance(exc, WorkflowError):
        assert response.data["errors"]["__all__"] == [exc.message]
    # Django's own texts (which may name a model) stay inside.
    assert "EnrolmentConfirmation" not in str(response.data)
