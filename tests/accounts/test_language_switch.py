"""The header's language switcher: works without JavaScript, and a signed-in person's choice is
kept on their account, so their emails follow it."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_first_visit_follows_the_browser_else_azerbaijani():
    assert Client(headers={"accept-language": "tr"}).get("/").headers["Content-Language"] == "tr"
    assert Client(headers={"accept-language": "de"}).get("/").headers["Content-Language"] == "az"


def test_an_anonymous_choice_sets_the_cookie_and_goes_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/eligibility/"})
    assert response.status_code == 302
    assert response["Location"] == "/eligibility/"
    assert client.get("/eligibility/").headers["Content-Language"] == "en"


def test_a_signed_in_choice_is_kept_on_the_account(client_for, student):
    student.preferred_language = "az"
    student.save()
    client = client_for(student)
    client.post(reverse("set_language"), {"language": "tr", "next": "/dashboard/"})
    assert User.objects.get(pk=student.pk).preferred_language == "tr"


def test_an_unknown_language_changes_nothing(client_for, student):
    student.preferred_language = "az"
    student.save()
    client_for(student).post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=student.pk).preferred_language == "az"


def test_an_external_next_is_not_followed(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
