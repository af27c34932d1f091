"""Security headers on every kind of response: pages, redirects, API, errors."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def assert_hardened(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/eligibility/", 200),
        ("/api/eligibility/?level=bachelor", 400),
        ("/accounts/login/", 200),
        ("/dashboard/", 302),
        ("/no-such-page/", 404),
        ("/officers/", 302),
        ("/healthz/", 200),
    ],
)
def test_every_response_is_hardened(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_hardened(response)


def test_a_forbidden_page_is_hardened(client_for, student):
    response = client_for(student).get("/officers/")
    assert response.status_code == 403
    assert_hardened(response)


@override_settings(ROOT_URLCONF="tests.security.urls_failing", DEBUG=False)
def test_the_500_page_is_hardened():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_hardened(response)


def test_pages_have_no_inline_script_or_style(client):
    """What the policy forbids must not be in the pages, or the browser would drop it."""
    for url in ("/", "/eligibility/", "/accounts/login/", "/accounts/signup/"):
        html = client.get(url).text
        assert "<script>" not in html
        assert " style=" not in html
        assert " onclick=" not in html


@override_settings(ROOT_URLCONF="tests.security.urls_failing", DEBUG=False)
def test_the_500_page_says_what_happened_in_the_visitors_language():
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    response = client.get("/broken/")
    assert "<h1>Something went wrong</h1>" in response.text
    assert "Nothing was saved from it" in response.text
    assert '<html lang="en">' in response.text
