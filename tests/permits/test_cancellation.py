"""Cancelling a permit (LFIP Art. 40): the service, its letter and notice, the officer's page,
who may download the letter, /verify/, and everything that stops treating the permit as current.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from applications import decisions, extensions, workflow
from applications.models import Application
from applications.sweeps import sweep_passports
from cases.errors import NotPermitted, StaleVersion, TransitionNotAllowed, WorkflowError
from notifications.content import notice_texts
from notifications.models import Notification
from permits import notices
from permits.grounds import ARTICLE_40_GROUNDS, CANCELLATION_GROUNDS
from permits.models import AppendOnlyError, PermitEvent, PermitStatus
from permits.sweeps import sweep_permits
from tests.factories import (
    OfficerFactory,
    SupervisorFactory,
    UserFactory,
    attach_required_documents,
)

from .support import GROUND, NOTE, PERMIT_END, TODAY, at, cancel, extended, fresh

pytestmark = pytest.mark.django_db

INSIDE_WINDOW = PERMIT_END - timedelta(days=30)
APPEAL = "administrative court"


def english(day) -> str:
    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


def speaks_english(permit):
    holder = permit.application.applicant
    holder.preferred_language = "en"
    holder.save()
    return holder


def pdf_text(field) -> str:
    with field.open("rb") as handle:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


# --- the service -----------------------------------------------------------------------------


def test_the_grounds_are_those_of_article_40_no_longer_met_for_a_granted_permit():
    assert set(CANCELLATION_GROUNDS) == {
        "conditions_no_longer_met",
        "studies_cannot_continue",
        "other_purpose",
        "deportation_or_entry_ban",
    }
    with translation.override("en"):
        assert str(CANCELLATION_GROUNDS["conditions_no_longer_met"]) == (
            "The conditions for the permit are no longer met."
        )


def test_an_officer_cancels_a_permit_with_an_event_a_letter_and_a_notice(permit, officer):
    holder = permit.application.applicant
    holder.preferred_language = "tr"
    holder.save()

    cancelled = cancel(permit, officer, grounds=[GROUND, "studies_cannot_continue"])

    stored = fresh(permit)
    assert cancelled.pk == stored.pk
    assert (stored.status, stored.version, stored.ended_on) == (PermitStatus.CANCELLED, 2, TODAY)
    assert (stored.ended_by, stored.end_note) == (officer, NOTE)
    assert stored.end_grounds == [GROUND, "studies_cannot_continue"]
    event = PermitEvent.objects.get(permit=permit)
    assert (event.kind, event.from_status, event.to_status) == (
        "status_changed",
        "valid",
        "cancelled",
    )
    assert (event.actor, event.note) == (officer, NOTE)
    assert event.data == {
        "ended_on": TODAY.isoformat(),
        "grounds": [GROUND, "studies_cannot_continue"],
    }

    # The letter: a PDF in the holder's language, naming the permit and its verification code.
    text = pdf_text(stored.cancellation_letter)
    assert permit.number in text
    assert "iptal" in text.lower()
    assert "Cancellation" not in text
    assert permit.verification_code in "".join(text.split())

    # The notice, in the outbox, about the permit, in the holder's language.
    notice = Notification.objects.get(kind=notices.PERMIT_CANCELLED)
    assert (notice.recipient, notice.language, notice.about_id) == (holder, "tr", permit.pk)
    assert notice.state == Notification.State.PENDING
    with translation.override("tr"):
        tr_grounds = [
            str(ARTICLE_40_GROUNDS[GROUND]),
            str(ARTICLE_40_GROUNDS["studies_cannot_continue"]),
        ]
    assert notice.context["grounds"] == " ".join(tr_grounds)
    assert "English" not in notice.context["grounds"]


def test_the_notice_states_the_grounds_the_reasons_and_how_to_appeal(permit, officer):
    speaks_english(permit)
    cancel(permit, officer, grounds=["conditions_no_longer_met"])
    notice = Notification.objects.get(kind=notices.PERMIT_CANCELLED)
    with translation.override("en"):
        texts = notice_texts(notice)
    assert permit.number in texts["subject"]
    assert f"cancelled on {english(TODAY)}," in texts["what_happened"]
    assert "The conditions for the permit are no longer met." in texts["what_happened"]
    assert NOTE in texts["what_happened"]
    assert APPEAL in texts["next_step"]
    assert "60 days" in texts["next_step"]
    assert texts["path"] == reverse("dashboard")


def test_an_english_holder_gets_an_english_letter(permit, officer):
    speaks_english(permit)
    text = pdf_text(cancel(permit, officer).cancellation_letter)
    assert "cancellation" in text.lower()
    assert "How to appeal" in text
    assert "The permit was used for a purpose other than studying." in text


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"grounds": []}, WorkflowError),
        ({"grounds": ["not_a_ground"]}, WorkflowError),
        # "Not met" is a refusal's ground; a granted permit is cancelled because "no longer met".
        ({"grounds": ["conditions_not_met"]}, WorkflowError),
        ({"note": "  "}, WorkflowError),
        ({"expected_version": 99}, StaleVersion),
    ],
    ids=["no-ground", "unknown-ground", "refusal-ground", "no-reasons", "stale"],
)
def test_a_cancellation_without_its_reasons_or_from_a_stale_page_changes_nothing(
    permit, officer, overrides, error
):
    with pytest.raises(error) as raised:
        cancel(permit, officer, **overrides)
    assert str(raised.value.message)
    stored = fresh(permit)
    assert (stored.status, stored.version, stored.ended_on) == ("valid", 1, None)
    assert not stored.cancellation_letter
    assert not PermitEvent.objects.exists()
    assert not Notification.objects.filter(kind=notices.PERMIT_CANCELLED).exists()


def test_only_staff_cancel_and_only_once(permit, officer):
    for outsider in (permit.application.applicant, UserFactory()):
        with pytest.raises(NotPermitted):
            cancel(permit, outsider)
    assert fresh(permit).status == PermitStatus.VALID
    cancel(permit, SupervisorFactory())
    with pytest.raises(TransitionNotAllowed):
        cancel(permit, officer)
    assert PermitEvent.objects.filter(permit=permit).count() == 1


def test_the_permits_history_is_append_only_in_the_model_and_the_database(permit, officer):
    cancel(permit, officer)
    event = PermitEvent.objects.get(permit=permit)
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    for statement in (
        "UPDATE permits_permitevent SET note = 'x' WHERE permit_id = %s",
        "DELETE FROM permits_permitevent WHERE permit_id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [permit.pk])
    assert PermitEvent.objects.get(permit=permit).note == NOTE


# --- the officer's page ----------------------------------------------------------------------


def test_the_review_page_offers_cancelling_a_valid_permit_only(permit, officer, client_for):
    client = client_for(officer)
    review = reverse("officer-review", args=[permit.application_id])
    cancel_url = reverse("officer-permit-cancel", args=[permit.pk])
    with at(TODAY):
        page = client.get(review).content.decode()
        assert cancel_url in page
        assert "Cancel this permit" in page
        cancel(permit, officer)
        page = client.get(review).content.decode()
    assert cancel_url not in page
    assert reverse("officer-cancellation-letter", args=[permit.pk]) in page


def test_the_cancel_page_shows_the_permit_and_cancels_it(permit, officer, client_for):
    client = client_for(officer)
    url = reverse("officer-permit-cancel", args=[permit.pk])
    application = permit.application
    with at(TODAY):
        page = client.get(url).content.decode()
        assert permit.number in page
        assert application.surname in page
        assert formats.date_format(permit.valid_to, "DATE_FORMAT") in page
        assert 'name="version" value="1"' in page
        for code in CANCELLATION_GROUNDS:
            assert f'value="{code}"' in page
        done = client.post(
            url, {"version": 1, "grounds": [GROUND], "note": "Not attending."}, follow=True
        )
    assert done.redirect_chain == [(reverse("officer-review", args=[application.pk]), 302)]
    assert "is cancelled; the holder was told" in done.content.decode()
    stored = fresh(permit)
    assert (stored.status, stored.end_note, stored.ended_by) == (
        "cancelled",
        "Not attending.",
        officer,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": 7, "grounds": [GROUND], "note": "x"}, "changed by someone else"),
        ({"version": 1, "note": "x"}, "This field is required"),
        ({"version": 1, "grounds": [GROUND], "note": ""}, "This field is required"),
    ],
    ids=["stale", "no-ground", "no-reasons"],
)
def test_the_cancel_page_refuses_and_changes_nothing(permit, officer, client_for, data, message):
    with at(TODAY):
        response = client_for(officer).post(
            reverse("officer-permit-cancel", args=[permit.pk]), data
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (fresh(permit).status, fresh(permit).version) == ("valid", 1)
    assert not PermitEvent.objects.exists()


# --- who may download the letter -------------------------------------------------------------


def test_the_holder_downloads_the_letter_from_the_dashboard_and_nobody_else(
    permit, officer, client_for
):
    url = reverse("permit-cancellation-letter", args=[permit.pk])
    holder = permit.application.applicant
    with at(TODAY):
        assert client_for(holder).get(url).status_code == 404  # nothing cancelled yet
        cancel(permit, officer)
        response = client_for(holder).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert client_for(UserFactory()).get(url).status_code == 404
        # Officers download it from their workspace; this is the holder's page.
        assert client_for(officer).get(url).status_code == 404
        anonymous = client_for(None).get(url)
        dashboard = client_for(holder).get(reverse("dashboard")).content.decode()
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert "Permits no longer valid" in dashboard
    assert url in dashboard
    assert f"Cancelled on {english(TODAY)}." in dashboard


def test_officers_download_the_letter_from_their_workspace_and_nobody_else(
    permit, officer, client_for
):
    url = reverse("officer-cancellation-letter", args=[permit.pk])
    with at(TODAY):
        assert client_for(officer).get(url).status_code == 404  # nothing cancelled yet
        cancel(permit, officer)
        response = client_for(OfficerFactory()).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert client_for(SupervisorFactory()).get(url).status_code == 200
        assert client_for(permit.application.applicant).get(url).status_code == 403
        assert client_for(UserFactory()).get(url).status_code == 403
        anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))


# --- what stops treating the permit as current -----------------------------------------------


def test_verify_says_cancelled_on(permit, officer, client):
    cancel(permit, officer)
    with at(TODAY + timedelta(days=1)):
        page = client.get(
            reverse("permit-verify", args=[permit.verification_code]),
            headers={"accept-language": "en"},
        ).content.decode()
    assert 'data-state="cancelled"' in page
    assert f"was cancelled on {english(TODAY)} and is no longer valid" in page
    assert "is valid today" not in page


def test_a_cancelled_permit_cannot_be_extended_and_its_page_says_so(permit, officer, client_for):
    holder = permit.application.applicant
    cancel(permit, officer)
    client = client_for(holder)
    url = reverse("permit-extend", args=[permit.pk])
    with at(INSIDE_WINDOW):
        assert not extensions.current_permits(holder).exists()
        assert extensions.extension_window(fresh(permit)).state == extensions.NO_LONGER_VALID
        with pytest.raises(WorkflowError, match="no longer valid"):
            extensions.extension_start(applicant=holder, permit_id=permit.pk)
        page = client.get(url).content.decode()
        refused = client.post(url, follow=True).content.decode()
    assert "cannot be extended" in page
    assert f"Cancelled on {english(TODAY)}." in page
    assert APPEAL in page
    assert "Start the extension application" not in page
    assert "cannot be extended" in refused
    assert not Application.objects.filter(extends=permit).exists()


def _extension_draft(permit):
    with at(INSIDE_WINDOW):
        extension = extensions.extension_start(
            applicant=permit.application.applicant, permit_id=permit.pk
        )
        Application.objects.filter(pk=extension.pk).update(declaration_accepted_at=timezone.now())
        attach_required_documents(extension, on=INSIDE_WINDOW)
    return Application.objects.get(pk=extension.pk)


def test_an_extension_started_before_the_cancellation_is_neither_submitted_nor_granted(
    permit, officer
):
    draft = _extension_draft(permit)
    cancel(permit, officer, day=INSIDE_WINDOW)
    with at(INSIDE_WINDOW), pytest.raises(WorkflowError, match="no longer valid"):
        workflow.application_submit(
            application_id=draft.pk, actor=draft.applicant, expected_version=draft.version
        )
    assert Application.objects.get(pk=draft.pk).status == "draft"


def test_an_extension_waiting_for_a_decision_is_not_granted_after_the_cancellation(permit, officer):
    draft = _extension_draft(permit)
    with at(INSIDE_WINDOW):
        workflow.application_submit(
            application_id=draft.pk, actor=draft.applicant, expected_version=draft.version
        )
        extension = Application.objects.get(pk=draft.pk)
        decisions.application_start_review(
            application_id=extension.pk, actor=officer, expected_version=extension.version
        )
        extension = Application.objects.get(pk=draft.pk)
        earliest, latest = decisions.permit_bounds(extension, on=INSIDE_WINDOW)
    cancel(permit, officer, day=INSIDE_WINDOW)
    with at(INSIDE_WINDOW), pytest.raises(WorkflowError, match="no longer valid"):
        decisions.application_approve(
            application_id=extension.pk,
            actor=officer,
            expected_version=extension.version,
            valid_from=earliest,
            valid_to=latest,
        )
    assert not hasattr(Application.objects.get(pk=extension.pk), "permit")


def test_no_expiry_or_passport_reminders_for_a_cancelled_permit(permit, officer):
    cancel(permit, officer)
    # 30 days before the permit ends (an expiry reminder's day), the passport within 90 days.
    with at(INSIDE_WINDOW):
        sweep_permits()
        sweep_passports()
    assert not Notification.objects.filter(
        kind__in=["permit_expiring", "passport_expiring"]
    ).exists()


def test_a_valid_permit_is_still_reminded(permit):
    """The control for the test above: the same day, a valid permit gets its reminders."""
    with at(INSIDE_WINDOW):
        sweep_permits()
        sweep_passports()
    assert Notification.objects.filter(kind="permit_expiring").exists()
    assert Notification.objects.filter(kind="passport_expiring").exists()


# --- the student's include -------------------------------------------------------------------


def test_the_state_include_says_cancelled_with_grounds_appeal_and_letter(permit, officer):
    cancelled = cancel(permit, officer)
    with translation.override("en"):
        html = render_to_string(
            "permits/includes/permit_state.html",
            {
                "permit": cancelled,
                "permit_grounds": [ARTICLE_40_GROUNDS[GROUND]],
                "apply_by": None,
            },
        )
        valid = render_to_string("permits/includes/permit_state.html", {"permit": permit})
    assert f"Cancelled on {english(TODAY)}." in html
    assert "The permit was used for a purpose other than studying." in html
    assert NOTE in html
    assert APPEAL in html
    assert reverse("permit-cancellation-letter", args=[permit.pk]) in html
    assert valid.strip() == ""


def test_the_old_letter_stops_promising_an_extension_that_was_cancelled(permit, officer, client):
    successor = extended(permit, officer)
    verify = reverse("permit-verify", args=[permit.verification_code])
    with at(PERMIT_END):
        page = client.get(verify, headers={"accept-language": "en"}).content.decode()
    assert 'data-extension="extended"' in page
    cancel(successor, officer, day=PERMIT_END + timedelta(days=40))
    with at(PERMIT_END + timedelta(days=41)):
        page = client.get(verify, headers={"accept-language": "en"}).content.decode()
    assert 'data-extension="extended"' not in page
    assert 'data-state="expired"' in page
