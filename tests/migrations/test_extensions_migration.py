"""A database from before extensions keeps every application and permit, and its policies gain
the extension settings at their defaults."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

BEFORE = [
    ("applications", "0013_sweeps_scheduled_here"),
    ("permits", "0002_sweep_scheduled_here"),
    ("rules", "0001_initial"),
    ("documents", "0001_initial"),
    ("notifications", "0007_notice_about_any_record"),
    ("officers", "0001_digest_scheduled_here"),
]
AFTER = [
    ("applications", "0014_extensions"),
    ("permits", "0003_extensions"),
    ("rules", "0002_extensions"),
]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_applications_and_permits_survive_and_become_first_applications(migrator):
    migrator.apply_initial_migration([("contenttypes", "0002_remove_content_type_name")])
    old = migrator.apply_tested_migration(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="a@example.com", password="!")
    officer = old.get_model("accounts", "User").objects.create(email="o@example.com", password="!")
    now = timezone.now()
    application = old.get_model("applications", "Application").objects.create(
        applicant=user,
        status="approved",
        reference="AZTR-2099-000001",
        passport_number="C01234567",
        submitted_at=now - timedelta(days=10),
        decided_at=now,
    )
    old.get_model("permits", "Permit").objects.create(
        application=application,
        number="IKM-AZTR-2099-000001",
        valid_from=date(2024, 10, 1),
        valid_to=date(2026, 11, 10),
        verification_code="ABCDEFGHJK",
        issued_by=officer,
    )

    new = migrator.apply_tested_migration(AFTER).apps

    migrated = new.get_model("applications", "Application").objects.get()
    assert (migrated.kind, migrated.extends_id) == ("first", None)
    assert migrated.passport_number == "C01234567"
    permit = new.get_model("permits", "Permit").objects.get()
    assert (permit.application_id, permit.extends_id) == (migrated.pk, None)
    assert (permit.valid_from, permit.valid_to) == (date(2024, 10, 1), date(2026, 11, 10))
    for policy in new.get_model("rules", "PolicyVersion").objects.all():
        assert policy.extension_window_days == 60
        assert "passport_identity_page" in policy.extension_document_kinds
