"""A student reports a renewed passport while the application is being considered."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from applications import notices as app_notices
from applications.models import Application, ApplicationEvent, Status
from documents.models import Document
from notifications.models import Notification

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 10, 1, 10, tzinfo=ZoneInfo("Europe/Istanbul"))
SHORT = date(2028, 6, 30)  # needed until 2028-11-14 for this programme


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def short(application_in):
    return application_in(Status.UNDER_REVIEW, passport_expiry_date=SHORT)


def form(application, upload, **overrides):
    data = {
        "version": application.version,
        "passport_number": "c 1234 5678",
        "passport_issue_date": "2025-09-20",
        "passport_expiry_date": "2035-09-19",
        "identity_page": upload,
    }
    return data | overrides


def test_the_detail_page_warns_and_links_to_the_form(short, client_for):
    page = client_for(short.applicant).get(reverse("application-detail", args=[short.pk]))
    assert "Your passport is not valid long enough" in page.text
    assert reverse("application-passport", args=[short.pk]) in page.text


def test_a_renewed_passport_is_saved_with_its_page(short, client_for, make_upload):
    client = client_for(short.applicant)
    url = reverse("application-passport", args=[short.pk])
    assert client.get(url).status_code == 200
    old_page = short.documents.get(kind="passport_identity_page", is_current=True)

    response = client.post(url, form(short, make_upload("passport.pdf")), follow=True)

    assert "the passport is valid long enough" in response.text
    application = Application.objects.get(pk=short.pk)
    assert application.passport_number == "C12345678"
    assert application.passport_expiry_date == date(2035, 9, 19)
    assert application.eligibility_outcome["passport_ok"] is True
    assert application.version == short.version + 1
    current = application.documents.get(kind="passport_identity_page", is_current=True)
    assert current.pk != old_page.pk
    assert current.content_type == "application/pdf"
    assert Document.objects.filter(pk=old_page.pk, is_current=False).exists()  # kept as evidence
    event = application.events.get(kind=ApplicationEvent.Kind.PASSPORT_UPDATED)
    assert event.data == {
        "previous_expiry": "2028-06-30",
        "expiry": "2035-09-19",
        "passport_ok": True,
    }
    assert "Your passport is not valid long enough" not in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"passport_expiry_date": "2025-09-01"}, "The expiry date must be after the issue date."),
        ({"passport_issue_date": "2025-12-01"}, "The issue date cannot be in the future."),
        ({"passport_number": "12-34"}, "Enter the passport number as printed"),
        ({"passport_expiry_date": "30.06.2030"}, "Enter a real date"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    short, client_for, make_upload, overrides, message
):
    response = client_for(short.applicant).post(
        reverse("application-passport", args=[short.pk]),
        form(short, make_upload("passport.pdf"), **overrides),
    )
    assert response.status_code == 400
    assert message in response.text
    assert Application.objects.get(pk=short.pk).passport_expiry_date == SHORT
    assert not short.events.filter(kind=ApplicationEvent.Kind.PASSPORT_UPDATED).exists()


def test_a_file_that_is_not_a_document_changes_nothing(short, client_for, make_upload):
    fake = make_upload("passport.pdf", content=b"<html>not a pdf</html>")
    response = client_for(short.applicant).post(
        reverse("application-passport", args=[short.pk]), form(short, fake), follow=True
    )
    assert response.status_code == 200
    application = Application.objects.get(pk=short.pk)
    assert application.passport_expiry_date == SHORT
    assert application.documents.filter(kind="passport_identity_page").count() == 1


def test_a_stale_form_changes_nothing(short, client_for, make_upload):
    response = client_for(short.applicant).post(
        reverse("application-passport", args=[short.pk]),
        form(short, make_upload("passport.pdf"), version=short.version - 1),
        follow=True,
    )
    assert response.status_code == 200
    assert Application.objects.get(pk=short.pk).passport_expiry_date == SHORT


def test_still_too_short_is_said_plainly_and_notified(short, client_for, make_upload):
    response = client_for(short.applicant).post(
        reverse("application-passport", args=[short.pk]),
        form(short, make_upload("passport.png"), passport_expiry_date="2028-09-01"),
        follow=True,
    )
    assert "still not valid long enough" in response.text
    keys = Notification.objects.filter(kind=app_notices.PASSPORT_TOO_SHORT).values_list(
        "context__passport_expiry", flat=True
    )
    assert sorted(keys) == ["2028-06-30", "2028-09-01"]


def test_only_the_owner_of_an_open_application(short, application_in, client_for, student):
    url = reverse("application-passport", args=[short.pk])
    assert client_for(student).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    decided = application_in(Status.APPROVED)
    response = client_for(decided.applicant).get(reverse("application-passport", args=[decided.pk]))
    assert response.status_code == 302
    assert response.url == reverse("application-detail", args=[decided.pk])
