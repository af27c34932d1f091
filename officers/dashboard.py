"""Selectors for the supervisor dashboard: counts, time limits and durations.

Everything is aggregated in the database; ``dashboard_summary`` runs a fixed number of queries
(five) whatever the number of cases or officers. "Now" can be passed in, so the numbers can be
checked for any day. Statuses and decisions are shown for one kind of case at a time (each
kind has its own statuses); the time limits and the officers' open work count every kind.

Time limits are measured in elapsed time from ``submitted_at``, exactly as the queue's
``overdue`` filter does, so a count here and the list it links to agree.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import Count, F, FloatField, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.aggregates import Aggregate
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from accounts.models import User
from cases.deadlines import LEGAL_DECISION_DAYS, sla_target_days, started_before
from cases.registry import CaseKind, case_kind, case_kinds
from core.dates import day_start

from .queue import officers, status_counts

if TYPE_CHECKING:
    from collections.abc import Iterable

CHART_WEEKS = 12
SHORT_WINDOW_DAYS = 30
LONG_WINDOW_DAYS = 90


class Median(Aggregate):
    """PostgreSQL's interpolated median: ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``.

    With an even number of values it is the mean of the two middle ones; with none, NULL.
    """

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class ElapsedDays(Func):
    """Days, with their fraction, from the second timestamp to the first."""

    arg_joiner = " - "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 86400.0)"
    output_field = FloatField()


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Breaches:
    """Open cases of every kind and their age, counted from when their clock started."""

    open: int
    # Open, the clock not started: applications waiting for their visit to the office.
    waiting: int
    past_target: int
    past_legal: int
    unassigned: int
    unassigned_past_target: int
    target_days: int
    legal_days: int = LEGAL_DECISION_DAYS


@dataclass(frozen=True)
class DecisionStats:
    """Decisions (approvals and refusals) in the last 30 and 90 days."""

    median_days_30: float | None
    median_days_90: float | None
    approved_30: int
    rejected_30: int
    approved_90: int
    rejected_90: int

    @property
    def decisions_30(self) -> int:
        return self.approved_30 + self.rejected_30

    @property
    def decisions_90(self) -> int:
        return self.approved_90 + self.rejected_90

    @property
    def approval_rate_30(self) -> float | None:
        """Approved / (approved + rejected), between 0 and 1; None without decisions."""
        return self.approved_30 / self.decisions_30 if self.decisions_30 else None

    @property
    def approval_rate_90(self) -> float | None:
        """Approved / (approved + rejected), between 0 and 1; None without decisions."""
        return self.approved_90 / self.decisions_90 if self.decisions_90 else None


@dataclass(frozen=True)
class WeekCount:
    """Decisions in one ISO week (Monday to Sunday, Türkiye time)."""

    start: date
    approved: int
    rejected: int

    @property
    def total(self) -> int:
        return self.approved + self.rejected

    @property
    def iso_year(self) -> int:
        return self.start.isocalendar().year

    @property
    def iso_week(self) -> int:
        return self.start.isocalendar().week

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


@dataclass(frozen=True)
class OfficerLoad:
    officer: User
    open: int
    past_target: int


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    statuses: list[StatusCount]
    breaches: Breaches
    decisions: DecisionStats
    weeks: list[WeekCount]
    officers: list[OfficerLoad]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.statuses)


def _cutoffs(now: datetime) -> tuple[datetime, datetime]:
    """A clock started before the first: past the internal target; before the second: past
    the legal 90 days (counted in days, as the queue's badges count them)."""
    today = timezone.localdate(now)
    return (
        started_before(sla_target_days(), today=today),
        started_before(LEGAL_DECISION_DAYS, today=today),
    )


def _kind(kind: CaseKind | None) -> CaseKind:
    return kind or case_kind(None)


def applications_per_status(*, kind: CaseKind | None = None) -> list[StatusCount]:
    """Every status officers see (never a draft), zeros included. One query."""
    kind = _kind(kind)
    counts = status_counts(kind.all_cases().filter(status__in=kind.queue_statuses), kind=kind)
    return [
        StatusCount(status=value, label=kind.status_label(value), count=n)
        for value, n in counts.items()
    ]


def breaches_by_kind(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Each registered kind's open cases and how late they are, by its code: one query per
    kind, counted from when each case's clock started (``CaseKind.clock_field``). What the
    dashboard adds up and ``/metrics`` reports per kind."""
    now = now or timezone.now()
    target_cutoff, legal_cutoff = _cutoffs(now)
    unassigned = Q(assignee__isnull=True)
    rows = {}
    for kind in case_kinds():
        clock = kind.clock_field
        past_target = Q(**{f"{clock}__lt": target_cutoff})
        rows[kind.code] = (
            kind.all_cases()
            .filter(status__in=kind.open_statuses)
            .order_by()
            .aggregate(
                open=Count("pk"),
                waiting=Count("pk", filter=Q(**{f"{clock}__isnull": True})),
                past_target=Count("pk", filter=past_target),
                past_legal=Count("pk", filter=Q(**{f"{clock}__lt": legal_cutoff})),
                unassigned=Count("pk", filter=unassigned),
                unassigned_past_target=Count("pk", filter=unassigned & past_target),
            )
        )
    return rows


def sla_breaches(*, now: datetime | None = None) -> Breaches:
    """Open cases of every kind past the internal target and past the legal limit, added up
    over the kinds: the limits are the same for every kind."""
    totals = dict.fromkeys(
        ("open", "waiting", "past_target", "past_legal", "unassigned", "unassigned_past_target"),
        0,
    )
    for row in breaches_by_kind(now=now).values():
        for key, value in row.items():
            totals[key] += value
    return Breaches(**totals, target_days=sla_target_days())


def decision_stats(*, now: datetime | None = None, kind: CaseKind | None = None) -> DecisionStats:
    """Median days from submission to decision and the outcomes, last 30 and 90 days. One query."""
    now = now or timezone.now()
    kind = _kind(kind)
    granted, refused = Q(status=kind.granted_status), Q(status=kind.refused_status)
    since_short = now - timedelta(days=SHORT_WINDOW_DAYS)
    since_long = now - timedelta(days=LONG_WINDOW_DAYS)
    recent = Q(decided_at__gte=since_short)
    decided = (
        kind.all_cases()
        .filter(
            status__in=kind.decided_statuses,
            decided_at__gte=since_long,
            decided_at__lte=now,
            submitted_at__isnull=False,
        )
        .order_by()
    )
    counts = {
        "approved_30": Count("pk", filter=recent & granted),
        "rejected_30": Count("pk", filter=recent & refused),
        "approved_90": Count("pk", filter=granted),
        "rejected_90": Count("pk", filter=refused),
    }
    if connection.vendor == "postgresql":
        days = ElapsedDays(F("decided_at"), F("submitted_at"))
        row = decided.aggregate(
            median_days_30=Median(days, filter=recent),
            median_days_90=Median(days),
            **counts,
        )
        return DecisionStats(**row)
    # The first-run SQLite database has no percentile_cont: take the median in Python.
    row = decided.aggregate(**counts)
    # Neither is NULL: ``decided`` filters on both.
    pairs = cast(
        "Iterable[tuple[datetime, datetime]]",
        decided.values_list("submitted_at", "decided_at"),
    )
    spans = [
        ((decided_at - submitted_at).total_seconds() / 86400, decided_at >= since_short)
        for submitted_at, decided_at in pairs
    ]
    short = [days for days, is_recent in spans if is_recent]
    return DecisionStats(
        median_days_30=statistics.median(short) if short else None,
        median_days_90=statistics.median([days for days, _recent in spans]) if spans else None,
        **row,
    )


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def decisions_per_week(
    *, now: datetime | None = None, weeks: int = CHART_WEEKS, kind: CaseKind | None = None
) -> list[WeekCount]:
    """Approvals and refusals per ISO week, oldest first, the current week last. One query.

    Weeks are cut in the current time zone (Türkiye), so a decision on Sunday 23:30 belongs to
    the week that ends that Sunday. Weeks without decisions are listed with zeros.
    """
    now = now or timezone.now()
    kind = _kind(kind)
    current = week_start(timezone.localdate(now))
    first = current - timedelta(weeks=weeks - 1)
    since = day_start(first)
    rows = (
        kind.all_cases()
        .filter(status__in=kind.decided_statuses, decided_at__gte=since, decided_at__lte=now)
        .annotate(week=TruncWeek("decided_at"))
        .order_by()
        .values("week")
        .annotate(
            approved=Count("pk", filter=Q(status=kind.granted_status)),
            rejected=Count("pk", filter=Q(status=kind.refused_status)),
        )
    )
    by_week = {timezone.localdate(row["week"]): row for row in rows}
    result = []
    for i in range(weeks):
        start = first + timedelta(weeks=i)
        row = by_week.get(start, {})
        result.append(
            WeekCount(start=start, approved=row.get("approved", 0), rejected=row.get("rejected", 0))
        )
    return result


def _assigned_count(cases: QuerySet[Any], *, officer: OuterRef) -> Coalesce:
    """How many of ``cases`` the officer holds, as a subquery of the officers' query."""
    counted = cases.filter(assignee=officer).order_by().values("assignee").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def open_work_by_officer(*, now: datetime | None = None) -> list[OfficerLoad]:
    """Each active officer and supervisor, with open work of every kind and how much is late.

    One query, with two counting subqueries per kind of case; officers without open work are
    listed with zeros.
    """
    now = now or timezone.now()
    target_cutoff, _legal = _cutoffs(now)
    counts: dict[str, Coalesce] = {}
    for number, kind in enumerate(case_kinds()):
        open_cases = kind.all_cases().filter(status__in=kind.open_statuses)
        counts[f"open_{number}"] = _assigned_count(open_cases, officer=OuterRef("pk"))
        counts[f"late_{number}"] = _assigned_count(
            open_cases.filter(**{f"{kind.clock_field}__lt": target_cutoff}),
            officer=OuterRef("pk"),
        )
    users = User.objects.filter(pk__in=officers().values("pk")).annotate(**counts).order_by("email")
    return [
        OfficerLoad(
            officer=user,
            open=sum(getattr(user, name) for name in counts if name.startswith("open_")),
            past_target=sum(getattr(user, name) for name in counts if name.startswith("late_")),
        )
        for user in users
    ]


def dashboard_summary(*, now: datetime | None = None, kind: CaseKind | None = None) -> Dashboard:
    """Everything the supervisor dashboard shows for one kind of case (the time limits and the
    officers' open work for every kind), in four queries plus one per kind."""
    now = now or timezone.now()
    kind = _kind(kind)
    return Dashboard(
        now=now,
        statuses=applications_per_status(kind=kind),
        breaches=sla_breaches(now=now),
        decisions=decision_stats(now=now, kind=kind),
        weeks=decisions_per_week(now=now, kind=kind),
        officers=open_work_by_officer(now=now),
    )
