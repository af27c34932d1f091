"""International-office accounts: made and deactivated by supervisors, signed in with a password
and an authenticator code, signed out when idle, and scoped to one university."""

from datetime import datetime, timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.roles import is_university_staff
from accounts.services import totp_authenticator_set
from applications import workflow
from cases.errors import NotPermitted
from notifications.models import Notification
from tests.factories import DEMO_PASSWORD, OfficerFactory, SupervisorFactory
from universities.models import UniversityStaff
from university_office import services

from .conftest import ISTANBUL, TODAY, at

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
HOME = reverse("university-home")


def code_now() -> str:
    import time

    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


def test_a_supervisor_creates_an_account_whose_owner_chooses_the_password(client, uni_a):
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    response = client.post(
        reverse("supervisor-university-staff"),
        {"email": "Intl@Uni.example.edu.tr", "university": uni_a.pk, "language": "tr"},
    )
    assert response.status_code == 302
    membership = UniversityStaff.objects.get()
    assert membership.user.email == "intl@uni.example.edu.tr"
    assert (membership.university, membership.created_by) == (uni_a, supervisor)
    assert is_university_staff(membership.user)
    assert not membership.user.has_usable_password()
    # The address is the university's, given by the supervisor: no second verification.
    assert membership.user.emailaddress_set.get().verified
    # allauth's "choose a password" e-mail, through the outbox, in the account's language.
    mail = Notification.objects.get(to_email="intl@uni.example.edu.tr")
    assert (mail.kind, mail.language) == ("account", "tr")
    again = client.post(
        reverse("supervisor-university-staff"),
        {"email": "intl@uni.example.edu.tr", "university": uni_a.pk, "language": "tr"},
    )
    assert again.status_code == 400
    assert "already exists" in again.content.decode()


def test_officers_and_offices_cannot_make_accounts(uni_a, office_a):
    for actor in (OfficerFactory(), office_a):
        with pytest.raises(NotPermitted):
            services.university_staff_create(
                actor=actor, email="x@example.edu.tr", university=uni_a
            )


def test_sign_in_needs_the_authenticator_code(client, office_a):
    totp_authenticator_set(user=office_a, secret=SECRET)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 5, tzinfo=ISTANBUL), tick=False):
        response = client.post(
            reverse("account_login"), {"login": office_a.email, "password": DEMO_PASSWORD}
        )
        assert response["Location"].startswith(reverse("mfa_authenticate"))
        assert client.get(HOME).status_code == 302
        response = client.post(reverse("mfa_authenticate"), {"code": code_now()})
        assert response["Location"] == HOME
        assert client.get(HOME).status_code == 200


def test_an_office_session_ends_after_the_idle_time(client_for, office_a):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ISTANBUL), tick=False) as clock:
        client = client_for(office_a)
        assert client.get(HOME).status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get(HOME).status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get(HOME)["Location"].startswith(reverse("account_login"))


def test_a_deactivated_account_is_signed_out_and_cannot_sign_in(client, office_a):
    client.force_login(office_a)
    assert client.get(HOME).status_code == 200
    supervisor = SupervisorFactory()
    admin = client.__class__(headers={"accept-language": "en"})
    admin.force_login(supervisor)
    membership = office_a.university_membership
    admin.post(reverse("supervisor-university-staff-deactivate", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.deactivated_at is not None
    assert client.get(HOME)["Location"].startswith(reverse("account_login"))
    response = client.post(
        reverse("account_login"), {"login": office_a.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code in (200, 302)
    assert client.get(HOME).status_code == 302
    admin.post(reverse("supervisor-university-staff-reactivate", args=[membership.pk]))
    office_a.refresh_from_db()
    assert office_a.is_active


def test_an_office_account_cannot_apply_as_a_student(office_a):
    with pytest.raises(NotPermitted):
        workflow.application_start(applicant=office_a)


def test_an_office_sees_only_its_own_students_and_no_passport_numbers(
    case_at, uni_a, uni_b, office_a, office_b, client
):
    with at(TODAY):
        mine = case_at(uni_a, surname="Quliyeva")
        theirs = case_at(uni_b, surname="Hüseynli")
    client.force_login(office_a)
    page = client.get(reverse("university-students")).content.decode()
    assert mine.reference in page
    assert "Quliyeva" in page
    assert theirs.reference not in page
    assert "Hüseynli" not in page
    assert mine.passport_number not in page
    case_page = client.get(reverse("university-case", args=[mine.pk])).content.decode()
    assert mine.passport_number not in case_page
    assert mine.fin not in case_page
    assert client.get(reverse("university-case", args=[theirs.pk])).status_code == 404
    search = client.get(reverse("university-students") + f"?q={theirs.reference}")
    assert "No case of your students matches." in search.content.decode()


def test_the_overview_counts_the_offices_work(case_at, uni_a, office_a, client):
    with at(TODAY):
        case_at(uni_a)
        case_at(uni_a)
    client.force_login(office_a)
    page = client.get(HOME).content.decode()
    assert "Enrolment confirmations waiting" in page
    assert '<p class="display-6 mb-2">2</p>' in page
