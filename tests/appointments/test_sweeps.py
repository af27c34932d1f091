"""The sweep: tomorrow's appointments reminded (e-mail and SMS), invitations to book; both once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from applications.models import Status
from appointments import services
from appointments.notices import APPOINTMENT_TOMORROW
from appointments.sweeps import sweep_appointment_reminders
from notifications.kinds import notice_kind
from notifications.models import Notification

from .conftest import TUESDAY, WEDNESDAY, at, set_policy

pytestmark = pytest.mark.django_db


def book(application, starts_at):
    return services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=starts_at
    )


def test_the_day_before_each_appointment_is_reminded_once(
    case, clock, django_capture_on_commit_callbacks
):
    tomorrow = book(case(), at(WEDNESDAY, 11))
    book(case(), at(WEDNESDAY + timedelta(days=1), 11))  # the day after: not yet
    clock.move_to(at(TUESDAY, 9))

    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_appointment_reminders()
    again = sweep_appointment_reminders()

    assert first["reminded"] == 1
    assert again == {"reminded": 0, "invited": 0}
    notice = Notification.objects.get(kind=APPOINTMENT_TOMORROW)
    assert notice.recipient == tomorrow.application.applicant
    assert notice.dedupe_key == f"appointment-tomorrow:{tomorrow.pk}"
    assert (notice.context["date"], notice.context["time"]) == ("2026-12-09", "11:00")
    # In the student's language (the default, az).
    [email] = [m for m in mail.outbox if tomorrow.application.reference in m.subject]
    assert "11:00" in email.subject
    assert email.to == [tomorrow.application.applicant.email]

    # The next day, the next one.
    clock.move_to(at(WEDNESDAY, 9))
    assert sweep_appointment_reminders()["reminded"] == 1


def test_a_moved_appointment_is_reminded_at_its_new_time(case, clock):
    booked = book(case(), at(WEDNESDAY, 11))
    clock.move_to(at(TUESDAY, 9))
    sweep_appointment_reminders()
    services.appointment_reschedule(
        appointment_id=booked.pk,
        actor=booked.application.applicant,
        expected_version=booked.version,
        starts_at=at(WEDNESDAY + timedelta(days=1), 10),
    )
    clock.move_to(at(WEDNESDAY, 9))

    assert sweep_appointment_reminders()["reminded"] == 1
    assert Notification.objects.filter(kind=APPOINTMENT_TOMORROW).count() == 2


def test_a_cancelled_or_withdrawn_case_is_not_reminded(case, clock):
    from applications import workflow

    cancelled = book(case(), at(WEDNESDAY, 11))
    services.appointment_cancel(
        appointment_id=cancelled.pk,
        actor=cancelled.application.applicant,
        expected_version=cancelled.version,
    )
    withdrawn = book(case(), at(WEDNESDAY, 11))
    workflow.application_withdraw(
        application_id=withdrawn.application_id,
        actor=withdrawn.application.applicant,
        expected_version=withdrawn.application.version,
    )
    clock.move_to(at(TUESDAY, 9))

    assert sweep_appointment_reminders()["reminded"] == 0


def test_the_reminder_goes_by_sms_by_default_with_the_reference_only():
    kind = notice_kind(APPOINTMENT_TOMORROW)
    assert kind.sms_by_default
    text = str(kind.sms) % {"reference": "AZTR-2026-000001"}
    assert "AZTR-2026-000001" in text
    assert len(text) <= 160


def test_a_case_needing_a_visit_is_invited_to_book_once(case, extension_case):
    waiting = case()
    booked = case()
    book(booked, at(WEDNESDAY, 11))
    case(Status.DRAFT)
    extension_case()  # extensions need no visit by default

    assert sweep_appointment_reminders()["invited"] == 1
    assert sweep_appointment_reminders()["invited"] == 0
    invitation = Notification.objects.get(kind="appointment_invitation")
    assert invitation.recipient == waiting.applicant
    assert invitation.context["path"] == f"/applications/{waiting.pk}/appointment/"

    # A policy changed later asks no visit of a case already complete; an extension handed
    # in under it needs one.
    set_policy(visit_required_extension=True)
    assert sweep_appointment_reminders()["invited"] == 0
    extension_case()
    assert sweep_appointment_reminders()["invited"] == 1
