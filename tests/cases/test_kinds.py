"""A new kind of case appears in the officers' queue, claim-next and the deadline tracking by
registering itself, without a copy of their code.

The test registers two kinds that share the applications table (bachelor's and master's cases),
each with its own list; the officers' side must treat them as two kinds.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from applications import queue as application_queue
from applications.case_kind import APPLICATION
from applications.models import Application, Status
from cases import registry
from cases.assignment import case_claim_next
from officers.dashboard import sla_breaches

# The age counts from the day a case is complete: here, when it is handed in.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("complete_at_hand_in")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 12, 20, 10, 0, tzinfo=ISTANBUL)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


def _kind_for(level: str, code: str, label: str) -> registry.CaseKind:
    def filtered(*, params, officer):
        data = params.copy()
        if not data.getlist("status"):
            data.setlist("status", list(APPLICATION.open_statuses))
        return application_queue.QueueFilter(
            data, queryset=application_queue.queue_base().filter(level=level), officer=officer
        )

    return dataclasses.replace(
        APPLICATION,
        code=code,
        label=gettext_lazy(label),
        queue=dataclasses.replace(APPLICATION.queue, filtered=filtered),
        cases=lambda: Application.objects.filter(level=level),
    )


@pytest.fixture
def two_kinds(monkeypatch):
    kinds = {
        "bachelor_case": _kind_for("bachelor", "bachelor_case", "Bachelor's case"),
        "master_case": _kind_for("master", "master_case", "Master's case"),
    }
    monkeypatch.setattr(registry, "_KINDS", dict(kinds))
    return kinds


def submitted(application_in, traveller, *, level: str, days_ago: int) -> Application:
    traveller.move_to(NOW - timedelta(days=days_ago))
    application = application_in(Status.SUBMITTED, level=level)
    traveller.move_to(NOW)
    return application


def test_each_kind_has_its_tab_and_its_own_list(
    two_kinds, application_in, officer, client_for, clock
):
    bachelor = submitted(application_in, clock, level="bachelor", days_ago=3)
    master = submitted(application_in, clock, level="master", days_ago=2)
    client = client_for(officer)

    first = client.get(reverse("officer-queue"))
    second = client.get(reverse("officer-queue"), {"kind": "master_case"})

    assert [row.application.pk for row in first.context["rows"]] == [bachelor.pk]
    assert [row.application.pk for row in second.context["rows"]] == [master.pk]
    page = first.content.decode()
    assert "Bachelor&#x27;s case" in page or "Bachelor's case" in page
    assert "?kind=master_case" in page
    assert client.get(reverse("officer-queue"), {"kind": "no_such_kind"}).status_code == 404


def test_claim_next_takes_the_oldest_case_of_any_kind(
    two_kinds, application_in, officer, clock, monkeypatch
):
    claimed_by: list[str] = []
    for code, kind in list(two_kinds.items()):

        def claim(case, actor, *, code=code, kind=kind):
            claimed_by.append(code)
            APPLICATION.claim(case, actor)

        monkeypatch.setitem(registry._KINDS, code, dataclasses.replace(kind, claim=claim))
    newer_bachelor = submitted(application_in, clock, level="bachelor", days_ago=2)
    older_master = submitted(application_in, clock, level="master", days_ago=5)

    first = case_claim_next(actor=officer)
    second = case_claim_next(actor=officer)

    assert (first[0].code, first[1].pk) == ("master_case", older_master.pk)
    assert (second[0].code, second[1].pk) == ("bachelor_case", newer_bachelor.pk)
    assert claimed_by == ["master_case", "bachelor_case"]
    assert case_claim_next(actor=officer) is None


def test_deadlines_count_every_kind_once(two_kinds, application_in, clock):
    submitted(application_in, clock, level="bachelor", days_ago=95)
    submitted(application_in, clock, level="master", days_ago=95)
    submitted(application_in, clock, level="master", days_ago=1)

    breaches = sla_breaches()

    assert (breaches.open, breaches.past_legal) == (3, 2)


def test_an_unknown_kind_is_not_found():
    with pytest.raises(LookupError):
        registry.case_kind("no_such_kind")
    assert registry.case_kind(None) == registry.case_kinds()[0]
    assert registry.kind_of(Application()) == APPLICATION


def test_the_dashboard_shows_each_kind_and_counts_every_kinds_open_work(
    two_kinds, application_in, officer, supervisor, client_for, clock
):
    bachelor = submitted(application_in, clock, level="bachelor", days_ago=40)
    submitted(application_in, clock, level="master", days_ago=2)
    application_in(Status.UNDER_REVIEW, level="master", officer=officer)
    Application.objects.filter(pk=bachelor.pk).update(assignee=officer)
    client = client_for(supervisor)

    first = client.get(reverse("supervisor-dashboard"))
    second = client.get(reverse("supervisor-dashboard"), {"kind": "master_case"})

    def counts(response):
        return {row["status"]: row["count"] for row in response.context["statuses"]}

    assert counts(first)[Status.SUBMITTED] == 1
    assert counts(second)[Status.SUBMITTED] == 1
    assert counts(second)[Status.UNDER_REVIEW] == 1
    assert "?kind=master_case&amp;status=submitted" in second.content.decode()
    [load] = [row for row in first.context["officer_loads"] if row.officer == officer]
    # One bachelor's case (past the 30-day target) and one master's case, whatever the tab.
    assert (load.open, load.past_target) == (2, 1)
    assert client.get(reverse("supervisor-dashboard"), {"kind": "nope"}).status_code == 404


def test_the_csv_export_follows_the_kind(two_kinds, application_in, officer, client_for, clock):
    submitted(application_in, clock, level="bachelor", days_ago=3)
    master = submitted(application_in, clock, level="master", days_ago=2)
    client = client_for(officer)

    response = client.get(reverse("officer-queue-export"), {"kind": "master_case"})

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2  # the header and the one master's case
    assert lines[1].startswith(master.reference)
    assert "queue-master_case-2024-12-20.csv" in response["Content-Disposition"]
