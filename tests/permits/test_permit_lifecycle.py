"""A permit after its grant, as its holder, the officers and anyone checking it see it.

An officer cancels a permit on the grounds of LFIP Art. 40 (the holder is told in their own
language and gets a cancellation letter), the end of studies ends it (with the day by which
another permit must be applied for), a programme that ends earlier shortens it. A permit that
no longer stands is never extended nor reminded of, /verify/ says since when it is no longer
valid, and its history cannot be rewritten, not even in SQL.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from applications import decisions, extensions, workflow
from applications.models import Application
from applications.sweeps import HOLDER_PASSPORT_DAYS, sweep_passports
from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed, WorkflowError
from notifications.emails import build_email
from notifications.models import Notification
from permits import notices, services
from permits.grounds import ARTICLE_40_GROUNDS
from permits.letters import verification_url
from permits.models import AppendOnlyError, Permit, PermitEvent, PermitStatus
from permits.sweeps import sweep_permits
from rules.models import PolicyVersion
from rules.policies import VERSIONS_CACHE_KEY, policy_version_in_force
from tests.factories import UserFactory, attach_required_documents

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
GRANTED_ON = date(2024, 10, 1)
CANCELLED_ON = date(2026, 3, 2)
ENDED_ON = date(2026, 6, 30)
# A passport expiring on 2027-01-09 makes the permit end 60 days earlier, on 2026-11-10.
SHORT_PASSPORT = date(2027, 1, 9)
SHORT_PERMIT_END = date(2026, 11, 10)
NOTE = "The holder works full time and no longer attends the programme."


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ISTANBUL))


@pytest.fixture
def granted(application_in):
    """A new holder's permit, granted on GRANTED_ON: ``granted(passport_expiry_date=...)``."""

    def make(**fields) -> Permit:
        with at(GRANTED_ON), translation.override("en"):
            return application_in("approved", **fields).permit

    return make


@pytest.fixture
def permit(granted) -> Permit:
    return granted()


def fresh(permit: Permit) -> Permit:
    return Permit.objects.select_related("application__applicant").get(pk=permit.pk)


def cancel(permit: Permit, actor, *, day: date = CANCELLED_ON, **overrides) -> Permit:
    arguments = {
        "grounds": ["other_purpose"],
        "note": NOTE,
        "expected_version": fresh(permit).version,
    } | overrides
    with at(day):
        return services.permit_cancel(permit.pk, actor=actor, **arguments)


def snapshot(permit: Permit) -> tuple:
    """Everything a cancellation, an end or a shortening would change."""
    row = fresh(permit)
    return (
        row.status,
        row.version,
        row.valid_to,
        row.ended_on,
        row.ended_at,
        row.ended_by_id,
        row.end_grounds,
        row.end_note,
        row.cancellation_letter.name,
    )


