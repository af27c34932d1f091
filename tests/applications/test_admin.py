"""Supervisors put new policy versions into force in the admin; used versions stay as they were."""

import datetime

import pytest
from django.contrib.auth.models import Group

from rules.models import PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1_lengths():
    """Version 1's rows as the data migration created them."""
    version = PolicyVersion.objects.get(number=1)
    return list(version.lengths.values_list("level", "field", "standard_years", "maximum_years"))


@pytest.fixture
def supervisor_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        email="chief@example.com", password="a-long-password-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name="supervisor"))
    client.force_login(user)
    return client


def version_form(lengths, **overrides):
    data = {
        "number": "2",
        "title": "Stricter passport margin",
        "effective_from": "2027-01-01",
        "covered_levels": ["bachelor", "master", "doctoral"],
        "prep_year_years": "1",
        "passport_margin_days": "90",
        "legal_stay_days": "90",
        "decision_days": "90",
        "info_request_days": "30",
        "extension_window_days": "60",
        "extension_document_kinds": ["passport_identity_page", "photo"],
        "address_report_days": "20",
        "province_report_days": "10",
        "passport_report_days": "20",
        "study_report_days": "30",
        "end_of_studies_days": "15",
        "early_extension_after_passport": "on",
        "enrolment_reminder_days": "7",
        "visit_required_first": "on",
        "appointment_cutoff_hours": "24",
        "card_fee": "964.00",
        "source_notes": "",
        "lengths-TOTAL_FORMS": str(len(lengths)),
        "lengths-INITIAL_FORMS": "0",
        "lengths-MIN_NUM_FORMS": "1",
        "lengths-MAX_NUM_FORMS": "1000",
    }
    for i, (level, field, standard, maximum) in enumerate(lengths):
        data |= {
            f"lengths-{i}-level": level,
            f"lengths-{i}-field": field,
            f"lengths-{i}-standard_years": str(standard),
            f"lengths-{i}-maximum_years": str(maximum),
        }
    return data | overrides


def test_supervisor_adds_a_version_with_its_lengths(supervisor_client, v1_lengths):
    response = supervisor_client.post("/admin/rules/policyversion/add/", version_form(v1_lengths))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = PolicyVersion.objects.get(number=2)
    assert version.effective_from == datetime.date(2027, 1, 1)
    assert version.passport_margin_days == 90
    assert version.covered_levels == ["bachelor", "master", "doctoral"]
    assert version.lengths.count() == len(v1_lengths) == 8
    # The report deadlines and the extension's documents are the supervisor's to set too.
    assert (version.study_report_days, version.end_of_studies_days) == (30, 15)
    assert version.extension_document_kinds == ["passport_identity_page", "photo"]
    assert version.early_extension_after_passport is True
    assert version.enrolment_reminder_days == 7


def test_a_version_missing_a_level_is_refused(supervisor_client, v1_lengths):
    without_doctoral = [row for row in v1_lengths if row[0] != "doctoral"]
    response = supervisor_client.post(
        "/admin/rules/policyversion/add/",
        version_form(without_doctoral),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Missing" in response.content.decode()
    assert not PolicyVersion.objects.filter(number=2).exists()


def test_maximum_shorter_than_standard_is_refused(supervisor_client, v1_lengths):
    broken = [("associate", "any", 4, 2), *(row for row in v1_lengths if row[0] != "associate")]
    response = supervisor_client.post("/admin/rules/policyversion/add/", version_form(broken))
    assert response.status_code == 200
    assert not PolicyVersion.objects.filter(number=2).exists()


def test_a_version_used_by_an_application_is_read_only(supervisor_client, settings):
    settings.DEBUG = True
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    version = PolicyVersion.objects.get(number=1)
    assert version.applications.exists()
    url = f"/admin/rules/policyversion/{version.pk}/change/"
    response = supervisor_client.post(url, {"title": "changed"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.title != "changed"


def test_officers_and_students_have_no_admin(client, django_user_model):
    officer = django_user_model.objects.create_user(email="o@example.com", password="x" * 12)
    officer.groups.add(Group.objects.get(name="officer"))
    client.force_login(officer)
    response = client.get("/admin/rules/policyversion/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/applications/policyversion/", "/admin/rules/policyversion/"),
        ("/admin/applications/policyversion/7/change/?_changelist_filters=x", None),
        ("/admin/applications/university/?q=ankara", "/admin/universities/university/?q=ankara"),
        ("/admin/applications/permit/3/change/", "/admin/permits/permit/3/change/"),
        ("/admin/applications/document/", "/admin/documents/document/"),
    ],
)
def test_admin_pages_of_moved_models_redirect_permanently(client, old, new):
    new = new or old.replace("/applications/", "/rules/")
    for method in (client.get, client.post):
        response = method(old)
        # 308: permanent, and a POST stays a POST.
        assert response.status_code == 308
        assert response["Location"] == new


def test_admin_pages_that_did_not_move_stay(client):
    response = client.get("/admin/applications/application/")
    # The admin itself answers (a sign-in redirect), not the moved-model redirect.
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
