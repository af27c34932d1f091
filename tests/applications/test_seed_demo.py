"""`manage.py seed_demo`: the demo a newcomer logs into after `make run`."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from applications.models import Application, ApplicationEvent, Permit, Status

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_demo_logins_work_with_the_demo_password(settings):
    settings.DEBUG = True
    output = seed()
    for email in (
        "student@example.com",
        "student2@example.com",
        "officer@example.com",
        "supervisor@example.com",
    ):
        assert email in output
        assert authenticate(email=email, password=settings.DEMO_PASSWORD) is not None


def test_roles_are_groups(settings, django_user_model):
    settings.DEBUG = True
    seed()
    officer = django_user_model.objects.get(email="officer@example.com")
    supervisor = django_user_model.objects.get(email="supervisor@example.com")
    assert list(officer.groups.values_list("name", flat=True)) == ["officer"]
    assert list(supervisor.groups.values_list("name", flat=True)) == ["supervisor"]
    # Supervisors edit policy versions in the admin.
    assert supervisor.is_staff
    assert supervisor.has_perm("applications.change_policyversion")
    assert not officer.has_perm("applications.change_policyversion")


def test_every_status_is_present_and_reached_through_the_workflow(settings):
    settings.DEBUG = True
    seed()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    for application in Application.objects.exclude(status=Status.DRAFT):
        assert application.reference.startswith("AZTR-")
        assert application.policy_version is not None
        changes = ApplicationEvent.objects.filter(
            application=application, kind=ApplicationEvent.Kind.STATUS_CHANGED
        )
        assert changes.last().to_status == application.status
    assert Permit.objects.filter(application__status=Status.APPROVED).count() == 1


def test_running_twice_creates_nothing_new(settings):
    settings.DEBUG = True
    seed()
    counts = (Application.objects.count(), ApplicationEvent.objects.count())
    output = seed()
    assert "0 applications created" in output
    assert (Application.objects.count(), ApplicationEvent.objects.count()) == counts


def test_demo_password_comes_from_the_setting(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "another-demo-secret"
    seed()
    assert authenticate(email="student@example.com", password="another-demo-secret")


def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not Application.objects.exists()
    seed(force=True)
    assert Application.objects.exists()
