"""A database from before the decision clock: every case already with the officers gets the day
it became complete — its first recorded visit, its arrival when its kind needs no visit or it is
closed — and an open case still waiting for its visit gets none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

BEFORE = [
    ("applications", "0019_appointment_event_kind"),
    ("appointments", "0004_sweep_scheduled"),
    ("rules", "0005_visit_and_card_policy"),
]
AFTER = [("applications", "0020_complete_at"), ("appointments", "0005_visited_cases_complete")]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_cases_already_handed_in_get_the_day_they_became_complete(migrator):
    migrator.apply_initial_migration([("contenttypes", "0002_remove_content_type_name")])
    old = migrator.apply_tested_migration(BEFORE).apps
    users = old.get_model("accounts", "User").objects
    student = users.create(email="a@example.com", password="!")
    officer = users.create(email="o@example.com", password="!")
    policy = old.get_model("rules", "PolicyVersion").objects.order_by("number").first()
    province = old.get_model("universities", "Province").objects.first()
    applications = old.get_model("applications", "Application").objects
    handed_in = timezone.now() - timedelta(days=40)
    visited_at = handed_in + timedelta(days=12)

    def case(number: int, *, status: str, kind: str = "first", extends=None):
        return applications.create(
            extends=extends,
            applicant=users.create(email=f"s{number}@example.com", password="!"),
            kind=kind,
            status=status,
            reference=f"AZTR-2099-{number:06d}",
            policy_version=policy,
            province=province,
            submitted_at=handed_in,
            decided_at=handed_in + timedelta(days=20) if status == "approved" else None,
        )

    visited = case(1, status="under_review")
    waiting = case(2, status="submitted")
    closed = case(4, status="approved")
    permit = old.get_model("permits", "Permit").objects.create(
        application=closed,
        number="IKM-AZTR-2099-000004",
        valid_from=handed_in.date(),
        valid_to=handed_in.date() + timedelta(days=700),
        verification_code="ABCDEFGHJK",
        issued_by=officer,
    )
    extension = case(3, status="submitted", kind="extension", extends=permit)
    draft = applications.create(applicant=student, kind="first", status="draft")
    appointments = old.get_model("appointments", "Appointment").objects
    for status, at in (("missed", visited_at - timedelta(days=5)), ("attended", visited_at)):
        appointments.create(
            application=visited,
            province=province,
            starts_at=at,
            ends_at=at + timedelta(minutes=20),
            desk=1,
            status=status,
            booked_by=visited.applicant,
            marked_by=officer,
            marked_at=at,
            biometrics_taken=status == "attended",
            originals_seen=status == "attended",
        )

    new = migrator.apply_tested_migration(AFTER).apps

    complete = dict(
        new.get_model("applications", "Application").objects.values_list("pk", "complete_at")
    )
    assert complete == {
        visited.pk: visited_at,
        waiting.pk: None,  # a first application needs a visit (the policy's default)
        extension.pk: handed_in,  # an extension needs none
        closed.pk: handed_in,
        draft.pk: None,
    }
