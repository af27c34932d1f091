"""A database from before the move to apps by domain keeps every row, and every secret reads back.

The database is built at the last migrations of the old layout (everything in ``applications``,
notices pointing at applications), filled with a row in every table the move touches, then
migrated forward to today's layout with django-test-migrations, and back again.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core import crypto

# The old layout: its heads, and none of the new apps' migrations. The database is built from
# nothing by Django's own plan to these targets (only the migrations they need, forwards).
OLD = [
    ("accounts", "0003_encrypt_fin_and_mfa_secrets"),
    ("applications", "0011_retention"),
    ("notifications", "0006_reminder_sweeps"),
    ("mfa", "0003_authenticator_type_uniq"),
    ("rules", None),
    ("universities", None),
    ("documents", None),
    ("permits", None),
    ("officers", None),
]

NEW = [
    ("applications", "0013_sweeps_scheduled_here"),
    ("notifications", "0007_notice_about_any_record"),
    ("permits", "0002_sweep_scheduled_here"),
    ("officers", "0001_digest_scheduled_here"),
    ("documents", "0001_initial"),
    ("rules", "0001_initial"),
    ("universities", "0001_initial"),
]
MOVED = {
    "document": "documents",
    "permit": "permits",
    "policyversion": "rules",
    "programmelength": "rules",
    "province": "universities",
    "university": "universities",
}
SWEEP_TASKS = {
    "notifications.tasks.sweep_inactive_drafts_task": "applications.tasks.sweep_inactive_drafts_task",
    "notifications.tasks.sweep_passports_task": "applications.tasks.sweep_passports_task",
    "notifications.tasks.sweep_info_requests_task": "applications.tasks.sweep_info_requests_task",
    "notifications.tasks.sweep_permits_task": "permits.tasks.sweep_permits_task",
    "notifications.tasks.digest_task": "officers.tasks.digest_task",
}
PASSPORT, FIN, PROFILE_FIN, TOTP_SECRET = "C01234567", "5ABC123", "7XYZ987", "JBSWY3DPEHPK3PXP"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _old_layout(migrator):
    """An empty database, then Django's own plan forwards to the old layout's heads."""
    migrator.apply_initial_migration([("contenttypes", "0002_remove_content_type_name")])
    return migrator.apply_tested_migration(OLD)


def _old_rows(apps) -> dict[str, int]:
    """A row in every table the move touches, written through the old layout's models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in (*MOVED, "application"):
        # post_migrate (muted by the migrator) makes these on a real database.
        content_type.objects.get_or_create(app_label="applications", model=model)
    group = apps.get_model("auth", "Group").objects.create(name="supervisor-test")
    permission_model = apps.get_model("auth", "Permission")
    policy_type = content_type.objects.get(app_label="applications", model="policyversion")
    permission = permission_model.objects.create(
        name="Can change policy version", content_type=policy_type, codename="change_policyversion"
    )
    group.permissions.add(permission)

    user_model = apps.get_model("accounts", "User")
    student = user_model.objects.create(email="leyla@example.com", password="!")
    officer = user_model.objects.create(email="officer@example.com", password="!")
    apps.get_model("accounts", "Profile").objects.create(
        user=student,
        surname="MAMMADOVA",
        given_names="LEYLA",
        fin=PROFILE_FIN,
        privacy_notice_version="2026-11",
        privacy_notice_accepted_at=timezone.now(),
    )
    apps.get_model("mfa", "Authenticator").objects.create(
        user=officer, type="totp", data={"secret": crypto.encrypt(TOTP_SECRET)}
    )

    province = apps.get_model("applications", "Province").objects.create(code=99, name="Testili")
    university = apps.get_model("applications", "University").objects.create(
        name="Testili University", kind="state", province=province
    )
    policy = apps.get_model("applications", "PolicyVersion").objects.order_by("number").first()
    apps.get_model("applications", "ReferenceCounter").objects.create(year=2099, last=1)
    now = timezone.now()
    application = apps.get_model("applications", "Application").objects.create(
        applicant=student,
        assignee=officer,
        status="approved",
        reference="AZTR-2099-000001",
        surname="MAMMADOVA",
        given_names="LEYLA",
        passport_number=PASSPORT,
        fin=FIN,
        passport_expiry_date=date(2031, 1, 1),
        university=university,
        province=province,
        level="bachelor",
        programme_start=date(2024, 9, 16),
        policy_version=policy,
        submitted_at=now - timedelta(days=30),
        decided_at=now,
    )
    apps.get_model("applications", "Document").objects.create(
        application=application,
        kind="photo",
        file="documents/2099/01/photo.png",
        original_name="photo.png",
        content_type="image/png",
        size=3,
        sha256="0" * 64,
        uploaded_by=student,
    )
    apps.get_model("applications", "ApplicationEvent").objects.create(
        application=application, kind="status_changed", actor=officer, to_status="approved"
    )
    apps.get_model("applications", "InfoRequest").objects.create(
        application=application,
        requested_by=officer,
        message="Upload a new photo.",
        due_date=date(2099, 2, 1),
        state="answered",
    )
    apps.get_model("applications", "Message").objects.create(
        application=application, sender=student, body="Salam."
    )
    apps.get_model("applications", "InternalNote").objects.create(
        application=application, author=officer, body="Checked."
    )
    apps.get_model("applications", "Permit").objects.create(
        application=application,
        number="IKM-AZTR-2099-000001",
        valid_from=date(2024, 10, 1),
        valid_to=date(2028, 9, 15),
        verification_code="ABCDEFGHJK",
        issued_by=officer,
    )
    notification = apps.get_model("notifications", "Notification")
    notification.objects.create(
        recipient=student,
        to_email=student.email,
        application=application,
        kind="approved",
        language="az",
        dedupe_key="event:test-approved",
    )
    notification.objects.create(
        to_email="someone@example.com", kind="account", language="en", dedupe_key="account:test"
    )
    return {"application": application.pk, "student": student.pk, "officer": officer.pk}


