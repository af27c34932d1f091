"""Extending a permit: the window, the prefilled draft, no gap and no overlap, one extension per
permit, the receipt, /verify/, and the reminders stopping.

The commonest path of this agreement: a first permit cut short by the passport (it ends 60 days
before the passport does), a renewed passport, and an extension for the rest of the programme.
"""

from __future__ import annotations

import io
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from applications import decisions, extensions, workflow
from applications import notices as app_notices
from applications.models import Application, Kind, Status
from cases.errors import WorkflowError
from notifications.models import Notification
from permits.models import Permit
from permits.sweeps import sweep_permits
from tests.factories import OfficerFactory, UserFactory, attach_required_documents

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
FIRST_DECISION = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)
# The first passport expires on 2027-01-09, so the first permit ends 60 days earlier.
SHORT_PASSPORT = date(2027, 1, 9)
PERMIT_END = date(2026, 11, 10)
WINDOW_OPENS = date(2026, 9, 11)  # 60 days before the end
NEW_START = date(2026, 11, 11)
PROGRAMME_END = date(2028, 9, 15)  # bachelor's from 2024-09-16, four years
RENEWED_PASSPORT = date(2035, 6, 30)


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ISTANBUL))


@pytest.fixture
def permit(application_in) -> Permit:
    with at(FIRST_DECISION.date()), translation.override("en"):
        first = application_in(Status.APPROVED, passport_expiry_date=SHORT_PASSPORT)
    permit = first.permit
    assert (permit.valid_from, permit.valid_to) == (FIRST_DECISION.date(), PERMIT_END)
    return permit


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def started(permit: Permit, day: date = NEW_START - timedelta(days=30)) -> Application:
    with at(day):
        return extensions.extension_start(
            applicant=permit.application.applicant, permit_id=permit.pk
        )


def submitted(permit: Permit, day: date = NEW_START - timedelta(days=30)) -> Application:
    extension = started(permit, day)
    with at(day):
        Application.objects.filter(pk=extension.pk).update(
            passport_expiry_date=RENEWED_PASSPORT, declaration_accepted_at=FIRST_DECISION
        )
        attach_required_documents(fresh(extension), on=day)
        workflow.application_submit(
            application_id=extension.pk,
            actor=extension.applicant,
            expected_version=fresh(extension).version,
        )
    return fresh(extension)


def approved(extension: Application, day: date, **dates) -> Permit:
    officer = OfficerFactory()
    with at(day):
        decisions.application_start_review(
            application_id=extension.pk, actor=officer, expected_version=extension.version
        )
        current = fresh(extension)
        earliest, latest = decisions.permit_bounds(current, on=day)
        return decisions.application_approve(
            application_id=extension.pk,
            actor=officer,
            expected_version=current.version,
            valid_from=dates.get("valid_from", earliest),
            valid_to=dates.get("valid_to", latest),
        )


# --- the window (LFIP Art. 24(2)) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (WINDOW_OPENS - timedelta(days=1), extensions.NOT_YET),  # day 61 before the end
        (WINDOW_OPENS, extensions.OPEN),  # day 60
        (PERMIT_END, extensions.OPEN),  # the permit's last day
        (PERMIT_END + timedelta(days=1), extensions.ENDED),  # the day after
    ],
    ids=["day-61", "day-60", "last-day", "day-after"],
)
def test_the_window_opens_60_days_before_the_end_and_closes_with_the_permit(permit, day, state):
    window = extensions.extension_window(permit, today=day)

    assert window.state == state
    assert (window.opens_on, window.closes_on, window.new_start) == (
        WINDOW_OPENS,
        PERMIT_END,
        NEW_START,
    )


def test_before_the_window_the_page_says_when_it_opens_and_nothing_starts(permit, client_for):
    client = client_for(permit.application.applicant)
    url = reverse("permit-extend", args=[permit.pk])
    with at(WINDOW_OPENS - timedelta(days=1)), translation.override("en"):
        page = client.get(url).content.decode()
        refused = client.post(url, follow=True).content.decode()

    assert "can be applied for from 11 Sep 2026" in page
    assert "can be applied for from 2026-09-11" in refused
    assert not Application.objects.filter(kind=Kind.EXTENSION).exists()