def pdf_text(data: bytes) -> str:
    """The letter's text with every run of white space made one space (lines wrap anywhere)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def letter_bytes(permit: Permit) -> bytes:
    with fresh(permit).cancellation_letter.open("rb") as handle:
        return handle.read()


# --- cancelling (LFIP Art. 40) -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["tr", "az"])
def test_a_cancelled_permit_ends_today_and_the_holder_is_told_in_their_language(
    permit, officer, language
):
    holder = permit.application.applicant
    holder.preferred_language = language
    holder.save(update_fields=["preferred_language"])
    grounds = ["other_purpose", "studies_cannot_continue"]

    cancel(permit, officer, grounds=grounds, expected_version=1)

    cancelled = fresh(permit)
    assert (cancelled.status, cancelled.ended_on, cancelled.version) == (
        PermitStatus.CANCELLED,
        CANCELLED_ON,
        2,
    )
    assert (cancelled.ended_by, cancelled.end_grounds, cancelled.end_note) == (
        officer,
        grounds,
        NOTE,
    )
    assert not cancelled.is_valid
    event = PermitEvent.objects.get(permit=permit)
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        PermitEvent.Kind.STATUS_CHANGED,
        PermitStatus.VALID,
        PermitStatus.CANCELLED,
        officer,
    )
    assert event.data["grounds"] == grounds
    assert event.data["ended_on"] == CANCELLED_ON.isoformat()
    assert event.note == NOTE

    notice = Notification.objects.get(kind=notices.PERMIT_CANCELLED)
    assert (notice.recipient, notice.to_email, notice.language) == (
        holder,
        holder.email,
        language,
    )
    with translation.override(language):
        expected_grounds = " ".join(str(ARTICLE_40_GROUNDS[code]) for code in grounds)
    with translation.override("en"):
        english_grounds = " ".join(str(ARTICLE_40_GROUNDS[code]) for code in grounds)
    assert notice.context["grounds"] == expected_grounds
    assert notice.context["grounds"] != english_grounds
    assert notice.context["permit"] == permit.number
    assert notice.context["ended_on"] == CANCELLED_ON.isoformat()
    assert notice.context["message"] == NOTE
    # The email the outbox sends says the same, in the same language.
    email = build_email(notice)
    assert expected_grounds in " ".join(email.body.split())
    assert NOTE in email.body

    text = pdf_text(letter_bytes(permit))
    assert permit.number in text
    # The address may wrap anywhere in the PDF: compare without white space.
    assert verification_url(permit) in "".join(text.split())
    with translation.override(language):
        permit_number_label = gettext("Permit number")
        translated_ground = str(ARTICLE_40_GROUNDS["other_purpose"])
    assert permit_number_label in text
    assert translated_ground in text
    assert "Permit number" not in text
    assert NOTE in text


def test_an_english_speaking_holders_letter_is_in_english(permit, officer):
    permit.application.applicant.preferred_language = "en"
    permit.application.applicant.save(update_fields=["preferred_language"])
    cancel(permit, officer)
    text = pdf_text(letter_bytes(permit))
    assert "Permit number" in text
    with translation.override("en"):
        assert str(ARTICLE_40_GROUNDS["other_purpose"]) in text
    assert "LFIP" in text
    assert "60 days" in text  # how to appeal


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"grounds": []}, WorkflowError),
        ({"grounds": ["not_a_ground"]}, WorkflowError),
        # A ground for refusing a permit, not for cancelling one that was granted.
        ({"grounds": ["conditions_not_met"]}, WorkflowError),
        ({"grounds": ["other_purpose", "not_a_ground"]}, WorkflowError),
        ({"note": ""}, WorkflowError),
        ({"note": "   \n "}, WorkflowError),
        ({"expected_version": 0}, StaleVersion),
        ({"expected_version": 2}, StaleVersion),
    ],
    ids=[
        "no-grounds",
        "unknown-ground",
        "refusal-ground",
        "one-unknown",
        "empty-note",
        "blank-note",
        "older-version",
        "newer-version",
    ],
)
def test_a_cancellation_without_grounds_or_reasons_or_from_a_stale_page_changes_nothing(
    permit, officer, overrides, error
):
    before = snapshot(permit)

    with pytest.raises(error) as raised:
        cancel(permit, officer, **overrides)

    assert raised.value.message
    assert snapshot(permit) == before
    assert fresh(permit).status == PermitStatus.VALID
    assert not PermitEvent.objects.filter(permit=permit).exists()
    assert not Notification.objects.filter(kind=notices.PERMIT_CANCELLED).exists()


def test_a_student_cannot_cancel_even_their_own_permit(permit, student):
    before = snapshot(permit)
    for actor in (permit.application.applicant, student):
        with pytest.raises(NotPermitted):
            cancel(permit, actor)
    assert snapshot(permit) == before
    assert not PermitEvent.objects.exists()


def test_a_permit_is_cancelled_once(permit, officer):
    cancel(permit, officer)
    after_first = snapshot(permit)

    with pytest.raises(TransitionNotAllowed):
        cancel(permit, officer, day=CANCELLED_ON + timedelta(days=3), grounds=["other_purpose"])

    assert snapshot(permit) == after_first
    assert PermitEvent.objects.filter(permit=permit).count() == 1
    assert Notification.objects.filter(kind=notices.PERMIT_CANCELLED).count() == 1


def test_an_ended_permit_cannot_be_cancelled(permit, officer):
    with at(ENDED_ON):
        services.permit_end(permit, actor=officer, on=ENDED_ON)
    before = snapshot(permit)
    with pytest.raises(TransitionNotAllowed):
        cancel(permit, officer, day=ENDED_ON)
    assert snapshot(permit) == before


# --- the officers' page ------------------------------------------------------------------------


def test_the_officers_page_shows_the_form_and_cancels(permit, officer, client_for):
    url = reverse("officer-permit-cancel", args=[permit.pk])
    with at(CANCELLED_ON):
        client = client_for(officer)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert permit.number in html
        assert "Cancel the permit" in html
        assert 'name="note"' in html
        assert 'name="version"' in html
        assert 'value="1"' in html
        for code in ("other_purpose", "studies_cannot_continue", "conditions_no_longer_met"):
            assert f'value="{code}"' in html
        # A refusal's ground is not offered for a cancellation.
        assert 'value="conditions_not_met"' not in html

        done = client.post(
            url,
            {
                "version": "1",
                "grounds": ["other_purpose", "deportation_or_entry_ban"],
                "note": "An entry ban was issued.",
            },
        )

    assert done.status_code == 302
    assert done.url == reverse("officer-review", args=[permit.application_id])
    cancelled = fresh(permit)
    assert (cancelled.status, cancelled.ended_on, cancelled.version) == (
        PermitStatus.CANCELLED,
        CANCELLED_ON,
        2,
    )
    assert cancelled.end_grounds == ["other_purpose", "deportation_or_entry_ban"]
    assert cancelled.end_note == "An entry ban was issued."
    assert cancelled.cancellation_letter
    notice = Notification.objects.get(kind=notices.PERMIT_CANCELLED)
    assert notice.recipient == permit.application.applicant


def test_the_officers_page_from_a_stale_page_says_so_and_changes_nothing(
    permit, officer, client_for
):
    url = reverse("officer-permit-cancel", args=[permit.pk])
    before = snapshot(permit)
    with at(CANCELLED_ON):
        stale = client_for(officer).post(
            url, {"version": "7", "grounds": ["other_purpose"], "note": "Not attending."}
        )
    assert stale.status_code == 400
    assert "changed by someone else" in stale.content.decode()
    assert snapshot(permit) == before
    assert not PermitEvent.objects.exists()
    assert not Notification.objects.filter(kind=notices.PERMIT_CANCELLED).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"version": "1", "note": "No ground chosen."},
        {"version": "1", "grounds": ["other_purpose"], "note": ""},
        {"version": "1", "grounds": ["conditions_not_met"], "note": "A refusal's ground."},
        {},
    ],
    ids=["no-grounds", "no-note", "refusal-ground", "empty-post"],
)
def test_the_officers_page_refuses_an_incomplete_cancellation(permit, officer, client_for, data):
    before = snapshot(permit)
    with at(CANCELLED_ON):
        response = client_for(officer).post(
            reverse("officer-permit-cancel", args=[permit.pk]), data
        )
    assert response.status_code == 400
    assert snapshot(permit) == before


def test_the_officers_page_of_a_cancelled_permit_offers_its_letter(permit, officer, client_for):
    letter_url = reverse("officer-cancellation-letter", args=[permit.pk])
    url = reverse("officer-permit-cancel", args=[permit.pk])
    # One day throughout: a staff session ends after a short idle time.
    with at(CANCELLED_ON):
        client = client_for(officer)
        assert client.get(letter_url).status_code == 404  # nothing cancelled yet
        cancel(permit, officer)
        page = client.get(url).content.decode()
        again = client.post(url, {"version": "2", "grounds": ["other_purpose"], "note": "x"})
        letter = client.get(letter_url)
    assert "This permit is no longer valid." in page
    assert "Cancel the permit</button>" not in page
    assert letter_url in page
    assert again.status_code == 400
    assert fresh(permit).version == 2

    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert b"".join(letter.streaming_content).startswith(b"%PDF")


def test_only_officers_open_the_cancellation_page(permit, officer, client_for):
    url = reverse("officer-permit-cancel", args=[permit.pk])
    holder = client_for(permit.application.applicant)
    data = {"version": "1", "grounds": ["other_purpose"], "note": "Not attending."}
    with at(CANCELLED_ON):
        assert holder.get(url).status_code == 403
        assert holder.post(url, data).status_code == 403
        anonymous = client_for(None)
        for response in (anonymous.get(url), anonymous.post(url, data)):
            assert response.status_code == 302
            assert response.url.startswith(reverse(settings.LOGIN_URL))
    assert fresh(permit).status == PermitStatus.VALID
    cancel(permit, officer)
    letter_url = reverse("officer-cancellation-letter", args=[permit.pk])
    assert holder.get(letter_url).status_code == 403


# --- /verify/ ----------------------------------------------------------------------------------


def verify_page(client, permit: Permit, day: date) -> str:
    with at(day):
        response = client.get(reverse("permit-verify", args=[permit.verification_code]))
    assert response.status_code == 200
    return response.content.decode()


def test_verify_says_since_when_a_cancelled_permit_is_no_longer_valid(permit, officer, client_for):
    client = client_for(None)
    assert 'data-state="valid"' in verify_page(client, permit, CANCELLED_ON)
    cancel(permit, officer)
    page = verify_page(client, permit, CANCELLED_ON + timedelta(days=1))
    assert 'data-state="cancelled"' in page
    with translation.override("en"):
        day = formats.date_format(CANCELLED_ON, "DATE_FORMAT")
    assert f"this permit was cancelled on {day}" in page
    assert "is valid today" not in page
    # The public page still never shows the permit number.
    assert permit.number not in page


def test_verify_says_since_when_an_ended_permit_is_no_longer_valid(permit, officer, client_for):
    with at(ENDED_ON):
        services.permit_end(permit, actor=officer, on=ENDED_ON, note="Graduated.")
    page = verify_page(client_for(None), permit, ENDED_ON + timedelta(days=1))
    assert 'data-state="ended"' in page
    with translation.override("en"):
        day = formats.date_format(ENDED_ON, "DATE_FORMAT")
    assert f"this permit ended on {day}" in page
    assert "is valid today" not in page


# --- the holder's copy -------------------------------------------------------------------------


def test_the_holder_downloads_the_cancellation_letter_and_nobody_else_sees_it(
    granted, officer, client_for
):
    permit, other = granted(), granted()
    url = reverse("permit-cancellation-letter", args=[permit.pk])
    holder = client_for(permit.application.applicant)
    assert holder.get(url).status_code == 404  # a valid permit has no such letter
    cancel(permit, officer)

    response = holder.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert content == letter_bytes(permit)
    assert permit.number in pdf_text(content)
    # Another student, even one with a permit, sees nothing there.
    assert client_for(other.application.applicant).get(url).status_code == 404
    assert client_for(UserFactory()).get(url).status_code == 404
    # The URL of a valid permit, for its own holder: not found either.
    other_url = reverse("permit-cancellation-letter", args=[other.pk])
    assert client_for(other.application.applicant).get(other_url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse(settings.LOGIN_URL))


def test_the_dashboard_lists_a_cancelled_permit_as_no_longer_valid(permit, officer, client_for):
    cancel(permit, officer)
    holder = client_for(permit.application.applicant)
    with at(CANCELLED_ON + timedelta(days=1)):
        page = holder.get(reverse("dashboard")).content.decode()
    assert "Permits no longer valid" in page
    section = page[page.index("Permits no longer valid") :]
    assert permit.number in section
    with translation.override("en"):
        day = formats.date_format(CANCELLED_ON, "DATE_FORMAT")
    assert f"Cancelled on {day}." in section
    with translation.override("en"):
        assert str(ARTICLE_40_GROUNDS["other_purpose"]) in section
    assert NOTE in section
    assert reverse("permit-cancellation-letter", args=[permit.pk]) in section
    # It is not offered for an extension any more.
    assert reverse("permit-extend", args=[permit.pk]) not in page


# --- the end of studies ------------------------------------------------------------------------


@pytest.mark.parametrize("days", [None, 14], ids=["policy-default", "policy-14-days"])
def test_the_end_of_studies_ends_the_permit_and_says_by_when_to_apply(
    permit, officer, client_for, days
):
    if days is not None:
        PolicyVersion.objects.update(end_of_studies_days=days)
        # update() sends no post_save: drop the cached versions as a supervisor's save does.
        cache.delete(VERSIONS_CACHE_KEY)
    expected_days = days or policy_version_in_force(on=ENDED_ON).end_of_studies_days
    apply_by = ENDED_ON + timedelta(days=expected_days)
    holder = permit.application.applicant
    assert services.permit_apply_by(fresh(permit)) is None  # still valid

    with at(ENDED_ON + timedelta(days=2)):
        services.permit_end(permit, actor=officer, on=ENDED_ON, note="Graduated.")

    ended = fresh(permit)
    assert (ended.status, ended.ended_on, ended.ended_by, ended.version) == (
        PermitStatus.ENDED,
        ENDED_ON,
        officer,
        2,
    )
    assert not ended.cancellation_letter
    assert services.permit_apply_by(ended) == apply_by
    event = PermitEvent.objects.get(permit=permit)
    assert (event.from_status, event.to_status) == (PermitStatus.VALID, PermitStatus.ENDED)
    assert event.data["apply_by"] == apply_by.isoformat()
    notice = Notification.objects.get(kind=notices.PERMIT_ENDED)
    assert (notice.recipient, notice.language) == (holder, holder.preferred_language)
    assert notice.context["apply_by"] == apply_by.isoformat()
    assert notice.context["ended_on"] == ENDED_ON.isoformat()

    with at(ENDED_ON + timedelta(days=3)):
        page = client_for(holder).get(reverse("dashboard")).content.decode()
    with translation.override("en"):
        by = formats.date_format(apply_by, "DATE_FORMAT")
    assert "Permits no longer valid" in page
    assert f"apply for another residence permit by {by}" in page


def test_only_a_valid_permit_ends_and_only_an_officer_ends_it(permit, officer):
    with pytest.raises(NotPermitted):
        services.permit_end(permit, actor=permit.application.applicant, on=ENDED_ON)
    assert fresh(permit).status == PermitStatus.VALID
    cancel(permit, officer)
    before = snapshot(permit)
    with pytest.raises(TransitionNotAllowed):
        services.permit_end(permit, actor=officer, on=ENDED_ON)
    assert snapshot(permit) == before
    # A cancelled permit gives no day by which to apply again: it was not the studies that ended.
    assert services.permit_apply_by(fresh(permit)) is None
    assert not Notification.objects.filter(kind=notices.PERMIT_ENDED).exists()


# --- shortening --------------------------------------------------------------------------------


def test_shortening_moves_the_end_earlier_and_tells_the_holder_why(permit, officer):
    before = fresh(permit)
    new_end = before.valid_to - timedelta(days=100)

    with at(CANCELLED_ON):
        services.permit_shorten(
            permit, actor=officer, valid_to=new_end, reason="The programme ends a term early."
        )

    shortened = fresh(permit)
    assert (shortened.status, shortened.valid_from, shortened.valid_to) == (
        PermitStatus.VALID,
        before.valid_from,
        new_end,
    )
    assert shortened.version == before.version + 1
    event = PermitEvent.objects.get(permit=permit)
    assert (event.kind, event.actor, event.note) == (
        PermitEvent.Kind.SHORTENED,
        officer,
        "The programme ends a term early.",
    )
    assert event.data == {
        "valid_to": new_end.isoformat(),
        "previous_valid_to": before.valid_to.isoformat(),
    }
    notice = Notification.objects.get(kind=notices.PERMIT_SHORTENED)
    assert notice.recipient == permit.application.applicant
    assert notice.context["valid_to"] == new_end.isoformat()
    assert notice.context["previous_valid_to"] == before.valid_to.isoformat()
    assert notice.context["message"] == "The programme ends a term early."


def test_a_permit_can_be_shortened_to_its_first_day(permit, officer):
    start = fresh(permit).valid_from
    services.permit_shorten(permit, actor=officer, valid_to=start, reason="Left at once.")
    assert fresh(permit).valid_to == start


@pytest.mark.parametrize(
    ("shift", "reason"),
    [
        (timedelta(days=0), "The same day."),
        (timedelta(days=1), "A later day."),
        (None, "Before the start."),
        (timedelta(days=-30), ""),
        (timedelta(days=-30), "   "),
    ],
    ids=["same-day", "later", "before-start", "no-reason", "blank-reason"],
)
def test_shortening_refuses_a_date_not_earlier_or_before_the_start_or_no_reason(
    permit, officer, shift, reason
):
    current = fresh(permit)
    valid_to = current.valid_from - timedelta(days=1) if shift is None else current.valid_to + shift
    before = snapshot(permit)
    with pytest.raises(WorkflowError):
        services.permit_shorten(permit, actor=officer, valid_to=valid_to, reason=reason)
    assert snapshot(permit) == before
    assert not PermitEvent.objects.exists()
    assert not Notification.objects.filter(kind=notices.PERMIT_SHORTENED).exists()


def test_only_an_officer_shortens_and_only_a_valid_permit(granted, officer):
    permit, ended = granted(), granted()
    new_end = fresh(permit).valid_to - timedelta(days=30)
    with pytest.raises(NotPermitted):
        services.permit_shorten(
            permit, actor=permit.application.applicant, valid_to=new_end, reason="Mine."
        )
    cancel(permit, officer)
    with at(ENDED_ON):
        services.permit_end(ended, actor=officer, on=ENDED_ON)
    for no_longer_valid in (permit, ended):
        before = snapshot(no_longer_valid)
        with pytest.raises(WorkflowError):
            services.permit_shorten(
                no_longer_valid,
                actor=officer,
                valid_to=fresh(no_longer_valid).valid_to - timedelta(days=30),
                reason="Programme ends earlier.",
            )
        assert snapshot(no_longer_valid) == before
    assert not Notification.objects.filter(kind=notices.PERMIT_SHORTENED).exists()


# --- what stops with a cancellation ------------------------------------------------------------


def test_a_cancelled_permit_is_neither_extended_nor_reminded_of(granted, officer):
    cancelled = granted(passport_expiry_date=SHORT_PASSPORT)
    standing = granted(passport_expiry_date=SHORT_PASSPORT)  # the same dates, still valid
    assert fresh(cancelled).valid_to == SHORT_PERMIT_END
    cancel(cancelled, officer)
    holder = cancelled.application.applicant
    # Inside the 60-day extension window and the holder's passport reminders alike.
    inside = SHORT_PERMIT_END - timedelta(days=30)
    assert (SHORT_PASSPORT - inside).days <= max(HOLDER_PASSPORT_DAYS)

    with at(inside):
        window = extensions.extension_window(fresh(cancelled))
        assert window.state == extensions.NO_LONGER_VALID
        assert not window.is_open
        assert extensions.extension_window(fresh(standing)).state == extensions.OPEN
        assert not extensions.current_permits(holder).exists()
        assert extensions.current_permit_windows(holder) == []
        assert list(extensions.ended_permits(holder)) == [fresh(cancelled)]
        with pytest.raises(WorkflowError, match="no longer valid"):
            extensions.extension_start(applicant=holder, permit_id=cancelled.pk)
        sweep_permits()
        sweep_passports()

    assert not extensions.open_extensions(cancelled).exists()
    reminded = Notification.objects.filter(kind__in=["permit_expiring", "passport_expiring"])
    assert not reminded.filter(recipient=holder).exists()
    # The same dates on a permit that stands are reminded of: the sweeps did run.
    assert set(
        reminded.filter(recipient=standing.application.applicant).values_list("kind", flat=True)
    ) == {"permit_expiring", "passport_expiring"}


def test_an_ended_permit_is_not_extended_either(granted, officer):
    permit = granted(passport_expiry_date=SHORT_PASSPORT)
    ended_on = SHORT_PERMIT_END - timedelta(days=40)
    with at(ended_on):
        services.permit_end(permit, actor=officer, on=ended_on)
    holder = permit.application.applicant
    with at(SHORT_PERMIT_END - timedelta(days=30)):
        assert extensions.extension_window(fresh(permit)).state == extensions.NO_LONGER_VALID
        assert not extensions.current_permits(holder).exists()
        with pytest.raises(WorkflowError):
            extensions.extension_start(applicant=holder, permit_id=permit.pk)
        sweep_permits()
    assert not Notification.objects.filter(kind="permit_expiring").exists()


# --- the history is append-only ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE permits_permitevent SET note = 'rewritten' WHERE permit_id = %s",
        "DELETE FROM permits_permitevent WHERE permit_id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_a_permits_history(permit, officer, sql):
    cancel(permit, officer)
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [permit.pk])
    event = PermitEvent.objects.get(permit=permit)
    assert event.note == NOTE


def test_neither_the_orm_nor_a_queryset_changes_a_permits_history(permit, officer):
    cancel(permit, officer)
    event = PermitEvent.objects.get(permit=permit)
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        PermitEvent.objects.filter(permit=permit).update(note="rewritten")
    assert PermitEvent.objects.get(permit=permit).note == NOTE


# --- an extended permit ------------------------------------------------------------------------

RENEWED_PASSPORT = date(2035, 6, 30)


def extended(permit: Permit, officer) -> Permit:
    """Extend ``permit`` inside its window, as in tests/applications/test_extensions.py."""
    day = fresh(permit).valid_to - timedelta(days=30)
    with at(day):
        extension = extensions.extension_start(
            applicant=permit.application.applicant, permit_id=permit.pk
        )
        Application.objects.filter(pk=extension.pk).update(
            passport_expiry_date=RENEWED_PASSPORT,
            declaration_accepted_at=datetime(2024, 10, 1, tzinfo=ISTANBUL),
        )
        attach_required_documents(Application.objects.get(pk=extension.pk), on=day)
        workflow.application_submit(
            application_id=extension.pk,
            actor=extension.applicant,
            expected_version=Application.objects.get(pk=extension.pk).version,
        )
        decisions.application_start_review(
            application_id=extension.pk,
            actor=officer,
            expected_version=Application.objects.get(pk=extension.pk).version,
        )
        current = Application.objects.get(pk=extension.pk)
        earliest, latest = decisions.permit_bounds(current, on=day)
        return decisions.application_approve(
            application_id=extension.pk,
            actor=officer,
            expected_version=current.version,
            valid_from=earliest,
            valid_to=latest,
        )


def test_cancelling_just_after_midnight_counts_the_day_in_istanbul(permit, officer):
    with at(CANCELLED_ON, hour=0):  # 21:00 UTC on the day before
        services.permit_cancel(
            permit.pk, actor=officer, grounds=["other_purpose"], note=NOTE, expected_version=1
        )
    assert fresh(permit).ended_on == CANCELLED_ON


def test_the_old_letter_does_not_promise_a_new_permit_that_was_cancelled(
    granted, officer, client_for
):
    first = granted(passport_expiry_date=SHORT_PASSPORT)
    second = extended(first, officer)
    day = second.valid_from + timedelta(days=40)
    cancel(second, officer, day=day)
    client = client_for(None)
    assert 'data-state="cancelled"' in verify_page(client, second, day + timedelta(days=1))

    page = verify_page(client, first, day + timedelta(days=1))

    assert 'data-extension="extended"' not in page
    assert "the holder's new permit is valid until" not in page


def test_a_permit_an_extension_follows_is_not_shortened_into_a_gap(granted, officer):
    first = granted(passport_expiry_date=SHORT_PASSPORT)
    second = extended(first, officer)
    assert fresh(second).valid_from == SHORT_PERMIT_END + timedelta(days=1)
    with at(SHORT_PERMIT_END - timedelta(days=20)), pytest.raises(WorkflowError):
        services.permit_shorten(
            first,
            actor=officer,
            valid_to=SHORT_PERMIT_END - timedelta(days=10),
            reason="The programme ends earlier.",
        )
    # No gap, no overlap: the extension still starts the day after the first permit ends.
    assert fresh(first).valid_to + timedelta(days=1) == fresh(second).valid_from
