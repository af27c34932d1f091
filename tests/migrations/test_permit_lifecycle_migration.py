"""A database from before the permit's lifecycle and the reports keeps every application and
permit: permits become valid (version 1), policies gain the report deadlines at their defaults,
and the reports' table starts empty."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

BEFORE = [
    ("applications", "0015_queue_indexes_per_kind"),
    ("permits", "0003_extensions"),
    ("rules", "0002_extensions"),
    ("documents", "0001_initial"),
    ("notifications", "0007_notice_about_any_record"),
    ("officers", "0001_digest_scheduled_here"),
]
AFTER = [
    ("applications", "0016_alter_applicationevent_kind"),
    ("permits", "0005_event_append_only_trigger"),
    ("rules", "0003_report_deadlines"),
    ("reports", "0002_event_append_only_trigger"),
]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_permits_survive_valid_and_policies_gain_the_report_deadlines(migrator):
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

    assert new.get_model("applications", "Application").objects.get().passport_number == (
        "C01234567"
    )
    permit = new.get_model("permits", "Permit").objects.get()
    assert (permit.number, permit.valid_from, permit.valid_to) == (
        "IKM-AZTR-2099-000001",
        date(2024, 10, 1),
        date(2026, 11, 10),
    )
    assert (permit.status, permit.version, permit.ended_on) == ("valid", 1, None)
    assert permit.early_extension_from is None
    for policy in new.get_model("rules", "PolicyVersion").objects.all():
        assert (policy.address_report_days, policy.province_report_days) == (20, 10)
        assert (policy.passport_report_days, policy.study_report_days) == (20, 20)
        assert policy.end_of_studies_days == 10
        assert policy.early_extension_after_passport is True
    assert not new.get_model("reports", "Report").objects.exists()