def test_after_the_permit_ends_it_cannot_be_extended(permit, client_for):
    client = client_for(permit.application.applicant)
    with at(PERMIT_END + timedelta(days=1)), translation.override("en"):
        page = client.get(reverse("permit-extend", args=[permit.pk])).content.decode()
        with pytest.raises(WorkflowError, match="can no longer be extended"):
            extensions.extension_start(applicant=permit.application.applicant, permit_id=permit.pk)

    assert "can no longer be extended" in page
    assert "apply for a new permit" in page


def test_the_window_follows_the_policy_in_force(permit):
    from rules.models import PolicyVersion

    PolicyVersion.objects.update(extension_window_days=30)

    window = extensions.extension_window(permit, today=PERMIT_END - timedelta(days=31))

    assert window.state == extensions.NOT_YET
    assert window.opens_on == PERMIT_END - timedelta(days=30)


# --- the draft -------------------------------------------------------------------------------


def test_the_extension_is_prefilled_from_the_permits_application(permit):
    extension = started(permit)
    first = permit.application

    assert (extension.kind, extension.extends) == (Kind.EXTENSION, permit)
    assert extension.status == Status.DRAFT
    for name in ("surname", "passport_number", "fin", "university", "programme_start", "province"):
        assert getattr(extension, name) == getattr(first, name)
    assert extension.entry_date is None
    assert extension.new_permit_start == NEW_START


def test_an_extension_asks_for_the_documents_its_policy_names(permit):
    from rules.models import PolicyVersion

    PolicyVersion.objects.update(extension_document_kinds=["passport_identity_page", "photo"])
    extension = started(permit)

    with at(NEW_START - timedelta(days=30)):
        kinds = workflow.required_document_kinds(extension, on=NEW_START - timedelta(days=30))

    assert kinds == ("passport_identity_page", "photo")


def test_the_rules_are_evaluated_for_the_new_permit(permit):
    extension = submitted(permit)

    outcome = extension.eligibility_outcome
    assert outcome["permit_start"] == NEW_START.isoformat()
    assert outcome["permit_end"] == PROGRAMME_END.isoformat()
    assert outcome["passport_ok"] is True
    assert extension.reference


def test_another_students_permit_is_not_found(permit, client_for):
    stranger = client_for(UserFactory())
    with at(NEW_START - timedelta(days=30)):
        assert stranger.get(reverse("permit-extend", args=[permit.pk])).status_code == 404
        assert stranger.post(reverse("permit-extend", args=[permit.pk])).status_code == 404
        with pytest.raises(Permit.DoesNotExist):
            extensions.extension_start(applicant=UserFactory(), permit_id=permit.pk)


# --- one extension per permit ----------------------------------------------------------------


def test_a_second_extension_of_the_same_permit_is_refused(permit):
    started(permit)

    with pytest.raises(WorkflowError, match="already in progress"):
        started(permit)
    assert Application.objects.filter(kind=Kind.EXTENSION).count() == 1


def test_the_database_keeps_one_open_extension_per_permit(permit):
    first = started(permit)
    # Even written past the services (and for another account), the table refuses a second.
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            applicant=UserFactory(), kind=Kind.EXTENSION, extends=first.extends
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_starts_racing_for_one_permit_make_one_case(permit):
    barrier = threading.Barrier(2)
    results: list[str] = []

    def start():
        try:
            barrier.wait(timeout=10)
            with at(NEW_START - timedelta(days=30)), translation.override("en"):
                extensions.extension_start(
                    applicant=permit.application.applicant, permit_id=permit.pk
                )
            results.append("made")
        except WorkflowError as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["An extension of this permit is already in progress.", "made"]
    assert Application.objects.filter(kind=Kind.EXTENSION, extends=permit).count() == 1


# --- the decision: no gap, no overlap --------------------------------------------------------


