"""A permit ended with the studies (``permit_end``) or cut short to an earlier programme end
(``permit_shorten``): the services other apps call inside their own transaction, the notices
and their dates, /verify/, and what stops treating an ended permit as current."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation

from applications import extensions
from applications.sweeps import sweep_passports
from cases.errors import NotPermitted, TransitionNotAllowed, WorkflowError
from notifications.content import notice_texts
from notifications.models import Notification
from permits import notices, services
from permits.models import Permit, PermitEvent, PermitStatus
from permits.sweeps import sweep_permits
from rules.models import PolicyVersion
from tests.factories import UserFactory

from .support import GRANTED_ON, PERMIT_END, TODAY, at, cancel, extended, fresh

pytestmark = pytest.mark.django_db

# A second policy in force from 2026-03-01 gives 30 days instead of version 1's 10.
V2_FROM = date(2026, 3, 1)


def english(day: date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


@pytest.fixture
def holder(permit):
    holder = permit.application.applicant
    holder.preferred_language = "en"
    holder.save()
    return holder


@pytest.fixture
def version_2() -> PolicyVersion:
    v1 = PolicyVersion.objects.get(number=1)
    return PolicyVersion.objects.create(
        number=2,
        title="Thirty days after the end of studies",
        effective_from=V2_FROM,
        covered_levels=v1.covered_levels,
        end_of_studies_days=30,
    )


def end(permit: Permit, officer, *, day: date, **arguments) -> Permit:
    with at(day):
        return services.permit_end(permit, actor=officer, on=day, **arguments)


# --- permit_end ------------------------------------------------------------------------------


def test_the_end_of_studies_ends_the_permit_with_its_event_and_notice(permit, holder, officer):
    ended = end(permit, officer, day=TODAY, note="Graduated.", data={"report": "R-1"})

    stored = fresh(permit)
    assert ended.pk == stored.pk
    assert (stored.status, stored.version, stored.ended_on) == (PermitStatus.ENDED, 2, TODAY)
    assert (stored.ended_by, stored.end_note, stored.end_grounds) == (officer, "Graduated.", [])
    assert not stored.cancellation_letter
    event = PermitEvent.objects.get(permit=permit)
    assert (event.from_status, event.to_status, event.note) == ("valid", "ended", "Graduated.")
    apply_by = TODAY + timedelta(days=10)  # version 1's end_of_studies_days
    assert event.data == {
        "ended_on": TODAY.isoformat(),
        "apply_by": apply_by.isoformat(),
        "report": "R-1",
    }
    assert services.permit_apply_by(stored) == apply_by

    notice = Notification.objects.get(kind=notices.PERMIT_ENDED)
    assert (notice.recipient, notice.about_id) == (holder, permit.pk)
    with translation.override("en"):
        texts = notice_texts(notice)
    assert permit.number in texts["subject"]
    assert f"ended on {english(TODAY)}." in texts["what_happened"]
    assert f"apply for another residence permit by {english(apply_by)}" in texts["next_step"]
    # What else exists, in general terms.
    assert "a student permit for a new programme" in texts["next_step"]
    assert "short-term or family" in texts["next_step"]
    assert texts["link"].endswith(reverse("dashboard"))


@pytest.mark.parametrize(
    ("ended_on", "days"),
    [
        (V2_FROM - timedelta(days=1), 10),  # the last day of version 1
        (V2_FROM, 30),  # version 2's first day
        (V2_FROM + timedelta(days=45), 30),
    ],
    ids=["v1-last-day", "v2-first-day", "v2-later"],
)
def test_the_days_to_apply_come_from_the_policy_in_force_on_the_end(
    permit, holder, officer, version_2, ended_on, days
):
    # Recorded later than the day the studies ended: the day counts, not the recording.
    with at(ended_on + timedelta(days=3)):
        services.permit_end(permit, actor=officer, on=ended_on)
    apply_by = ended_on + timedelta(days=days)
    assert services.permit_apply_by(fresh(permit)) == apply_by
    notice = Notification.objects.get(kind=notices.PERMIT_ENDED)
    assert notice.context["ended_on"] == ended_on.isoformat()
    assert notice.context["apply_by"] == apply_by.isoformat()


def test_another_service_ends_the_permit_inside_its_own_transaction(permit, officer):
    """The reports' caller: it has locked the permit itself, and may have an older copy."""
    stale_copy = Permit.objects.get(pk=permit.pk)
    with at(TODAY), transaction.atomic():
        locked = Permit.objects.select_for_update().get(pk=permit.pk)
        services.permit_end(locked, actor=officer, on=TODAY)
    assert stale_copy.status == PermitStatus.VALID
    assert fresh(permit).status == PermitStatus.ENDED
    with at(TODAY), pytest.raises(TransitionNotAllowed):
        services.permit_end(stale_copy, actor=officer, on=TODAY)
    assert PermitEvent.objects.filter(permit=permit).count() == 1


def test_a_cancelled_permit_does_not_end_and_an_ended_one_is_not_cancelled(
    permit, officer, application_in
):
    cancel(permit, officer)
    with pytest.raises(TransitionNotAllowed):
        end(permit, officer, day=TODAY)
    assert fresh(permit).status == PermitStatus.CANCELLED
    with at(GRANTED_ON):
        other = application_in("approved").permit
    end(other, officer, day=TODAY)
    with pytest.raises(TransitionNotAllowed):
        cancel(other, officer)
    assert not fresh(other).cancellation_letter


