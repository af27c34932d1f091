"""A permit's life after its grant: cancelled by an officer (LFIP Art. 40), ended when the end
of studies is confirmed, shortened to an earlier programme end — and what stops with it."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from applications import extensions
from applications.sweeps import sweep_passports
from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed, WorkflowError
from notifications.models import Notification
from permits import notices, services
from permits.grounds import ARTICLE_40_GROUNDS
from permits.models import Permit, PermitEvent, PermitStatus
from permits.sweeps import sweep_permits
from rules.models import PolicyVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
GRANTED_ON = date(2024, 10, 1)
TODAY = date(2026, 3, 2)
PASSPORT_EXPIRY = date(2026, 12, 31)  # within the holder reminders' 180 days only later


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=ISTANBUL))


@pytest.fixture
def permit(application_in) -> Permit:
    with at(GRANTED_ON), translation.override("en"):
        return application_in("approved").permit


def fresh(permit: Permit) -> Permit:
    return Permit.objects.get(pk=permit.pk)


def cancel(permit: Permit, officer, **overrides) -> Permit:
    arguments = {
        "grounds": ["other_purpose"],
        "note": "The holder works full time and no longer attends.",
        "expected_version": fresh(permit).version,
    } | overrides
    with at(TODAY):
        return services.permit_cancel(permit.pk, actor=officer, **arguments)


def test_an_officer_cancels_a_permit_with_grounds_a_letter_and_a_notice(permit, officer):
    holder = permit.application.applicant
    holder.preferred_language = "tr"
    holder.save()
    cancelled = cancel(permit, officer)
    assert (cancelled.status, cancelled.ended_on, cancelled.version) == ("cancelled", TODAY, 2)
    event = PermitEvent.objects.get(permit=permit, to_status="cancelled")
    assert event.data["grounds"] == ["other_purpose"]
    assert event.actor == officer
    notice = Notification.objects.get(kind=notices.PERMIT_CANCELLED)
    assert notice.recipient == holder
    assert notice.language == "tr"
    with translation.override("tr"):
        assert notice.context["grounds"] == str(ARTICLE_40_GROUNDS["other_purpose"])
    assert notice.context["grounds"] != "The permit was used for a purpose other than studying."
    with cancelled.cancellation_letter.open("rb") as handle:
        letter = handle.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter)).pages)
    assert permit.number in text
    assert "iptal" in text.lower()  # in the holder's language
    assert permit.verification_code in "".join(text.split())


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"grounds": []}, WorkflowError),
        ({"grounds": ["not_a_ground"]}, WorkflowError),
        ({"note": "  "}, WorkflowError),
        ({"expected_version": 99}, StaleVersion),
    ],
)
def test_a_cancellation_without_its_reasons_or_from_a_stale_page_changes_nothing(
    permit, officer, overrides, error
):
    with pytest.raises(error):
        cancel(permit, officer, **overrides)
    assert fresh(permit).status == PermitStatus.VALID
    assert fresh(permit).version == 1
    assert not PermitEvent.objects.exists()


def test_only_officers_cancel_and_only_once(permit, officer):
    with pytest.raises(NotPermitted):
        cancel(permit, permit.application.applicant)
    cancel(permit, officer)
    with pytest.raises(TransitionNotAllowed):
        cancel(permit, officer)


def test_the_officers_page_cancels_and_a_stale_page_is_told(permit, officer, client_for):
    client = client_for(officer)
    url = reverse("officer-permit-cancel", args=[permit.pk])
    with at(TODAY):
        assert "Cancel the permit" in client.get(url).content.decode()
        stale = client.post(url, {"version": 7, "grounds": ["other_purpose"], "note": "x"})
        assert stale.status_code == 400
        assert "changed by someone else" in stale.content.decode()
        assert fresh(permit).status == PermitStatus.VALID
        done = client.post(
            url, {"version": 1, "grounds": ["other_purpose"], "note": "Not attending."}
        )
    assert done.status_code == 302
    assert done.url == reverse("officer-review", args=[permit.application_id])
    assert fresh(permit).status == PermitStatus.CANCELLED


def test_verify_says_cancelled_on_and_ended_on(permit, officer, client, application_in):
    cancel(permit, officer)
    with at(TODAY), translation.override("en"):
        page = client.get(
            reverse("permit-verify", args=[permit.verification_code]),
            headers={"accept-language": "en"},
        ).content.decode()
        assert 'data-state="cancelled"' in page
        assert f"was cancelled on {formats.date_format(TODAY, 'DATE_FORMAT')}" in page
        other = application_in("approved").permit
        services.permit_end(other, actor=officer, on=TODAY)
        ended = client.get(
            reverse("permit-verify", args=[other.verification_code]),
            headers={"accept-language": "en"},
        ).content.decode()
    assert 'data-state="ended"' in ended


def test_the_holder_downloads_the_cancellation_letter_and_nobody_else(permit, officer, client_for):
    url = reverse("permit-cancellation-letter", args=[permit.pk])
    holder = permit.application.applicant
    with at(TODAY):
        assert client_for(holder).get(url).status_code == 404  # nothing cancelled yet
        cancel(permit, officer)
        response = client_for(holder).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert client_for(UserFactory()).get(url).status_code == 404
        dashboard = client_for(holder).get(reverse("dashboard")).content.decode()
    assert "Permits no longer valid" in dashboard
    assert url in dashboard


def test_the_end_of_studies_ends_the_permit_and_says_by_when_to_apply(permit, officer):
    PolicyVersion.objects.update(end_of_studies_days=14)
    with at(TODAY):
        services.permit_end(permit, actor=officer, on=TODAY, note="graduation")
    ended = fresh(permit)
    assert (ended.status, ended.ended_on) == (PermitStatus.ENDED, TODAY)
    assert services.permit_apply_by(ended) == TODAY + timedelta(days=14)
    notice = Notification.objects.get(kind=notices.PERMIT_ENDED)
    assert notice.context["apply_by"] == (TODAY + timedelta(days=14)).isoformat()


def test_shortening_moves_the_end_and_says_why(permit, officer):
    end = fresh(permit).valid_to
    with pytest.raises(WorkflowError):
        services.permit_shorten(permit, actor=officer, valid_to=end, reason="Same day.")
    with pytest.raises(WorkflowError):
        services.permit_shorten(
            permit, actor=officer, valid_to=GRANTED_ON - timedelta(days=1), reason="Too early."
        )
    with pytest.raises(WorkflowError):
        services.permit_shorten(permit, actor=officer, valid_to=date(2027, 6, 30), reason=" ")
    assert fresh(permit).valid_to == end
    services.permit_shorten(
        permit, actor=officer, valid_to=date(2027, 6, 30), reason="The programme ends early."
    )
    assert fresh(permit).valid_to == date(2027, 6, 30)
    event = PermitEvent.objects.get(permit=permit, kind=PermitEvent.Kind.SHORTENED)
    assert event.data == {"valid_to": "2027-06-30", "previous_valid_to": end.isoformat()}
    notice = Notification.objects.get(kind=notices.PERMIT_SHORTENED)
    assert notice.context["previous_valid_to"] == end.isoformat()


def test_a_cancelled_permit_cannot_be_extended_nor_is_it_reminded(application_in, officer):
    with at(GRANTED_ON):
        holder_permit = application_in(
            "approved", passport_expiry_date=date(2027, 1, 9)
        ).permit  # ends 2026-11-10, 60 days before the passport
    inside = holder_permit.valid_to - timedelta(days=30)
    cancel(holder_permit, officer)
    holder = holder_permit.application.applicant
    with at(inside):
        assert not extensions.current_permits(holder).exists()
        with pytest.raises(WorkflowError):
            extensions.extension_start(applicant=holder, permit_id=holder_permit.pk)
        sweep_permits()
        sweep_passports()  # the passport ends within 90 days
    assert not Notification.objects.filter(
        kind__in=["permit_expiring", "passport_expiring"]
    ).exists()


def test_the_permits_history_is_append_only_in_the_database(permit, officer):
    cancel(permit, officer)
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE permits_permitevent SET note = 'x' WHERE permit_id = %s", [permit.pk]
        )
    assert PermitEvent.objects.filter(permit=permit).count() == 1
