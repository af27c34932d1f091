"""The supervisor dashboard and the CSV export of the officer queue.

Both read from the read replica when there is one (``core.replica``): a count or a spreadsheet
a moment behind the last decision is fine, and they are the heavy reads of the workspace.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.registry import case_kind, case_kinds
from core.replica import reads_from_replica

from .dashboard import WeekCount, dashboard_summary
from .decorators import officer_required, supervisor_required
from .queue import requested_kind

logger = logging.getLogger(__name__)

EXPORT_CHUNK_SIZE = 2000

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """The cell as a spreadsheet will show it, never run it: a leading quote disarms formulas."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def _queue_url(**params: str) -> str:
    return f"{reverse('officer-queue')}?{urlencode(params)}"


# --- the dashboard ---------------------------------------------------------------------------

CHART_PLOT_HEIGHT = 160  # the tallest bar
CHART_TOP = 24  # room for the number above the tallest bar
CHART_BOTTOM = 44  # room for the week labels
CHART_LEFT = 8
CHART_GROUP_WIDTH = 60
CHART_BAR_WIDTH = 22
CHART_BAR_GAP = 4


@dataclass(frozen=True)
class Bar:
    kind: str  # "approved" | "rejected"
    value: int
    x: float
    y: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + CHART_BAR_WIDTH / 2

    @property
    def label_y(self) -> float:
        return self.y - 6


@dataclass(frozen=True)
class BarGroup:
    week: WeekCount
    bars: tuple[Bar, Bar]
    label_x: float


@dataclass(frozen=True)
class Chart:
    groups: list[BarGroup]
    width: int
    height: int
    baseline: int
    week_label_y: int
    date_label_y: int
    bar_width: int = CHART_BAR_WIDTH


def decisions_chart(weeks: Iterable[WeekCount]) -> Chart:
    """Geometry of the grouped bar chart (approved, rejected per week), drawn as SVG in HTML."""
    weeks = list(weeks)
    tallest = max([1, *(max(w.approved, w.rejected) for w in weeks)])
    baseline = CHART_TOP + CHART_PLOT_HEIGHT
    groups = []
    for i, week in enumerate(weeks):
        left = (
            CHART_LEFT
            + i * CHART_GROUP_WIDTH
            + (CHART_GROUP_WIDTH - 2 * CHART_BAR_WIDTH - CHART_BAR_GAP) / 2
        )
        bars = []
        for j, (kind, value) in enumerate(
            (("approved", week.approved), ("rejected", week.rejected))
        ):
            height = round(value / tallest * CHART_PLOT_HEIGHT, 1)
            bars.append(
                Bar(
                    kind=kind,
                    value=value,
                    x=round(left + j * (CHART_BAR_WIDTH + CHART_BAR_GAP), 1),
                    y=round(baseline - height, 1),
                    height=height,
                )
            )
        groups.append(
            BarGroup(
                week=week,
                bars=(bars[0], bars[1]),
                label_x=CHART_LEFT + i * CHART_GROUP_WIDTH + CHART_GROUP_WIDTH / 2,
            )
        )
    return Chart(
        groups=groups,
        width=2 * CHART_LEFT + len(weeks) * CHART_GROUP_WIDTH,
        height=baseline + CHART_BOTTOM,
        baseline=baseline,
        week_label_y=baseline + 18,
        date_label_y=baseline + 34,
    )


@never_cache
@require_GET
@supervisor_required
@reads_from_replica
def supervisor_dashboard(request: HttpRequest) -> HttpResponse:
    kind = requested_kind(request)
    # The first kind is the queue's default: its links stay as they always were.
    kind_param = {} if kind == case_kind(None) else {"kind": kind.code}
    summary = dashboard_summary(kind=kind)
    statuses = [
        {
            "status": row.status,
            "label": row.label,
            "count": row.count,
            "url": _queue_url(**kind_param, status=row.status),
        }
        for row in summary.statuses
    ]
    rate_30, rate_90 = summary.decisions.approval_rate_30, summary.decisions.approval_rate_90
    context = {
        "kind": kind,
        "kinds": case_kinds(),
        "summary": summary,
        "statuses": statuses,
        "breaches": summary.breaches,
        "decisions": summary.decisions,
        "approval_percent_30": None if rate_30 is None else rate_30 * 100,
        "approval_percent_90": None if rate_90 is None else rate_90 * 100,
        "weeks": summary.weeks,
        "chart": decisions_chart(summary.weeks),
        "officer_loads": summary.officers,
        "overdue_url": _queue_url(overdue="true"),
        "waiting_url": _queue_url(waiting_visit="true"),
        "unassigned_url": _queue_url(assignee="unassigned"),
    }
    return render(request, "officers/dashboard.html", context)


# --- the CSV export --------------------------------------------------------------------------


def _export_lines(
    cases: Iterable[Any], *, today: date, header: list[str], cells: Callable[[Any, date], list[Any]]
) -> Iterator[str]:
    """The CSV, line by line, starting with a UTF-8 byte-order mark for spreadsheets."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for case in cases:
        yield writer.writerow([csv_safe(cell) for cell in cells(case, today)])


@never_cache
@require_GET
@officer_required
@reads_from_replica
def queue_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The queue as the officer sees it (same query string, same filters, same order) as CSV.

    Passport numbers and FINs are exported masked only (``C•••••432``): a file leaves the
    portal, and nothing records who opens it.
    """
    kind = requested_kind(request)
    spec = kind.queue
    filterset = spec.filtered(params=request.GET, officer=request.user)
    queryset = spec.sorted(filterset.qs, request.GET.get("sort"))
    today = timezone.localdate()
    # Translated now, in the request's language: the lines are produced after the view returns.
    header, cells = spec.csv_columns()
    # The filter names only: a search term may be a name or a passport number.
    logger.info(
        "Queue exported as CSV by user %s (filters: %s)", request.user.pk, sorted(request.GET)
    )
    response = StreamingHttpResponse(
        _export_lines(
            queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE),
            today=today,
            header=header,
            cells=cells,
        ),
        content_type="text/csv; charset=utf-8",
    )
    # The first kind's file keeps the name it always had.
    name = "queue" if kind == case_kind(None) else f"queue-{kind.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}-{today.isoformat()}.csv"'
    return response
