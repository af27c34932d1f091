"""The queue's answers to size: tabs counted up to a cap and estimated past it, pages that do
not need an exact count, the cached lists of its filter form, and rows written in Python that
escape what they show (BENCHMARKS.md, "A million cases")."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from applications.models import Status
from officers import queue as officer_queue
from universities.models import University

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("complete_at_hand_in")]

QUEUE = "/officers/"


@pytest.fixture(autouse=True)
def clock():
    moment = datetime(2024, 10, 1, 10, 0, tzinfo=ZoneInfo("Europe/Istanbul"))
    with time_machine.travel(moment, tick=False), translation.override("en"):
        yield


@pytest.fixture
def small_caps(monkeypatch):
    """Caps of 2, so a handful of cases goes past them."""
    monkeypatch.setattr(officer_queue, "OPEN_COUNT_CAP", 2)
    monkeypatch.setattr(officer_queue, "TAB_COUNT_CAP", 2)


@pytest.fixture
def per_page(monkeypatch):
    """Two cases a page, so three are more than one page."""
    import dataclasses

    from applications.case_kind import APPLICATION
    from cases import registry

    kind = dataclasses.replace(
        APPLICATION, queue=dataclasses.replace(APPLICATION.queue, page_size=2)
    )
    monkeypatch.setitem(registry._KINDS, kind.code, kind)


def tab_counts(response) -> dict[str, object]:
    return {status: count for status, _label, count in response.context["counts"]}


def test_an_open_status_past_its_cap_is_estimated_never_below_what_was_counted(
    application_in, officer, client_for, small_caps
):
    for _ in range(4):
        application_in(Status.SUBMITTED)
    application_in(Status.UNDER_REVIEW)
    response = client_for(officer).get(QUEUE)
    counts = tab_counts(response)
    submitted = counts["submitted"]
    assert isinstance(submitted, officer_queue.About)
    # Three were counted before the count stopped; the estimate cannot say fewer.
    assert int(submitted) >= 3
    assert str(submitted).startswith("about ")
    # Under the cap the count stays exact.
    assert counts["under_review"] == 1
    assert not isinstance(counts["under_review"], officer_queue.About)
    # The list's own length is an estimate as well, and the page says so.
    html = response.content.decode()
    caption = re.search(r"<caption>(.*?)</caption>", html, re.S).group(1)
    assert "about" in caption


def test_an_estimated_list_pages_by_the_rows_it_finds(
    application_in, officer, client_for, small_caps, per_page
):
    cases = [application_in(Status.SUBMITTED) for _ in range(5)]
    client = client_for(officer)
    seen = []
    for number in (1, 2, 3):
        page = client.get(QUEUE, {"page": number}).context["page"]
        seen += [case.pk for case in page.object_list]
        # Whether a next page exists comes from the rows, not from the estimate.
        assert page.has_next() is (number < 3)
    assert seen == [case.pk for case in cases]
    # Past the real end: an empty page that links back, not an error or another page's rows.
    past = client.get(QUEUE, {"page": 9})
    assert past.status_code == 200
    assert list(past.context["page"].object_list) == []
    assert past.context["page"].has_previous()
    assert "No applications match." in past.content.decode()
    # Not a number: the first page.
    assert client.get(QUEUE, {"page": "x"}).context["page"].number == 1


def test_estimates_cost_one_query_for_every_status_past_its_cap(
    application_in, officer, client_for, small_caps
):
    client = client_for(officer)
    for status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED):
        application_in(status)
    client.get(QUEUE)  # fills the cached reference lists

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    exact = queries()
    for status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED):
        for _ in range(3):
            application_in(status)
    estimated = queries()
    # Three open statuses past the cap: one EXPLAIN for all of them, within the budget.
    assert estimated == exact + 1
    assert estimated <= 12


def test_a_decided_status_past_its_cap_shows_the_cap(
    application_in, officer, client_for, small_caps
):
    for _ in range(3):
        application_in(Status.WITHDRAWN)
    counts = tab_counts(client_for(officer).get(QUEUE))
    assert str(counts["withdrawn"]) == "2+"


def test_a_new_or_renamed_university_is_in_the_filter_at_once(officer, client_for):
    client = client_for(officer)
    client.get(QUEUE)  # the list is cached now
    first = University.objects.order_by("name").first()
    added = University.objects.create(
        name="Zz Test Universiteti", province=first.province, kind=first.kind
    )
    html = client.get(QUEUE).content.decode()
    assert f'<option value="{added.pk}">Zz Test Universiteti</option>' in html
    added.name = "Zz Renamed Universiteti"
    added.save()
    html = client.get(QUEUE).content.decode()
    assert "Zz Renamed Universiteti" in html
    assert "Zz Test Universiteti" not in html
    added.delete()
    assert "Zz Renamed Universiteti" not in client.get(QUEUE).content.decode()


def test_a_university_chosen_in_the_filter_stays_chosen(application_in, officer, client_for):
    university = University.objects.order_by("name").first()
    application_in(Status.SUBMITTED, university=university, province=university.province)
    html = client_for(officer).get(QUEUE, {"university": university.pk}).content.decode()
    assert f'<option value="{university.pk}" selected>' in html


def test_the_rows_escape_what_a_student_typed(application_in, officer, client_for):
    application_in(Status.SUBMITTED, surname="<b>Bold</b>", given_names='Ay"şe')
    html = client_for(officer).get(QUEUE).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Ay&quot;şe" in html
    assert "<b>Bold</b>" not in html


def test_a_search_counts_its_matches_exactly_in_one_pass(
    application_in, officer, client_for, small_caps, monkeypatch
):
    for _ in range(3):
        application_in(Status.SUBMITTED, surname="Qəhrəmanlı")
    application_in(Status.SUBMITTED, surname="Babayev")
    client = client_for(officer)
    client.get(QUEUE, {"q": "qəhrəmanlı"})  # fills the cached reference lists
    with CaptureQueriesContext(connection) as captured:
        counts = tab_counts(client.get(QUEUE, {"q": "qəhrəmanlı"}))
    # Past the cap of 2 but counted whole: a search's matches are few, and each per-status
    # count would read the name index again.
    assert counts["submitted"] == 3
    assert not isinstance(counts["submitted"], officer_queue.About)
    assert not any("EXPLAIN" in query["sql"] for query in captured.captured_queries)
    # A search that matches more than the search cap falls back to the capped tabs.
    monkeypatch.setattr(officer_queue, "SEARCH_COUNT_CAP", 2)
    counts = tab_counts(client.get(QUEUE, {"q": "qəhrəmanlı"}))
    assert isinstance(counts["submitted"], officer_queue.About)
