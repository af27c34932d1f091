"""What the tests of a permit's life share: the clock, the dates and the cancelling officer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from permits import services
from permits.models import Permit

ISTANBUL = ZoneInfo("Europe/Istanbul")
GRANTED_ON = date(2024, 10, 1)
TODAY = date(2026, 3, 2)
# The holder's passport expires on 2027-01-09, so the permit ends 60 days earlier (the margin),
# and its extension window (60 days) opens on 2026-09-11.
SHORT_PASSPORT = date(2027, 1, 9)
PERMIT_END = date(2026, 11, 10)
RENEWED_PASSPORT = date(2035, 6, 30)
GROUND = "other_purpose"
NOTE = "The holder works full time and no longer attends."


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=ISTANBUL))


def fresh(permit: Permit) -> Permit:
    return Permit.objects.get(pk=permit.pk)


def cancel(permit: Permit, officer, *, day: date = TODAY, **overrides) -> Permit:
    arguments = {
        "grounds": [GROUND],
        "note": NOTE,
        "expected_version": fresh(permit).version,
    } | overrides
    with at(day):
        return services.permit_cancel(permit.pk, actor=officer, **arguments)


def extended(permit: Permit, officer) -> Permit:
    """The permit's extension, applied for 30 days before it ends and granted at once (with a
    renewed passport, so the new permit lasts until the programme ends)."""
    from django.utils import timezone

    from applications import decisions, extensions, workflow
    from applications.models import Application
    from tests.factories import attach_required_documents

    day = PERMIT_END - timedelta(days=30)
    with at(day):
        draft = extensions.extension_start(
            applicant=permit.application.applicant, permit_id=permit.pk
        )
        Application.objects.filter(pk=draft.pk).update(
            passport_expiry_date=RENEWED_PASSPORT, declaration_accepted_at=timezone.now()
        )
        attach_required_documents(Application.objects.get(pk=draft.pk), on=day)
        workflow.application_submit(
            application_id=draft.pk,
            actor=draft.applicant,
            expected_version=Application.objects.get(pk=draft.pk).version,
        )
        decisions.application_start_review(
            application_id=draft.pk,
            actor=officer,
            expected_version=Application.objects.get(pk=draft.pk).version,
        )
        extension = Application.objects.get(pk=draft.pk)
        earliest, latest = decisions.permit_bounds(extension, on=day)
        return decisions.application_approve(
            application_id=extension.pk,
            actor=officer,
            expected_version=extension.version,
            valid_from=earliest,
            valid_to=latest,
        )
