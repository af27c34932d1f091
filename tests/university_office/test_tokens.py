"""The office's API tokens page: a key is shown once, in the response that made it, and never
again; only its hash is kept; revoking stops it at once."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from university_office import services
from university_office.models import ApiToken

pytestmark = pytest.mark.django_db

PAGE = reverse("university-tokens")


def revoke_url(token: ApiToken) -> str:
    return reverse("university-token-revoke", args=[token.pk])


def everything_stored_about(client: Client) -> str:
    """The session and every cookie the client holds: where a key must never be."""
    session = client.session
    return " ".join(
        [str(dict(session.items())), *(morsel.value for morsel in client.cookies.values())]
    )


class TestAccess:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_students_and_officers_are_refused(self, client_for, student, officer):
        assert client_for(student).get(PAGE).status_code == 403
        assert client_for(officer).get(PAGE).status_code == 403
        assert client_for(officer).post(PAGE, {"name": "x"}).status_code == 403
        assert not ApiToken.objects.exists()

    def test_the_list_shows_only_the_offices_own_tokens(self, client_for, office_a, office_b):
        services.token_create(actor=office_a, name="Ours")
        services.token_create(actor=office_b, name="Theirs")
        page = client_for(office_a).get(PAGE)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Ours" in text
        assert "Theirs" not in text


class TestCreate:
    def test_the_key_is_shown_once_and_only_its_hash_is_kept(self, client_for, office_a):
        client = client_for(office_a)
        response = client.post(PAGE, {"name": "Student information system"})

        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "Copy the token now" in response.content.decode()
        token = ApiToken.objects.get()
        key = response.context["key"]
        assert key.startswith(services.TOKEN_PREFIX)
        assert len(key) > 40
        assert f'value="{key}"' in response.content.decode()
        assert token.name == "Student information system"
        assert token.created_by == office_a
        assert token.prefix == key[: services.TOKEN_SHOWN_CHARS]
        assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
        # Never again: not in the session, a message or a cookie, not on the list page.
        assert key not in everything_stored_about(client)
        listing = client.get(PAGE).content.decode()
        assert key not in listing
        assert token.prefix in listing

    def test_the_new_key_opens_the_api(self, client_for, office_a):
        response = client_for(office_a).post(PAGE, {"name": "SIS"})
        key = response.context["key"]
        api = Client(headers={"authorization": f"Bearer {key}"})
        assert api.get(reverse("api-students")).status_code == 200
        token = ApiToken.objects.get()
        assert token.last_used_at is not None

    @pytest.mark.parametrize("name", ["", "   ", "x" * 81])
    def test_a_bad_name_is_refused_and_nothing_is_made(self, client_for, office_a, name):
        response = client_for(office_a).post(PAGE, {"name": name})
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
        assert not ApiToken.objects.exists()

    def test_the_form_needs_its_csrf_token(self, office_a):
        client = Client(enforce_csrf_checks=True)
        client.force_login(office_a)
        assert client.post(PAGE, {"name": "SIS"}).status_code == 403
        assert not ApiToken.objects.exists()

    def test_a_deactivated_account_cannot_make_tokens(self, client_for, office_a, supervisor):
        client = client_for(office_a)
        membership = office_a.university_membership
        services.university_staff_deactivate(actor=supervisor, membership_id=membership.pk)
        response = client.post(PAGE, {"name": "SIS"})
        assert response.status_code in (302, 403)
        assert not ApiToken.objects.exists()


class TestRevoke:
    def test_revoking_stops_the_key_at_once(self, client_for, office_a):
        token, key = services.token_create(actor=office_a, name="SIS")
        api = Client(headers={"authorization": f"Bearer {key}"})
        assert api.get(reverse("api-students")).status_code == 200

        client = client_for(office_a)
        response = client.post(revoke_url(token), follow=True)

        assert response.redirect_chain[-1] == (PAGE, 302)
        text = response.content.decode()
        assert "is revoked" in text
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert token.revoked_by == office_a
        assert api.get(reverse("api-students")).status_code == 401
        # Listed as revoked, with no button any more.
        assert revoke_url(token) not in text
        assert "Revoked on" in text

    def test_a_token_of_another_university_cannot_be_revoked(self, client_for, office_a, office_b):
        theirs, _key = services.token_create(actor=office_b, name="Theirs")
        response = client_for(office_a).post(revoke_url(theirs), follow=True)
        assert "does not belong to your university" in response.content.decode()
        theirs.refresh_from_db()
        assert theirs.revoked_at is None

    def test_only_a_post_revokes(self, client_for, office_a):
        token, _key = services.token_create(actor=office_a, name="SIS")
        assert client_for(office_a).get(revoke_url(token)).status_code == 405
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_the_page_has_a_revoke_form_per_active_token(self, client_for, office_a):
        active, _key = services.token_create(actor=office_a, name="Active one")
        revoked, _key = services.token_create(actor=office_a, name="Old one")
        services.token_revoke(actor=office_a, token_id=revoked.pk)
        text = client_for(office_a).get(PAGE).content.decode()
        assert text.count('name="csrfmiddlewaretoken"') >= 2
        assert revoke_url(active) in text
        assert revoke_url(revoked) not in text


def test_the_page_is_accessible_without_javascript(client_for, office_a):
    services.token_create(actor=office_a, name="SIS")
    text = client_for(office_a).get(PAGE).content.decode()
    assert "<caption>" in text
    assert 'scope="col"' in text
    assert 'scope="row"' in text
    assert 'for="id_name"' in text
    assert 'id="id_name"' in text
    assert "<h1>" in text
    assert text.index("<h1>") < text.index('<h2 class="h4">')
    assert "<script>" not in text
