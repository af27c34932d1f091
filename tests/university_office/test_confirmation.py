"""The enrolment confirmation: asked at hand-in, answered by the student's university only,
shown beside the student's entries, used by the rules, reminded when left unanswered."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from applications import decisions, enrolment
from applications.enrolment_notices import sweep_enrolment_reminders
from applications.models import Application, ApplicationEvent, EnrolmentStatus
from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed
from notifications.models import Notification
from rules.models import Level
from tests.factories import OfficerFactory
from universities.models import University

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db


def fresh(application):
    return Application.objects.get(pk=application.pk)


def confirm(confirmation, actor, **changes):
    application = confirmation.application
    facts = {
        "level": application.level,
        "field": application.field,
        "programme_start": application.programme_start,
        "programme_end": application.programme_end,
    } | changes
    return enrolment.enrolment_confirm(confirmation_id=confirmation.pk, actor=actor, **facts)


def test_handing_in_asks_the_students_university_and_gives_a_number(case_at, uni_a):
    with at(TODAY):
        application = case_at(uni_a)
    confirmation = application.enrolment
    assert confirmation.status == EnrolmentStatus.REQUESTED
    assert confirmation.university == uni_a
    assert confirmation.number == f"EC-2026-{confirmation.pk:06d}"
    assert application.events.filter(kind=ApplicationEvent.Kind.ENROLMENT).count() == 1


def test_a_university_without_an_office_on_the_portal_is_not_asked(application_in, officer, client):
    lonely = University.objects.filter(staff__isnull=True).order_by("-name").first()
    with at(TODAY):
        application = application_in("under_review", university=lonely, officer=officer)
    assert not hasattr(fresh(application), "enrolment") or fresh(application).enrolment is None
    client.force_login(officer)
    page = client.get(reverse("officer-review", args=[application.pk])).content.decode()
    assert "does not use the portal" in page


def test_a_confirmation_with_a_corrected_end_feeds_the_rules_and_the_permit(
    case_at, uni_a, office_a
):
    officer = OfficerFactory()
    with at(TODAY):
        application = case_at(uni_a, "under_review", officer=officer)
        before = fresh(application).eligibility_outcome["permit_end"]
        confirm(application.enrolment, office_a, programme_end=date(2027, 6, 30))
        application = fresh(application)
        # The stored outcome now rests on the university's end date, not the student's.
        assert application.eligibility_outcome["permit_end"] != before
        assert application.eligibility_outcome["permit_end"] <= "2027-06-30"
        earliest, latest = decisions.permit_bounds(application, on=TODAY)
        assert latest.isoformat() == application.eligibility_outcome["permit_end"]
        permit = decisions.application_approve(
            application_id=application.pk,
            actor=officer,
            expected_version=application.version,
            valid_from=earliest,
            valid_to=latest,
        )
    assert permit.valid_to <= date(2027, 6, 30)
    assert application.enrolment.differences() == {"programme_end"}
    answer = application.events.get(kind="enrolment", data__to="confirmed")
    assert answer.data["corrected"] == ["programme_end"]


def test_the_student_and_the_officer_with_the_case_are_told(case_at, uni_a, office_a):
    officer = OfficerFactory()
    with at(TODAY):
        application = case_at(uni_a, "under_review", officer=officer)
        confirm(application.enrolment, office_a)
    kinds = dict(
        Notification.objects.filter(kind__startswith="enrolment").values_list("kind", "recipient")
    )
    assert kinds == {
        "enrolment_confirmed": application.applicant_id,
        "enrolment_answered_officer": officer.pk,
    }


def test_the_review_shows_both_sides_and_highlights_what_the_university_corrected(
    case_at, uni_a, office_a, client
):
    officer = OfficerFactory()
    with at(TODAY):
        application = case_at(uni_a, "under_review", officer=officer, level=Level.BACHELOR)
        confirm(application.enrolment, office_a, level=Level.MASTER)
    client.force_login(officer)
    page = client.get(reverse("officer-review", args=[application.pk])).content.decode()
    assert application.enrolment.number in page
    assert page.count("corrected by the university") == 1
    assert "Bachelor" in page
    assert "Master" in page


def test_a_decline_needs_a_reason_and_is_shown_to_the_officer(case_at, uni_a, office_a, client):
    officer = OfficerFactory()
    with at(TODAY):
        application = case_at(uni_a, "under_review", officer=officer)
        with pytest.raises(enrolment.WorkflowError):
            enrolment.enrolment_decline(
                confirmation_id=application.enrolment.pk, actor=office_a, reason="  "
            )
        enrolment.enrolment_decline(
            confirmation_id=application.enrolment.pk,
            actor=office_a,
            reason="Registration frozen since February.",
        )
    client.force_login(officer)
    page = client.get(reverse("officer-review", args=[application.pk])).content.decode()
    assert "did not confirm the enrolment" in page
    assert "Registration frozen since February." in page
    assert Notification.objects.filter(kind="enrolment_declined").count() == 1


def test_only_the_students_own_university_can_answer(case_at, uni_a, office_b, client):
    with at(TODAY):
        application = case_at(uni_a)
    with pytest.raises(NotPermitted):
        confirm(application.enrolment, office_b)
    client.force_login(office_b)
    response = client.get(reverse("university-confirmation", args=[application.enrolment.pk]))
    assert response.status_code == 404
    assert application.enrolment.status == EnrolmentStatus.REQUESTED


def test_the_page_confirms_and_a_second_answer_is_refused(case_at, uni_a, office_a, client):
    with at(TODAY):
        application = case_at(uni_a)
    item = application.enrolment
    client.force_login(office_a)
    url = reverse("university-confirmation", args=[item.pk])
    page = client.get(url).content.decode()
    assert application.reference in page
    assert application.passport_number not in page
    response = client.post(
        url,
        {
            "confirm-level": "master",
            "confirm-field": "general",
            "confirm-programme_start": "2024-09-16",
            "confirm-programme_end": "2026-06-30",
            "confirm-version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.level, item.programme_end) == (
        "confirmed",
        "master",
        date(2026, 6, 30),
    )
    with pytest.raises((StaleVersion, TransitionNotAllowed)):
        confirm(item, office_a)


def test_a_bad_end_date_is_refused_with_a_message_and_changes_nothing(
    case_at, uni_a, office_a, client
):
    with at(TODAY):
        application = case_at(uni_a)
    item = application.enrolment
    client.force_login(office_a)
    response = client.post(
        reverse("university-confirmation", args=[item.pk]),
        {
            "confirm-level": "bachelor",
            "confirm-field": "general",
            "confirm-programme_start": "2024-09-16",
            "confirm-programme_end": "2023-06-30",
            "confirm-version": item.version,
        },
    )
    assert response.status_code == 400
    assert "must be after the programme" in response.content.decode()
    item.refresh_from_db()
    assert item.status == EnrolmentStatus.REQUESTED


def test_withdrawing_cancels_the_request(case_at, uni_a):
    from applications import workflow

    with at(TODAY):
        application = case_at(uni_a)
        workflow.application_withdraw(
            application_id=application.pk,
            actor=application.applicant,
            expected_version=fresh(application).version,
        )
    application.enrolment.refresh_from_db()
    assert application.enrolment.status == EnrolmentStatus.CANCELLED


def test_an_unanswered_request_is_reminded_to_the_office_after_the_policy_days(
    case_at, uni_a, office_a, office_b
):
    with at(TODAY):
        application = case_at(uni_a)
    # The policy's default: 5 days.
    assert sweep_enrolment_reminders(today=TODAY + timedelta(days=4))["reminded"] == 0
    first = sweep_enrolment_reminders(today=TODAY + timedelta(days=5))
    again = sweep_enrolment_reminders(today=TODAY + timedelta(days=6))
    assert (first["reminded"], again["reminded"]) == (1, 0)
    reminder = Notification.objects.get(kind="enrolment_reminder")
    assert reminder.recipient == office_a
    assert reminder.context["count"] == 1
    # Another period later it is reminded again; once answered, never.
    assert sweep_enrolment_reminders(today=TODAY + timedelta(days=10))["reminded"] == 1
    with at(TODAY + timedelta(days=11)):
        confirm(application.enrolment, office_a)
    assert sweep_enrolment_reminders(today=TODAY + timedelta(days=15))["reminded"] == 0
    assert not Notification.objects.filter(recipient=office_b).exists()


def test_the_students_data_export_holds_the_universitys_answer(case_at, uni_a, office_a, client):
    import io
    import json
    import zipfile

    with at(TODAY):
        application = case_at(uni_a)
        enrolment.enrolment_decline(
            confirmation_id=application.enrolment.pk, actor=office_a, reason="Not registered."
        )
    client.force_login(application.applicant)
    response = client.get(reverse("data-export"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    answer = data["applications"][0]["enrolment_confirmation"]
    assert (answer["number"], answer["status"], answer["decline_reason"]) == (
        application.enrolment.number,
        "declined",
        "Not registered.",
    )
