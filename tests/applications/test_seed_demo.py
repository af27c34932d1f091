"""`manage.py seed_demo`: the demo a newcomer logs into after `make run`."""

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationEvent, Status
from permits.models import Permit

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    # A few of the 500 students waiting for uni1's confirmation are enough here.
    options.setdefault("office_students", 3)
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
    assert supervisor.has_perm("rules.change_policyversion")
    assert not officer.has_perm("rules.change_policyversion")


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
    # student2, renewal and murad.isayev hold one each.
    assert Permit.objects.filter(application__status=Status.APPROVED).count() == 3


def test_the_renewal_student_holds_a_permit_cut_short_and_inside_the_extension_window(settings):
    from applications.extensions import OPEN, extension_window

    settings.DEBUG = True
    seed()
    permit = Permit.objects.get(application__applicant__email="renewal@example.com")
    application = permit.application

    # 60 days before the passport expires, and so within the 60-day window already.
    assert permit.valid_to == application.passport_expiry_date - timedelta(days=60)
    assert application.eligibility_outcome["passport_ok"] is False
    assert extension_window(permit).state == OPEN


def test_running_twice_creates_nothing_new(settings):
    settings.DEBUG = True
    seed()
    counts = (
        Application.objects.count(),
        ApplicationEvent.objects.count(),
        list(Authenticator.objects.order_by("pk").values_list("pk", "type", "data")),
    )
    output = seed()
    assert "0 applications created" in output
    assert (
        Application.objects.count(),
        ApplicationEvent.objects.count(),
        list(Authenticator.objects.order_by("pk").values_list("pk", "type", "data")),
    ) == counts


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_demo_staff_sign_in_with_the_printed_authenticator_secret(settings):
    settings.DEBUG = True
    output = seed()
    secret = settings.DEMO_TOTP_SECRET
    assert secret in output
    for email in ("officer@example.com", "supervisor@example.com"):
        totp = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
        assert decrypt(totp.data["secret"]) == secret
        assert Authenticator.objects.filter(
            user__email=email, type=Authenticator.Type.RECOVERY_CODES
        ).exists()
    # Students are not given one.
    assert not Authenticator.objects.filter(user__email="student@example.com").exists()

    # Frozen, so the code is still current when it is checked.
    with time_machine.travel(timezone.now(), tick=False):
        client = Client()
        client.post(
            reverse("account_login"),
            {"login": "supervisor@example.com", "password": settings.DEMO_PASSWORD},
        )
        # The code printed by --totp-code is the one the app shows.
        code = seed(totp_code=True).strip()
        assert re.fullmatch(r"\d{6}", code)
        assert code == totp_code(secret)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response["Location"] == reverse("officer-queue")
        assert client.get(reverse("supervisor-dashboard")).status_code == 200


def test_the_printed_logins_include_the_secret_and_touch_nothing(settings):
    output = seed(print_logins_only=True)
    assert settings.DEMO_TOTP_SECRET in output
    assert "officer@example.com" in output
    assert not Authenticator.objects.exists()


def test_the_secret_comes_from_the_setting(settings):
    settings.DEBUG = True
    settings.DEMO_TOTP_SECRET = "JBSW Y3DP EHPK 3PXP"
    assert "JBSWY3DPEHPK3PXP" in seed()
    totp = Authenticator.objects.get(user__email="officer@example.com", type="totp")
    assert decrypt(totp.data["secret"]) == "JBSWY3DPEHPK3PXP"
    # A changed secret replaces the old one on the next run, with no second authenticator.
    settings.DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    seed()
    totp = Authenticator.objects.get(user__email="officer@example.com", type="totp")
    assert decrypt(totp.data["secret"]) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def test_an_invalid_secret_is_refused(settings):
    settings.DEBUG = True
    settings.DEMO_TOTP_SECRET = "not base32!"
    with pytest.raises(CommandError, match="DEMO_TOTP_SECRET"):
        seed()


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


def test_two_university_offices_with_pending_confirmations(settings):
    from applications.models import EnrolmentConfirmation
    from universities.scoping import staff_university

    settings.DEBUG = True
    output = seed(office_students=4)
    for email, university, student in (
        ("uni1@example.com", "Orta Doğu Teknik Üniversitesi", "student@example.com"),
        ("uni2@example.com", "İstanbul Teknik Üniversitesi", "student2@example.com"),
    ):
        assert email in output
        office = authenticate(email=email, password=settings.DEMO_PASSWORD)
        assert staff_university(office).name == university
        signed_in = Client().post(
            reverse("account_login"), {"login": email, "password": settings.DEMO_PASSWORD}
        )
        assert signed_in["Location"].startswith(reverse("mfa_authenticate"))
        assert Authenticator.objects.filter(user=office, type="totp").exists()
        assert Application.objects.filter(
            applicant__email=student, university__name=university
        ).exists()
        pending = EnrolmentConfirmation.objects.filter(
            university__name=university, status="requested"
        )
        assert pending.exists()
    # uni1's students waiting for it, enough for a CSV of many rows (4 here, 500 by default).
    assert (
        EnrolmentConfirmation.objects.filter(
            university__name="Orta Doğu Teknik Üniversitesi", status="requested"
        ).count()
        == 4 + 1
    )
    seed(office_students=4)
    # Idempotent: a second run makes none (uni2 has three: submitted, pre-check, returned).
    assert EnrolmentConfirmation.objects.filter(status="requested").count() == 4 + 1 + 3


def test_a_permits_later_life_in_the_demo(settings):
    from appointments.models import Appointment
    from notifications.models import Notification
    from permits.models import PermitCard

    settings.DEBUG = True
    output = seed()
    card = PermitCard.objects.get(permit__application__applicant__email="student2@example.com")
    assert card.status == "posted"
    assert card.tracking_number in output
    booked = Appointment.objects.get(application__applicant__email="elvin.quliyev@example.com")
    assert booked.status == "booked"
    assert f"/applications/{booked.application_id}/appointment/" in output
    assert "+994551234567" in output
    # An officer's decision on leyla's application goes to her by SMS too.
    from applications import decisions
    from applications.models import Application

    application = Application.objects.get(applicant__email="leyla.ismayilova@example.com")
    officer = application.assignee
    earliest, latest = decisions.permit_bounds(application, on=timezone.localdate())
    decisions.application_approve(
        application_id=application.pk,
        actor=officer,
        expected_version=application.version,
        valid_from=earliest,
        valid_to=latest,
    )
    sms = Notification.objects.filter(channel="sms", to_phone="+994551234567", kind="approved")
    assert sms.count() == 1
