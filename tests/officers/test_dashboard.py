"""The supervisor dashboard: who may see it, and whether its numbers are right.

The data set is built through the workflow services, with the clock moved to each step, so
submission and decision times are exactly known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications import decisions, workflow
from applications.models import Application, Status
from applications.queue import queue_filtered
from cases.registry import case_kinds
from officers import dashboard
from officers.dashboard_views import decisions_chart
from tests.factories import (
    ApplicationFactory,
    OfficerFactory,
    SupervisorFactory,
    UserFactory,
    attach_required_documents,
)

# The age counts from the day a case is complete: here, when it is handed in.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("complete_at_hand_in")]

ISTANBUL = ZoneInfo("Europe/Istanbul")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ISTANBUL)


# A Wednesday. Last 30 days from 2024-12-16 12:00, last 90 days from 2024-10-17 12:00; the
# twelve weeks shown run from Monday 2024-10-28 to the current week, from Monday 2025-01-13.
NOW = at(2025, 1, 15, 12)


@pytest.fixture(autouse=True)
def _no_letters(monkeypatch):
    """Approval renders the decision letter as a PDF: slow, and nothing the dashboard counts."""
    monkeypatch.setattr(decisions, "permit_attach_letter", lambda *, permit: None)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def submitted(clock, when: datetime, **fields) -> Application:
    clock.move_to(when)
    application = ApplicationFactory(**fields)
    attach_required_documents(application, on=timezone.localdate())
    return workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=application.version,
        accept_declaration=True,
    )


def start_review(clock, application: Application, officer: User, when: datetime) -> Application:
    clock.move_to(when)
    return decisions.application_start_review(
        application_id=application.pk, actor=officer, expected_version=fresh(application).version
    )


def decide(clock, application: Application, officer: User, when: datetime, outcome: str) -> None:
    clock.move_to(when)
    if fresh(application).status == Status.SUBMITTED:
        start_review(clock, application, officer, when)
    if outcome == Status.APPROVED:
        decisions.application_approve(
            application_id=application.pk,
            actor=officer,
            expected_version=fresh(application).version,
            valid_from=timezone.localdate(),
            valid_to=date(2028, 9, 15),
        )
    else:
        decisions.application_reject(
            application_id=application.pk,
            actor=officer,
            expected_version=fresh(application).version,
            reason_codes=["conditions_not_met"],
            explanation="The conditions are not met.",
        )
    assert fresh(application).status == outcome


def decided(clock, officer, submitted_at: datetime, decided_at: datetime, outcome: str):
    application = submitted(clock, submitted_at)
    decide(clock, application, officer, decided_at, outcome)
    return fresh(application)


@dataclass
class World:
    officer_a: User
    officer_b: User
    supervisor: User


@pytest.fixture
def world(clock) -> World:
    officer_a, officer_b = OfficerFactory(), OfficerFactory()
    supervisor = SupervisorFactory()

    # Decisions (submitted -> decided, in days): D1 outside every window.
    decided(clock, officer_a, at(2024, 10, 1), at(2024, 10, 10), Status.APPROVED)  # D1: 9
    decided(clock, officer_a, at(2024, 10, 1), at(2024, 11, 4), Status.APPROVED)  # D2: 34
    decided(clock, officer_a, at(2024, 10, 2), at(2024, 11, 6), Status.REJECTED)  # D3: 35
    decided(clock, officer_a, at(2024, 11, 20), at(2024, 12, 20), Status.APPROVED)  # D4: 30
    decided(clock, officer_a, at(2024, 11, 19), at(2025, 1, 13), Status.APPROVED)  # D5: 55
    decided(clock, officer_b, at(2024, 11, 24), at(2025, 1, 14), Status.REJECTED)  # D6: 51

    # Open work.
    o1 = submitted(clock, at(2024, 10, 1))  # 106 days: past the target and the legal limit
    start_review(clock, o1, officer_a, at(2024, 10, 2))
    o2 = submitted(clock, at(2024, 11, 20))  # 56 days: past the target only
    start_review(clock, o2, officer_a, at(2024, 11, 21))
    decisions.application_request_info(
        application_id=o2.pk,
        actor=officer_a,
        expected_version=fresh(o2).version,
        message="Please upload a clearer photo.",
        document_kinds=["photo"],
    )
    submitted(clock, at(2025, 1, 10))  # O3: 5 days, nobody's
    submitted(clock, at(2024, 10, 5))  # O4: 102 days, nobody's
    o5 = submitted(clock, at(2025, 1, 2))  # 13 days
    start_review(clock, o5, officer_b, at(2025, 1, 3))

    # Neither open nor decided.
    withdrawn = submitted(clock, at(2024, 12, 1))
    clock.move_to(at(2024, 12, 2))
    workflow.application_withdraw(
        application_id=withdrawn.pk,
        actor=withdrawn.applicant,
        expected_version=fresh(withdrawn).version,
    )
    ApplicationFactory()  # a draft

    clock.move_to(NOW)
    return World(officer_a=officer_a, officer_b=officer_b, supervisor=supervisor)


# --- the selectors ---------------------------------------------------------------------------


def test_applications_per_status_leaves_drafts_out(world):
    counts = {row.status: row.count for row in dashboard.applications_per_status()}

    assert counts == {
        Status.SUBMITTED: 2,
        Status.UNDER_REVIEW: 2,
        Status.INFO_REQUESTED: 1,
        Status.APPROVED: 4,
        Status.REJECTED: 2,
        Status.WITHDRAWN: 1,
    }
    assert Application.objects.filter(status=Status.DRAFT).count() == 1


def test_sla_breaches(world, settings):
    assert settings.OFFICER_SLA_TARGET_DAYS == 30
    breaches = dashboard.sla_breaches()

    assert breaches.open == 5
    assert breaches.past_target == 3
    assert breaches.past_legal == 2
    assert breaches.unassigned == 2
    assert breaches.unassigned_past_target == 1
    assert (breaches.target_days, breaches.legal_days) == (30, 90)


def test_the_target_count_agrees_with_the_queue_it_links_to(world):
    listed = queue_filtered(params=QueryDict("overdue=true"), officer=world.supervisor).qs

    assert listed.count() == dashboard.sla_breaches().past_target


def test_sla_target_follows_the_setting(world, settings):
    settings.OFFICER_SLA_TARGET_DAYS = 60

    breaches = dashboard.sla_breaches()

    assert breaches.past_target == 2  # O2 (56 days) is no longer late
    assert breaches.target_days == 60


def test_decision_stats_with_odd_counts(world):
    stats = dashboard.decision_stats()

    assert stats.decisions_30 == 3
    assert stats.median_days_30 == pytest.approx(51.0)  # 30, 51, 55
    assert stats.decisions_90 == 5
    assert stats.median_days_90 == pytest.approx(35.0)  # 30, 34, 35, 51, 55
    assert (stats.approved_30, stats.rejected_30) == (2, 1)
    assert stats.approval_rate_30 == pytest.approx(2 / 3)
    assert (stats.approved_90, stats.rejected_90) == (3, 2)
    assert stats.approval_rate_90 == pytest.approx(0.6)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(clock):
    officer = OfficerFactory()
    decided(clock, officer, at(2025, 1, 1), at(2025, 1, 11), Status.APPROVED)  # 10 days
    decided(clock, officer, at(2024, 12, 30), at(2025, 1, 14), Status.REJECTED)  # 15 days
    decided(clock, officer, at(2024, 11, 1), at(2024, 11, 21), Status.REJECTED)  # 20 days
    decided(clock, officer, at(2024, 12, 1, 10), at(2024, 12, 9, 22), Status.APPROVED)  # 8.5
    clock.move_to(NOW)

    stats = dashboard.decision_stats()

    assert stats.median_days_30 == pytest.approx(12.5)  # 10, 15
    assert stats.median_days_90 == pytest.approx(12.5)  # 8.5, 10, 15, 20
    assert stats.approval_rate_90 == pytest.approx(0.5)


def test_no_decisions_means_no_median_and_no_rate(clock):
    submitted(clock, at(2025, 1, 2))
    clock.move_to(NOW)

    stats = dashboard.decision_stats()

    assert stats.median_days_30 is None
    assert stats.median_days_90 is None
    assert stats.approval_rate_30 is None
    assert stats.approval_rate_90 is None
    assert stats.decisions_30 == stats.decisions_90 == 0
    weeks = dashboard.decisions_per_week()
    assert len(weeks) == 12
    assert all(week.total == 0 for week in weeks)


def test_decisions_per_week(world):
    weeks = dashboard.decisions_per_week()

    assert len(weeks) == 12
    assert weeks[0].start == date(2024, 10, 28)
    assert weeks[-1].start == date(2025, 1, 13)
    assert all(week.start.weekday() == 0 for week in weeks)
    counts = {week.start: (week.approved, week.rejected) for week in weeks if week.total}
    assert counts == {
        date(2024, 11, 4): (1, 1),
        date(2024, 12, 16): (1, 0),
        date(2025, 1, 13): (1, 1),
    }
    assert (weeks[-1].iso_year, weeks[-1].iso_week) == (2025, 3)


def test_weeks_are_cut_at_midnight_turkish_time(clock):
    officer = OfficerFactory()
    # Sunday 23:30 and Monday 00:30 in Istanbul are both Sunday in UTC.
    decided(clock, officer, at(2025, 1, 2), at(2025, 1, 12, 23, 30), Status.APPROVED)
    decided(clock, officer, at(2025, 1, 3), at(2025, 1, 13, 0, 30), Status.REJECTED)
    clock.move_to(NOW)

    weeks = {week.start: (week.approved, week.rejected) for week in dashboard.decisions_per_week()}

    assert weeks[date(2025, 1, 6)] == (1, 0)
    assert weeks[date(2025, 1, 13)] == (0, 1)


def test_open_work_per_officer(world):
    loads = {
        load.officer.email: (load.open, load.past_target)
        for load in dashboard.open_work_by_officer()
    }

    assert loads == {
        world.officer_a.email: (2, 2),
        world.officer_b.email: (1, 0),
        world.supervisor.email: (0, 0),
    }


def test_inactive_officers_and_students_are_not_listed(world):
    world.officer_b.is_active = False
    world.officer_b.save(update_fields=["is_active"])
    UserFactory()

    emails = [load.officer.email for load in dashboard.open_work_by_officer()]

    assert emails == sorted([world.officer_a.email, world.supervisor.email])


def test_the_summary_takes_four_queries_and_one_per_kind(world, django_assert_num_queries):
    with django_assert_num_queries(4 + len(case_kinds())):
        summary = dashboard.dashboard_summary()

    assert summary.total == 12
    assert summary.now == NOW


def test_the_chart_scales_to_the_tallest_bar(world):
    chart = decisions_chart(dashboard.decisions_per_week())

    bars = [bar for group in chart.groups for bar in group.bars]
    assert len(bars) == 24
    assert max(bar.height for bar in bars) == 160
    assert {bar.height for bar in bars if bar.value == 0} == {0}
    assert all(bar.y + bar.height == chart.baseline for bar in bars)


# --- the page --------------------------------------------------------------------------------


URL = "/officers/dashboard/"


def test_the_url():
    assert reverse("supervisor-dashboard") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("factory", [UserFactory, OfficerFactory], ids=["student", "officer"])
def test_only_supervisors_may_see_it(client, factory):
    client.force_login(factory())

    assert client.get(URL).status_code == 403


def test_the_page(client, world, django_assert_max_num_queries):
    client.force_login(world.supervisor)

    # Eight, plus one per kind of case (the open work of each kind is counted apart).
    with django_assert_max_num_queries(8 + len(case_kinds())):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["breaches"].past_target == 3
    assert response.context["decisions"].median_days_90 == pytest.approx(35.0)
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<script" not in html
    for status in ("submitted", "under_review", "info_requested", "approved", "rejected"):
        assert f'href="/officers/?status={status}"' in html
    assert 'href="/officers/?overdue=true"' in html
    assert html.count("<caption>") == 5
    assert '<th scope="col"' in html
    assert '<th scope="row"' in html
    assert 'role="img"' in html
    assert "67% (2 of 3)" in html  # approval rate over 30 days
    assert "60% (3 of 5)" in html  # approval rate over 90 days
    assert "35.0" in html  # median days over 90 days
    assert "no-store" in response["Cache-Control"]


def test_chart_coordinates_are_not_localised(client, world):
    """Azerbaijani and Turkish write 12,5: SVG attributes must keep the decimal point."""
    client.force_login(world.supervisor)

    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="tr").content.decode()

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'height="160"' in svg or 'height="160.0"' in svg
    assert "," not in svg.split("<title")[0]
    assert not [part for part in svg.split('"') if part[:1].isdigit() and "," in part]


def test_the_first_run_database_gets_the_same_medians(world, monkeypatch):
    # `make run` uses SQLite, which has no percentile_cont; the Python median must agree.
    from django.db import connection

    in_database = dashboard.decision_stats()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    in_python = dashboard.decision_stats()

    assert in_python == in_database