def _counts(apps, tables: dict[str, str]) -> dict[str, int]:
    return {
        name: apps.get_model(*label.split(".")).objects.count() for name, label in tables.items()
    }


OLD_TABLES = {
    "province": "applications.Province",
    "university": "applications.University",
    "policy": "applications.PolicyVersion",
    "length": "applications.ProgrammeLength",
    "document": "applications.Document",
    "permit": "applications.Permit",
    "application": "applications.Application",
    "event": "applications.ApplicationEvent",
    "info_request": "applications.InfoRequest",
    "message": "applications.Message",
    "note": "applications.InternalNote",
    "counter": "applications.ReferenceCounter",
    "notification": "notifications.Notification",
    "profile": "accounts.Profile",
    "user": "accounts.User",
}
NEW_TABLES = OLD_TABLES | {
    "province": "universities.Province",
    "university": "universities.University",
    "policy": "rules.PolicyVersion",
    "length": "rules.ProgrammeLength",
    "document": "documents.Document",
    "permit": "permits.Permit",
}


def test_the_move_keeps_every_row_and_every_secret(migrator):
    old = _old_layout(migrator)
    with pytest.raises(LookupError):
        old.apps.get_model("permits", "Permit")
    ids = _old_rows(old.apps)
    before = _counts(old.apps, OLD_TABLES)
    assert all(before.values()), before

    new = migrator.apply_tested_migration(NEW)
    apps = new.apps

    assert _counts(apps, NEW_TABLES) == before
    application = apps.get_model("applications", "Application").objects.get(pk=ids["application"])
    # Encrypted fields read back through the new layout's models, and are still encrypted.
    assert (application.passport_number, application.fin) == (PASSPORT, FIN)
    assert apps.get_model("accounts", "Profile").objects.get().fin == PROFILE_FIN
    authenticator = apps.get_model("mfa", "Authenticator").objects.get(user_id=ids["officer"])
    assert crypto.decrypt(authenticator.data["secret"]) == TOTP_SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT passport_number, fin FROM applications_application")
        stored = cursor.fetchone()
    assert PASSPORT not in stored[0]
    assert FIN not in stored[1]

    # Relations across the moved models still hold.
    permit = apps.get_model("permits", "Permit").objects.get()
    assert permit.application_id == application.pk
    assert apps.get_model("documents", "Document").objects.get().application_id == application.pk
    assert application.university.province.name == "Testili"
    assert application.policy_version.lengths.exists()

    # Notices: the one about the application is still about it; the account email about nothing.
    notification = apps.get_model("notifications", "Notification")
    about_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="applications", model="application"
    )
    approved = notification.objects.get(dedupe_key="event:test-approved")
    assert (approved.about_type_id, approved.about_id) == (about_type.pk, application.pk)
    assert notification.objects.get(dedupe_key="account:test").about_id is None

    # Content types (and the permissions granted on them) followed the models.
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for model, app_label in MOVED.items():
        assert content_types.filter(app_label=app_label, model=model).count() == 1
        assert not content_types.filter(app_label="applications", model=model).exists()
    group = apps.get_model("auth", "Group").objects.get(name="supervisor-test")
    [permission] = group.permissions.all()
    assert permission.content_type.app_label == "rules"

    # Beat runs the sweeps from the apps that own them now.
    tasks = set(
        apps.get_model("django_celery_beat", "PeriodicTask").objects.values_list("task", flat=True)
    )
    assert set(SWEEP_TASKS.values()) <= tasks
    assert not set(SWEEP_TASKS) & tasks


def test_the_move_can_be_undone(migrator):
    old = _old_layout(migrator)
    ids = _old_rows(old.apps)
    before = _counts(old.apps, OLD_TABLES)
    migrator.apply_tested_migration(NEW)

    migrator.apply_tested_migration(OLD)
    # Migrating backwards hands back the state it started from; asking again for the heads
    # (nothing left to apply) gives the state the database is in now.
    back = migrator.apply_tested_migration(OLD)

    assert _counts(back.apps, OLD_TABLES) == before
    notification = back.apps.get_model("notifications", "Notification")
    assert (
        notification.objects.get(dedupe_key="event:test-approved").application_id
        == ids["application"]
    )
    content_types = back.apps.get_model("contenttypes", "ContentType").objects
    assert content_types.filter(app_label="applications", model="permit").exists()
    tasks = set(
        back.apps.get_model("django_celery_beat", "PeriodicTask").objects.values_list(
            "task", flat=True
        )
    )
    assert set(SWEEP_TASKS) <= tasks
