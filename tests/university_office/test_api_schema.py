"""The OpenAPI schema (``/api/schema/``) describes both APIs, and its Swagger UI (``/api/docs/``)
loads nothing from another host and needs no inline script or style (the strict CSP holds)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

SCHEMA = reverse("api-schema")
DOCS = reverse("api-docs")
UNIVERSITY_OPERATIONS = {
    ("/api/v1/students/", "get"),
    ("/api/v1/students/{reference}/", "get"),
    ("/api/v1/confirmations/", "get"),
    ("/api/v1/confirmations/{number}/", "get"),
    ("/api/v1/confirmations/{number}/confirm/", "post"),
    ("/api/v1/confirmations/{number}/decline/", "post"),
    ("/api/v1/precheck/", "get"),
    ("/api/v1/precheck/{reference}/pass/", "post"),
    ("/api/v1/precheck/{reference}/return/", "post"),
    ("/api/v1/reports/", "get"),
    ("/api/v1/reports/", "post"),
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def operations(schema: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in schema["paths"].items() for method in item}


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1.0.0"
    validate_schema(schema)  # drf-spectacular's check against the OpenAPI 3 meta-schema
    loaded = schemathesis.openapi.from_dict(schema)
    names = {result.ok().label for result in loaded.get_all_operations()}
    assert "GET /api/eligibility/" in names
    assert len(names) == len(UNIVERSITY_OPERATIONS) + 1


def test_the_yaml_schema_is_served_too(client):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_the_schema_is_generated_without_a_warning(tmp_path):
    # --fail-on-warn: an unresolved type, an enum name collision, a view without a serializer
    # would each be a warning.
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO()
    )
    assert out.read_text().startswith("openapi: 3.")


def test_every_operation_of_both_apis_is_described(schema):
    assert operations(schema) == UNIVERSITY_OPERATIONS | {("/api/eligibility/", "get")}


def test_the_bearer_scheme_guards_every_university_operation(schema):
    assert schema["components"]["securitySchemes"] == {
        "universityToken": {
            "type": "http",
            "scheme": "bearer",
            "description": schema["components"]["securitySchemes"]["universityToken"][
                "description"
            ],
        }
    }
    for path, method in UNIVERSITY_OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"universityToken": []}], (path, method)
        assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (path, method)
        assert "headers" in operation["responses"]["429"]  # Retry-After
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert "application/json" in operation["responses"][success]["content"]
        assert operation["description"]
        assert operation["summary"]
    for path, method in UNIVERSITY_OPERATIONS:
        if method == "post" and not path.endswith("/pass/"):
            body = schema["paths"][path][method]["requestBody"]
            assert set(body["content"]) == {"application/json"}, path


def test_the_eligibility_api_is_public_and_fully_described(schema):
    operation = schema["paths"]["/api/eligibility/"]["get"]
    assert "security" not in operation
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert {
        "level",
        "field",
        "programme_start",
        "programme_end",
        "prep_year",
        "passport_expiry",
        "entry_date",
        "on",
    } <= set(parameters)
    assert all(parameters[name]["required"] for name in ("level", "programme_start"))
    assert parameters["programme_start"]["schema"] == {"type": "string", "format": "date"}
    assert set(operation["responses"]) == {"200", "400", "429"}
    outcome = schema["components"]["schemas"]["EligibilityOutcome"]
    assert {"eligible", "permit_end", "reasons", "warnings"} <= set(outcome["properties"])


def test_no_document_content_or_passport_field_is_in_any_response(schema):
    text = str(schema["components"]["schemas"]).lower()
    for word in ("passport_number", "fin", "file", "sha256", "original_name", "content_type"):
        assert f"'{word}'" not in text, word


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.styles = 0
        self.style_attributes = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.style_attributes += 1
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name] or "")
        if tag == "script" and not attributes.get("src"):
            self._in_script_without_src = True
        if tag == "style":
            self.styles += 1

    def handle_data(self, data: str) -> None:
        if self._in_script_without_src and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script_without_src = False


def test_the_docs_page_keeps_the_strict_csp_and_loads_only_our_own_files():
    client = Client(headers={"accept-language": "en"})
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp

    page = _Assets()
    page.feed(html)
    assert page.inline_scripts == 0
    assert page.styles == 0
    assert page.style_attributes == 0
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    statics = [url for url in page.urls if url.startswith("/static/")]
    assert {url.rsplit("/", 1)[-1] for url in statics} == {
        "favicon-32x32.png",
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    }
    for url in statics:
        # Our own static files (the sidecar package's, collected and served by WhiteNoise).
        assert finders.find(url.removeprefix("/static/")), url

    # The set-up script comes from a URL of ours, as JavaScript.
    scripts = [url for url in page.urls if not url.startswith("/static/") and "script" in url]
    assert len(scripts) == 1
    script = client.get(scripts[0].replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert SCHEMA in body
    assert '"validatorUrl": null' in body
    assert not re.search(r"https?://", body)


def test_schema_and_docs_need_no_token_and_refuse_none():
    client = Client(headers={"authorization": "Bearer aztr_unknown"})
    assert client.get(SCHEMA).status_code == 200
    assert client.get(DOCS).status_code == 200
