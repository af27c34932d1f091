"""The busiest pages use a fixed number of queries, whatever the page size and the number of rows.

Each page is counted twice or more — few rows and many, small pages and big ones — and must cost
the same number of queries every time, and at most ``BUDGET`` (issue 8). A query per row (an
N+1) shows up here as soon as a second row is added; ``make bench`` measures the same pages on
100,000 applications (BENCHMARKS.md).
"""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.case_kind import APPLICATION
from applications.models import Status
from cases import registry

pytestmark = pytest.mark.django_db

BUDGET = 12


def page_size(monkeypatch, size: int) -> None:
    """List ``size`` applications per queue page (the kind's own setting)."""
    kind = dataclasses.replace(
        APPLICATION, queue=dataclasses.replace(APPLICATION.queue, page_size=size)
    )
    monkeypatch.setitem(registry._KINDS, kind.code, kind)


def queries_for(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def within_budget(django_assert_max_num_queries):
    """``within_budget(client, url, data)``: the request's query count, checked against BUDGET."""

    def check(client, url, data=None) -> int:
        with django_assert_max_num_queries(BUDGET):
            return queries_for(client, url, data)

    return check


def open_work(application_in, officer, count: int) -> None:
    """``count`` open applications in the three open statuses, some with an officer."""
    statuses = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
    for n in range(count):
        status = statuses[n % len(statuses)]
        application_in(status, officer=officer if status != Status.SUBMITTED else None)


# The default view, a filtered view and a search: every shape of the queue page.
QUEUE_VIEWS = (
    None,
    {"status": ["submitted", "under_review"], "level": "bachelor", "sort": "-submitted"},
    {"q": "Məmmədov", "assignee": "unassigned"},
)


@pytest.mark.parametrize("view", QUEUE_VIEWS, ids=["default", "filtered", "search"])
def test_the_queue_costs_the_same_for_3_or_30_rows_and_any_page_size(
    application_in, officer, client_for, within_budget, monkeypatch, view
):
    client = client_for(officer)
    url = reverse("officer-queue")

    def by_page_size() -> dict[int, int]:
        counts = {}
        for size in (10, 50, 100):
            page_size(monkeypatch, size)
            counts[size] = within_budget(client, url, view)
        return counts

    open_work(application_in, officer, 3)
    # The first view fills the cached university and province lists (two queries, once).
    assert within_budget(client, url, view) >= within_budget(client, url, view)
    few = by_page_size()
    open_work(application_in, officer, 27)
    many = by_page_size()

    assert len(set(few.values()) | set(many.values())) == 1, (few, many)
    # A second page costs what the first does.
    page_size(monkeypatch, 10)
    assert within_budget(client, url, {**(view or {}), "page": 2}) == many[10]


def test_the_status_tabs_count_closed_statuses_up_to_a_cap(
    application_in, officer, client_for, monkeypatch
):
    """Decided applications grow with every year of history; their tab stops counting."""
    from officers import queue

    monkeypatch.setattr(queue, "TAB_COUNT_CAP", 2)
    for _ in range(3):
        application_in(Status.WITHDRAWN)
    application_in(Status.REJECTED)
    for _ in range(3):
        application_in(Status.SUBMITTED)
    response = client_for(officer).get(reverse("officer-queue"))
    counts = {status: count for status, _label, count in response.context["counts"]}
    assert str(counts["withdrawn"]) == "2+"
    assert counts["rejected"] == 1
    # Open work is always counted exactly, and the list's own count comes from the tabs.
    assert counts["submitted"] == 3
    assert response.context["page"].paginator.count == 3
    # Listing a capped status counts the list itself.
    listed = client_for(officer).get(reverse("officer-queue"), {"status": "withdrawn"})
    assert listed.context["page"].paginator.count == 3


def test_the_review_page_costs_the_same_with_more_history(
    application_in, officer, client_for, within_budget, make_upload
):
    client = client_for(officer)
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    url = reverse("officer-review", args=[application.pk])
    before = within_budget(client, url)
    for n in range(5):
        client.post(
            reverse("officer-add-note", args=[application.pk]), {"body": f"checked item {n}"}
        )
        client.post(
            reverse("officer-send-message", args=[application.pk]), {"body": f"question {n}"}
        )
    # Opening the page again and again adds access-log events too.
    for _ in range(3):
        client.get(url)
    after = within_budget(client, url)
    assert after == before
    # With the bell, the delivery log and the access record; the policy versions are cached.
    assert application.events.count() > 8


def test_the_student_dashboard_costs_the_same_for_one_or_three_applications(
    application_in, student, client_for, within_budget
):
    client = client_for(student)
    url = reverse("dashboard")
    application_in(Status.REJECTED, applicant=student)
    one = within_budget(client, url)
    application_in(Status.APPROVED, applicant=student)
    application_in(Status.SUBMITTED, applicant=student)
    three = within_budget(client, url)
    assert three == one
