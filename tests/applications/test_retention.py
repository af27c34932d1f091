"""Retention: decided applications lose their personal data after DECIDED_RETENTION_YEARS."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from applications import decisions, services, workflow
from applications.models import Application, ApplicationEvent, Message, Status
from applications.retention import anonymise_decided
from applications.tasks import anonymise_decided_task
from documents.models import Document
from notifications.models import Notification

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
DECIDED = datetime(2025, 10, 1, 11, tzinfo=ISTANBUL)


@pytest.fixture(autouse=True)
def _five_years(settings):
    settings.DECIDED_RETENTION_YEARS = 5


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def approved(application_in, make_upload):
    """Approved after an information request, so its history carries notes with personal data."""
    with time_machine.travel(DECIDED, tick=False):
        application = application_in(Status.INFO_REQUESTED, surname="Əliyeva")
        student, officer = application.applicant, application.assignee
        services.document_upload(
            application_id=application.pk,
            actor=student,
            kind="photo",
            uploaded=make_upload("photo.png"),
        )
        workflow.application_provide_info(
            application_id=application.pk,
            actor=student,
            expected_version=fresh(application).version,
            response="New photo attached; my phone is +994 50 123 45 67.",
        )
        services.message_send(
            application_id=application.pk, actor=student, body="Thank you, Əliyeva."
        )
        current = fresh(application)
        earliest, latest = decisions.permit_bounds(current, on=DECIDED.date())
        decisions.application_approve(
            application_id=application.pk,
            actor=officer,
            expected_version=current.version,
            valid_from=earliest,
            valid_to=latest,
        )
    return fresh(application)


def on(day: date) -> int:
    with time_machine.travel(datetime(day.year, day.month, day.day, 3, 30, tzinfo=ISTANBUL)):
        return anonymise_decided()


def test_nothing_changes_before_the_period_ends(approved):
    assert on(date(2030, 10, 1)) == 0
    application = Application.objects.get(pk=approved.pk)
    assert application.anonymised_at is None
    assert application.surname == "Əliyeva"


def test_after_the_period_the_personal_data_is_gone(
    approved, client_for, django_capture_on_commit_callbacks
):
    files = [Path(settings.PRIVATE_MEDIA_ROOT) / d.file.name for d in approved.documents.all()]
    letter = Path(settings.PRIVATE_MEDIA_ROOT) / approved.permit.letter.name
    assert all(path.exists() for path in [*files, letter])
    events_before = approved.events.count()
    notes = approved.events.exclude(note="").count()
    assert notes  # the decision's note, at least

    with django_capture_on_commit_callbacks(execute=True):
        assert on(date(2030, 10, 2)) == 1

    application = Application.objects.get(pk=approved.pk)
    assert application.anonymised_at is not None
    for name in ("surname", "given_names", "fin", "passport_number", "phone", "address_line"):
        assert getattr(application, name) == "", name
    assert application.date_of_birth is None
    assert application.passport_expiry_date is None
    assert application.passport_number_hash == ""
    assert "liyeva" not in application.search_text
    # What the statistics and the audit trail need stays.
    assert application.reference == approved.reference
    assert application.status == Status.APPROVED
    assert application.university_id == approved.university_id
    assert application.permit.number == approved.permit.number
    assert application.events.count() == events_before
    assert not application.events.exclude(note="").exists()
    # Documents, the letter and the messages' words are gone.
    assert not Document.objects.filter(application=application).exists()
    assert not application.permit.letter
    assert set(Message.objects.filter(application=application).values_list("body", flat=True)) == {
        ""
    }
    assert not Notification.objects.filter(application=application).exists()
    assert not any(path.exists() for path in [*files, letter])
    # The student still sees the decision, without anything personal.
    page = client_for(approved.applicant).get(reverse("application-detail", args=[approved.pk]))
    assert page.status_code == 200
    assert approved.reference in page.text


def test_running_twice_does_nothing_more(approved):
    assert on(date(2030, 10, 2)) == 1
    stamp = Application.objects.get(pk=approved.pk).anonymised_at
    assert on(date(2030, 10, 3)) == 0
    assert Application.objects.get(pk=approved.pk).anonymised_at == stamp


def test_open_applications_are_never_anonymised(application_in):
    with time_machine.travel(DECIDED, tick=False):
        open_one = application_in(Status.UNDER_REVIEW)
    assert on(date(2035, 1, 1)) == 0
    assert Application.objects.get(pk=open_one.pk).anonymised_at is None


def test_the_beat_task_runs_it(approved):
    with time_machine.travel(datetime(2030, 10, 2, 3, 30, tzinfo=ISTANBUL)):
        assert anonymise_decided_task.delay().get() == 1


def event_update(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_still_refuses_any_other_change_to_history(approved):
    event = approved.events.exclude(note="").first()
    # Not anonymised yet: not even the note may change.
    with pytest.raises(IntegrityError):
        event_update("UPDATE applications_applicationevent SET note = '' WHERE id = %s", [event.pk])
    on(date(2030, 10, 2))
    event = ApplicationEvent.objects.get(pk=event.pk)
    # Anonymised: anything but blanking the note is still refused.
    with pytest.raises(IntegrityError):
        event_update(
            "UPDATE applications_applicationevent SET to_status = 'rejected' WHERE id = %s",
            [event.pk],
        )
    with pytest.raises(IntegrityError):
        event_update(
            "UPDATE applications_applicationevent SET note = 'rewritten' WHERE id = %s",
            [event.pk],
        )
    with pytest.raises(IntegrityError):
        event_update("DELETE FROM applications_applicationevent WHERE id = %s", [event.pk])
