"""The public eligibility checker page, ``/eligibility/``: what a student sees and can use."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import formats, translation

pytestmark = pytest.mark.django_db

URL = reverse("eligibility")
WORKED_EXAMPLE = {
    "level": "bachelor",
    "programme_start": "2024-09-16",
    "on": "2024-10-01",
    "passport_expiry": "2028-06-30",
}
VOID = {"input", "meta", "link", "br", "img", "hr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join(
            " ".join([*self.text_parts, *(child.text for child in self.children)]).split()
        )


class Page(HTMLParser):
    """A tiny DOM: enough to find elements by tag and attribute without a third-party parser."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root = Element("#root", {}, None)
        self._current = self.root
        self.all: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self._current)
        self._current.children.append(element)
        self.all.append(element)
        if tag not in VOID:
            self._current = element

    def handle_endtag(self, tag):
        node = self._current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self._current = node.parent

    def handle_data(self, data):
        self._current.text_parts.append(data)

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.all
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]


def page_of(response) -> Page:
    return Page(response.content.decode())


def checker_form(page: Page) -> Element:
    return page.find("form", action=URL)


def form_controls(page: Page, form: Element) -> list[Element]:
    controls, stack = [], list(form.children)
    while stack:
        element = stack.pop()
        if element.tag in {"input", "select", "textarea"}:
            controls.append(element)
        stack.extend(element.children)
    return controls


def test_blank_form_has_a_label_for_every_question(client):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = page_of(response)
    form = checker_form(page)
    assert form.attrs["method"] == "get"
    controls = form_controls(page, form)
    names = {c.attrs["name"] for c in controls}
    assert names == {
        "level",
        "field",
        "programme_start",
        "programme_end",
        "prep_year",
        "passport_expiry",
        "entry_date",
        "on",
    }
    for control in controls:
        labels = page.find_all("label", for_=control.attrs["id"])
        assert len(labels) == 1, control.attrs
        assert labels[0].text
    # Nothing has been asked yet, so nothing is wrong yet.
    assert not page.find_all("div", role="alert")
    assert not page.find_all("section", **{"aria-labelledby": "result-title"})


def test_hints_are_tied_to_their_fields(client):
    page = page_of(client.get(URL, HTTP_ACCEPT_LANGUAGE="en"))

    start = page.find("input", name="programme_start")
    hint = page.find("div", id="id_programme_start_helptext")
    assert "id_programme_start_helptext" in start.attrs["aria-describedby"].split()
    assert "student certificate" in hint.text
    assert start.attrs["type"] == "date"


def test_result_shows_formatted_dates_and_the_reason(client):
    response = client.get(URL, WORKED_EXAMPLE, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = page_of(response)
    result = page.find("section", **{"aria-labelledby": "result-title"})
    assert "Not yet" in result.text
    # Dates for people, in the reader's language: not ISO.
    assert "from 1 Oct 2024 to 15 Sep 2028" in result.text
    assert "14 Nov 2028" in result.text
    reason = page.find("li", **{"data-code": "passport_too_short"})
    assert "14 Nov 2028" in reason.text
    # What to do about it: the shorter permit the current passport still allows.
    assert "until 1 May 2028 at the latest" in page.root.text
    assert "version 1" in page.root.text
    # The answers stay in the form so the student can change one and check again.
    assert page.find("input", name="passport_expiry").attrs["value"] == "2028-06-30"
    selected = [o for o in page.find("select", name="level").children if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["bachelor"]


def test_dates_follow_the_default_language(client):
    response = client.get(URL, WORKED_EXAMPLE)

    assert response.status_code == 200
    with translation.override("az"):
        expected = formats.date_format(date(2028, 11, 14), "DATE_FORMAT")
    assert expected != "14 Nov 2028"
    assert expected in page_of(response).find("section", **{"aria-labelledby": "result-title"}).text


def test_eligible_result_says_yes_without_reasons(client):
    response = client.get(
        URL, {**WORKED_EXAMPLE, "passport_expiry": "2029-01-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    page = page_of(response)
    assert "Yes" in page.find("h2", id="result-title").text
    assert not page.find_all("section", **{"aria-labelledby": "reasons-title"})


def test_invalid_query_shows_the_error_summary_and_the_field_error(client):
    response = client.get(
        URL, {**WORKED_EXAMPLE, "programme_start": "2024-02-30"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    page = page_of(response)
    summary = page.find("div", role="alert")
    links = [a.attrs["href"] for a in page.find_all("a") if a.parent and a.parent.tag == "li"]
    assert "#id_programme_start" in links
    assert "YYYY-MM-DD" in summary.text
    error = page.find("ul", id="id_programme_start_error")
    assert "YYYY-MM-DD" in error.text
    field = page.find("input", name="programme_start")
    assert "id_programme_start_error" in field.attrs["aria-describedby"].split()
    assert "is-invalid" in field.attrs["class"].split()
    # No result is shown for input that could not be evaluated.
    assert not page.find_all("section", **{"aria-labelledby": "result-title"})


def test_no_policy_in_force_is_an_error_on_the_date(client):
    response = client.get(URL, {**WORKED_EXAMPLE, "on": "2024-01-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "2024-01-01" in page_of(response).find("ul", id="id_on_error").text


@pytest.mark.parametrize(
    ("query", "language"),
    [({}, "en"), (WORKED_EXAMPLE, "en"), ({"level": "x"}, "en"), ({}, None)],
)
def test_one_h1_and_the_language_declared(client, query, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    page = page_of(client.get(URL, query, **headers))

    assert len(page.find_all("h1")) == 1
    assert page.find("html").attrs["lang"] == (language or "az")