def test_approval_issues_a_permit_from_the_day_after_linked_to_the_old_one(permit):
    extension = submitted(permit)

    new_permit = approved(extension, NEW_START - timedelta(days=10))

    assert new_permit.extends == permit
    assert new_permit.valid_from == permit.valid_to + timedelta(days=1)
    assert new_permit.valid_to == PROGRAMME_END
    assert new_permit.letter
    # Both permits stay in the student's history.
    holder = permit.application.applicant
    assert set(Permit.objects.filter(application__applicant=holder)) == {permit, new_permit}


@pytest.mark.parametrize("shift", [-1, 1], ids=["overlap", "gap"])
def test_an_extension_cannot_start_on_another_day(permit, shift):
    extension = submitted(permit)

    with pytest.raises(WorkflowError, match="the day after the current permit ends"):
        approved(extension, NEW_START - timedelta(days=10), valid_from=NEW_START + timedelta(shift))
    assert fresh(extension).status == Status.UNDER_REVIEW


def test_a_decision_after_the_old_permit_ended_still_starts_the_day_after(permit):
    extension = submitted(permit, PERMIT_END)

    new_permit = approved(extension, NEW_START + timedelta(days=20))

    assert new_permit.valid_from == NEW_START


def test_the_new_permit_is_capped_by_the_passport_as_a_first_one(permit):
    extension = submitted(permit)
    Application.objects.filter(pk=extension.pk).update(passport_expiry_date=date(2028, 1, 31))

    earliest, latest = decisions.permit_bounds(fresh(extension), on=NEW_START)

    assert (earliest, latest) == (NEW_START, date(2028, 1, 31) - timedelta(days=60))


def test_the_leap_day_is_the_day_after_a_permit_ending_on_28_february(application_in):
    # A first permit cut short to end on 2028-02-28 (passport 2028-04-28, 60 days later).
    with at(FIRST_DECISION.date()):
        first = application_in(Status.APPROVED, passport_expiry_date=date(2028, 4, 28))
    permit = first.permit
    assert permit.valid_to == date(2028, 2, 28)

    window = extensions.extension_window(permit, today=date(2028, 2, 1))

    assert window.new_start == date(2028, 2, 29)
    assert window.opens_on == date(2027, 12, 30)


# --- the receipt and /verify/ ----------------------------------------------------------------