def test_only_staff_end_a_permit(permit):
    with pytest.raises(NotPermitted):
        end(permit, permit.application.applicant, day=TODAY)
    assert fresh(permit).status == PermitStatus.VALID
    assert not Notification.objects.filter(kind=notices.PERMIT_ENDED).exists()


def test_verify_says_ended_on(permit, officer, client):
    end(permit, officer, day=TODAY)
    with at(TODAY + timedelta(days=1)):
        page = client.get(
            reverse("permit-verify", args=[permit.verification_code]),
            headers={"accept-language": "en"},
        ).content.decode()
    assert 'data-state="ended"' in page
    assert f"this permit ended on {english(TODAY)}" in page
    assert "is valid today" not in page


def test_an_ended_permit_is_neither_extended_nor_reminded(permit, officer, client_for):
    inside = PERMIT_END - timedelta(days=30)
    end(permit, officer, day=inside - timedelta(days=1))
    holder = permit.application.applicant
    with at(inside):
        assert not extensions.current_permits(holder).exists()
        with pytest.raises(WorkflowError, match="no longer valid"):
            extensions.extension_start(applicant=holder, permit_id=permit.pk)
        page = client_for(holder).get(reverse("permit-extend", args=[permit.pk]))
        sweep_permits()
        sweep_passports()
    assert "cannot be extended" in page.content.decode()
    assert not Notification.objects.filter(
        kind__in=["permit_expiring", "passport_expiring"]
    ).exists()


def test_the_state_include_says_ended_and_by_when_to_apply(permit, officer, client_for):
    ended = end(permit, officer, day=TODAY)
    apply_by = TODAY + timedelta(days=10)
    with translation.override("en"):
        html = render_to_string(
            "permits/includes/permit_state.html",
            {"permit": ended, "permit_grounds": [], "apply_by": apply_by},
        )
    assert f"Ended on {english(TODAY)}" in html
    assert f"apply for another residence permit by {english(apply_by)}" in html
    with at(TODAY):
        dashboard = client_for(permit.application.applicant).get(reverse("dashboard"))
    assert f"Ended on {english(TODAY)}" in dashboard.content.decode()


# --- permit_shorten --------------------------------------------------------------------------


def test_shortening_moves_the_end_earlier_with_an_event_and_a_notice(permit, holder, officer):
    new_end = date(2026, 6, 30)
    with at(TODAY):
        services.permit_shorten(
            permit, actor=officer, valid_to=new_end, reason="The programme ends early."
        )
    stored = fresh(permit)
    assert (stored.valid_to, stored.status, stored.version) == (new_end, PermitStatus.VALID, 2)
    event = PermitEvent.objects.get(permit=permit)
    assert (event.kind, event.from_status, event.to_status) == ("shortened", "", "")
    assert (event.actor, event.note) == (officer, "The programme ends early.")
    assert event.data == {"valid_to": "2026-06-30", "previous_valid_to": PERMIT_END.isoformat()}
    notice = Notification.objects.get(kind=notices.PERMIT_SHORTENED)
    assert notice.recipient == holder
    with translation.override("en"):
        texts = notice_texts(notice)
    assert english(new_end) in texts["subject"]
    assert f"instead of {english(PERMIT_END)}" in texts["what_happened"]
    assert "The programme ends early." in texts["what_happened"]
    assert "administrative court" in texts["next_step"]


@pytest.mark.parametrize(
    ("valid_to", "reason"),
    [
        (PERMIT_END, "The same day."),  # not earlier
        (PERMIT_END + timedelta(days=1), "Later."),
        (GRANTED_ON - timedelta(days=1), "Before the start."),
        (date(2026, 6, 30), "  "),  # no reason
    ],
    ids=["same-end", "later", "before-start", "no-reason"],
)
def test_a_shortening_out_of_bounds_or_without_reason_changes_nothing(
    permit, officer, valid_to, reason
):
    with at(TODAY), pytest.raises(WorkflowError) as raised:
        services.permit_shorten(permit, actor=officer, valid_to=valid_to, reason=reason)
    assert str(raised.value.message)
    assert (fresh(permit).valid_to, fresh(permit).version) == (PERMIT_END, 1)
    assert not PermitEvent.objects.exists()
    assert not Notification.objects.filter(kind=notices.PERMIT_SHORTENED).exists()


def test_a_permit_may_be_shortened_to_its_first_day(permit, officer):
    with at(TODAY):
        services.permit_shorten(permit, actor=officer, valid_to=GRANTED_ON, reason="Left.")
    assert fresh(permit).valid_to == GRANTED_ON


def test_only_a_valid_permit_is_shortened_and_only_by_staff(permit, officer):
    with at(TODAY), pytest.raises(NotPermitted):
        services.permit_shorten(
            permit, actor=UserFactory(), valid_to=date(2026, 6, 30), reason="No."
        )
    cancel(permit, officer)
    with at(TODAY), pytest.raises(WorkflowError, match="Only a valid permit"):
        services.permit_shorten(
            permit, actor=officer, valid_to=date(2026, 6, 30), reason="Too late."
        )
    assert fresh(permit).valid_to == PERMIT_END


def test_a_permit_an_extension_follows_is_not_shortened(permit, officer):
    """No gap: the extension's permit starts the day after this one ends."""
    successor = extended(permit, officer)
    assert successor.valid_from == PERMIT_END + timedelta(days=1)
    with at(TODAY), pytest.raises(WorkflowError, match="was extended"):
        services.permit_shorten(
            permit, actor=officer, valid_to=date(2026, 6, 30), reason="Ends earlier."
        )
    assert fresh(permit).valid_to == PERMIT_END
    assert not PermitEvent.objects.filter(permit=permit).exists()