def test_the_receipt_is_a_pdf_naming_the_permit_and_its_verification(permit, client_for, settings):
    settings.PUBLIC_BASE_URL = "https://portal.example"
    extension = submitted(permit)
    client = client_for(extension.applicant)

    with translation.override("en"):
        response = client.get(reverse("extension-receipt", args=[extension.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert extension.reference in text
    assert permit.number in text
    assert f"/verify/{permit.verification_code}/" in text.replace("\n", "")


def test_the_receipt_is_only_for_the_holders_submitted_extension(permit, client_for):
    draft = started(permit)
    owner = client_for(draft.applicant)

    assert owner.get(reverse("extension-receipt", args=[draft.pk])).status_code == 404
    assert owner.get(reverse("extension-receipt", args=[permit.application.pk])).status_code == 404
    extension = submitted_after_draft(draft)
    assert (
        client_for(UserFactory()).get(reverse("extension-receipt", args=[extension.pk])).status_code
        == 404
    )
    assert owner.get(reverse("extension-receipt", args=[extension.pk])).status_code == 200


def submitted_after_draft(draft: Application) -> Application:
    day = NEW_START - timedelta(days=30)
    with at(day):
        Application.objects.filter(pk=draft.pk).update(
            passport_expiry_date=RENEWED_PASSPORT, declaration_accepted_at=FIRST_DECISION
        )
        attach_required_documents(fresh(draft), on=day)
        workflow.application_submit(
            application_id=draft.pk, actor=draft.applicant, expected_version=fresh(draft).version
        )
    return fresh(draft)


def test_verify_says_an_extension_is_pending_then_that_the_permit_was_extended(permit, client):
    url = reverse("permit-verify", args=[permit.verification_code])
    extension = submitted(permit)

    english = {"Accept-Language": "en"}
    with at(NEW_START - timedelta(days=20)):
        pending = client.get(url, headers=english).content.decode()
    new_permit = approved(extension, NEW_START - timedelta(days=10))
    with at(NEW_START + timedelta(days=5)):
        extended = client.get(url, headers=english).content.decode()
        current = client.get(
            reverse("permit-verify", args=[new_permit.verification_code]), headers=english
        ).content.decode()

    assert 'data-extension="pending"' in pending
    assert 'data-extension="extended"' in extended
    assert "valid until 15 Sep 2028" in extended
    assert 'data-state="valid"' in current


# --- notices and reminders -------------------------------------------------------------------


def test_submission_tells_the_student_the_extension_is_being_decided(permit):
    extension = submitted(permit)

    notice = Notification.objects.get(application=extension, kind=app_notices.EXTENSION_SUBMITTED)
    assert notice.context["permit"] == permit.number
    assert not Notification.objects.filter(
        application=extension, kind=app_notices.SUBMITTED
    ).exists()


def test_the_expiry_reminders_link_to_the_extension_and_stop_once_it_is_submitted(permit):
    with at(PERMIT_END - timedelta(days=60)):
        assert sweep_permits() == {"permits": 1}
    reminder = Notification.objects.get(kind="permit_expiring")
    assert reminder.context["path"] == reverse("permit-extend", args=[permit.pk])
    assert reminder.context["window_opens"] == WINDOW_OPENS.isoformat()

    submitted(permit, PERMIT_END - timedelta(days=40))

    for days_left in (30, 7):
        with at(PERMIT_END - timedelta(days=days_left)):
            assert sweep_permits() == {"permits": 0}
    assert Notification.objects.filter(kind="permit_expiring").count() == 1


def test_a_draft_extension_does_not_stop_the_reminders(permit):
    started(permit, PERMIT_END - timedelta(days=40))

    with at(PERMIT_END - timedelta(days=30)):
        assert sweep_permits() == {"permits": 1}


# --- the officers' side ----------------------------------------------------------------------


def test_extensions_have_their_own_tab_in_the_queue(permit, officer, client_for):
    extension = submitted(permit)
    client = client_for(officer)

    with at(NEW_START - timedelta(days=29)):
        first_kind = client.get(reverse("officer-queue"))
        extension_kind = client.get(reverse("officer-queue"), {"kind": "extension"})

    assert [row.application.pk for row in first_kind.context["rows"]] == []
    assert [row.application.pk for row in extension_kind.context["rows"]] == [extension.pk]
    assert "?kind=extension" in first_kind.content.decode()


def test_the_review_page_says_which_permit_it_extends(permit, officer, client_for):
    extension = submitted(permit)

    with at(NEW_START - timedelta(days=29)), translation.override("en"):
        page = client_for(officer).get(reverse("officer-review", args=[extension.pk]))

    assert f"permit {permit.number} is valid until" in page.content.decode()


# --- the student's pages ---------------------------------------------------------------------


def test_the_dashboard_offers_the_extension_inside_the_window(permit, client_for):
    client = client_for(permit.application.applicant)

    with at(WINDOW_OPENS - timedelta(days=1)), translation.override("en"):
        before = client.get(reverse("dashboard")).content.decode()
    with at(WINDOW_OPENS), translation.override("en"):
        inside = client.get(reverse("dashboard")).content.decode()

    extend_url = reverse("permit-extend", args=[permit.pk])
    button = f'<a class="btn btn-outline-primary" href="{extend_url}">Apply for an extension</a>'
    assert button not in before
    assert "can be applied for from 11 Sep 2026" in before
    assert button in inside


def test_starting_from_the_page_opens_the_draft(permit, client_for):
    client = client_for(permit.application.applicant)

    with at(WINDOW_OPENS):
        response = client.post(reverse("permit-extend", args=[permit.pk]))

    extension = Application.objects.get(kind=Kind.EXTENSION)
    assert response.status_code == 302
    assert response["Location"] == reverse("application-tasks", args=[extension.pk])


def test_the_data_export_names_the_permit_an_extension_extends(permit, client_for):
    import json
    import zipfile

    extension = submitted(permit)
    client = client_for(extension.applicant)

    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("data-export")).content))
    record = json.loads(archive.read("data.json"))

    [exported] = [a for a in record["applications"] if a["reference"] == extension.reference]
    assert (exported["kind"], exported["extends"]) == ("extension", permit.number)
