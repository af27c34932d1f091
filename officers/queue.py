"""What the officers' list of every kind of case shares: status tabs, pages and counts.

Each kind supplies its own filters, sorts and columns (``CaseKind.queue``, e.g.
``applications.queue``); the counting and paging here are written once for all of them, and
tuned for tables of hundreds of thousands of rows (BENCHMARKS.md).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_filters import FilterSet

from accounts.models import User
from accounts.roles import STAFF_GROUPS
from cases.registry import CaseKind, QueueSpec, case_kind

if TYPE_CHECKING:
    # Paginator is not subscriptable at run time; the stubs need the type of what it pages.
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


def officers() -> QuerySet[User]:
    return (
        User.objects.filter(groups__name__in=STAFF_GROUPS, is_active=True)
        .distinct()
        .order_by("email")
    )


def status_counts(queryset: QuerySet[Any], *, kind: CaseKind) -> dict[str, int]:
    # COUNT(*), not COUNT(id): a count of rows can be answered from an index on status alone.
    rows = queryset.order_by().values("status").annotate(n=Count("*"))
    counts = dict.fromkeys(kind.queue_statuses, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# The status tabs count decided and withdrawn applications only up to this many: those grow
# with every year of history, and counting all of them on every page view would make the queue
# slower every year.
TAB_COUNT_CAP = 1000
# Open work is counted exactly up to this many per status and estimated beyond it: at a
# million cases an exact count would read 220,000 index entries on every view of the queue
# (BENCHMARKS.md, "A million cases"). An officer needs the size of a backlog, not its last unit.
OPEN_COUNT_CAP = 2000


# A search's matches are counted whole up to this many (``status_tab_counts``).
SEARCH_COUNT_CAP = 5000


class AtLeast(int):
    """A count that stopped at its cap; shown as "1000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class About(int):
    """A count estimated from PostgreSQL's statistics, past ``OPEN_COUNT_CAP``; shown rounded
    to two significant digits as "about 22,000"."""

    def __str__(self) -> str:
        shown = round(int(self), 2 - len(str(int(self))))
        return _("about %(count)s") % {"count": number_format(shown, force_grouping=True)}


def estimated_counts(parts: list[QuerySet[Any]]) -> list[int] | None:
    """The planner's estimate of the rows of each queryset: one EXPLAIN of them all (as one
    ``UNION ALL``, whose plan keeps an estimate per branch), no rows read.

    None where the database keeps no such statistics (SQLite in development).
    """
    connection = connections[parts[0].db]
    if connection.vendor != "postgresql":
        return None
    selects: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = part.order_by().values("pk").query.sql_with_params()
        selects.append(f"({sql})")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {' UNION ALL '.join(selects)}", params)  # nosec B608 (the ORM's SQL)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    branches = top.get("Plans", []) if top["Node Type"] == "Append" else [top]
    if len(branches) != len(parts):
        return None
    return [int(branch["Plan Rows"]) for branch in branches]


def status_tab_counts(
    queryset: QuerySet[Any], *, kind: CaseKind, searching: bool = False
) -> dict[str, int]:
    """The queue's status tabs, each status counted up to its cap: one query, and one more
    when an open status went past its cap.

    Each status is read through the (kind, status, submitted_at) index and stops after its
    cap + 1 rows, so the cost does not grow with the table. A closed status past its cap shows
    "1000+"; an open one past ``OPEN_COUNT_CAP`` is estimated ("about 22,000"), all of them
    in one EXPLAIN.

    ``searching``: the rows are a search's matches, found through the trigram index, whose
    scan each per-status part would repeat; they are counted in one pass instead, exactly,
    while there are at most ``SEARCH_COUNT_CAP`` of them (else as above).
    """
    counts = dict.fromkeys(kind.queue_statuses, 0)
    if queryset.query.is_empty():  # a filter that cannot match (the form was invalid)
        return counts
    if searching:
        found = _counted_in_one_pass(queryset, limit=SEARCH_COUNT_CAP)
        if found is not None:
            counts.update({status: n for status, n in found.items() if status in counts})
            return counts
    rows = queryset.order_by().values_list("status")
    caps = {
        status: OPEN_COUNT_CAP if status in kind.open_statuses else TAB_COUNT_CAP
        for status in kind.queue_statuses
    }
    found = _counted_by_status([rows.filter(status=s)[: cap + 1] for s, cap in caps.items()])
    estimate = []
    for status, n in found.items():
        if n <= caps[status]:
            counts[status] = n
        elif status in kind.open_statuses:
            estimate.append(status)
        else:
            counts[status] = AtLeast(caps[status])
    if estimate:
        parts = [queryset.filter(status=status) for status in estimate]
        estimates = estimated_counts(parts)
        for position, status in enumerate(estimate):
            if estimates is None:  # no estimate to read (SQLite, or another plan): count
                counts[status] = parts[position].count()
                continue
            # Never below what was counted: the statistics may be older than the rows.
            counts[status] = About(max(estimates[position], caps[status] + 1))
    return counts


def _counted_in_one_pass(queryset: QuerySet[Any], *, limit: int) -> dict[str, int] | None:
    """Each status's rows, from one read of at most ``limit`` + 1 rows; None if there are
    more than ``limit``."""
    found = _counted_by_status([queryset.order_by().values_list("status")[: limit + 1]])
    return found if sum(found.values()) <= limit else None


def _counted_by_status(parts: list[QuerySet[Any]]) -> dict[str, int]:
    """The rows of each part (a ``values_list("status")``, sliced or not) by status, in one
    statement: the ORM writes each part (values stay parameters) but cannot group a sliced
    subquery."""
    selects: list[str] = []
    params: list[Any] = []
    for number, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT status, COUNT(*) FROM ({sql}) AS part{number} GROUP BY status")  # noqa: S608 # nosec B608
        params.extend(part_params)
    with connections[parts[0].db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return dict(cursor.fetchall())


class EstimatedPage(Page):  # type: ignore[type-arg]
    """A page of a list whose length is an estimate: whether a next page exists is known from
    one row more than the page shows, not from the count."""

    def __init__(self, rows: list[Any], number: int, paginator: _Paginator, *, more: bool):
        super().__init__(rows, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        return self.number + 1

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self)


class QueuePaginator(_Paginator):
    """Pages found by their keys first, then read whole ("deferred join").

    ``OFFSET 9950 LIMIT 50`` over full rows makes PostgreSQL build every skipped row, subqueries
    included; asking first for the 50 primary keys in the same order reads only index entries
    (the queue's partial index covers the default order), then 50 rows are read. Page 200 went
    from about 200 ms to a few (BENCHMARKS.md). The keys are read as a query of their own: as
    a subquery, the planner sometimes joined them to every open case of the kind instead of
    looking 50 rows up by key (8 ms instead of 0.5 for the extensions' tab).

    When the count is an estimate (``About``), any page number is accepted and a page reads one
    row more than it shows to know whether another follows; the number of pages is "about".
    """

    # Always a queryset here: the keys of a page are read through it first.
    object_list: QuerySet[Any]

    @property
    def estimated(self) -> bool:
        return isinstance(self.count, About)

    @cached_property
    def num_pages(self) -> int:
        pages = super().num_pages
        return About(pages) if self.estimated else pages

    def validate_number(self, number: Any) -> int:
        if not self.estimated:
            return int(super().validate_number(number))
        try:
            wanted = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(_("That page number is not an integer")) from exc
        if wanted < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return wanted

    def get_page(self, number: Any) -> Page[Any]:
        if not self.estimated:
            return super().get_page(number)
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            # Past the real end (the estimate was high): an empty page that links back.
            return EstimatedPage([], max(int(number), 1), self, more=False)

    def page(self, number: int | str) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.estimated:
            keys = list(
                self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1]
            )
            rows = list(self.object_list.filter(pk__in=keys))
            if not rows and number > 1:
                raise EmptyPage(_("That page contains no results"))
            return EstimatedPage(
                rows[: self.per_page], number, self, more=len(rows) > self.per_page
            )
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        # Django's hook for the Page class; the stubs do not declare it.
        page: Page[Any] = self._get_page(  # type: ignore[attr-defined]
            self.object_list.filter(pk__in=keys), number, self
        )
        return page


def listed_cases(spec: QueueSpec, queryset: QuerySet[Any], sort: str | None) -> QuerySet[Any]:
    """The list in its order, reading only the columns it shows (``QueueSpec.list_fields``)
    and joining only what it names from the rows (``QueueSpec.list_related``)."""
    cases: QuerySet[Any] = spec.sorted(queryset, sort)
    if spec.list_related is not None:
        cases = cases.select_related(None)
        if spec.list_related:
            cases = cases.select_related(*spec.list_related)
    return cases.only(*spec.list_fields) if spec.list_fields else cases


def listed_count(filtered: FilterSet, counts: dict[str, int]) -> int | None:
    """How many applications the filtered queue lists, read off its tab counts.

    The tabs count with every filter but the status one, so the listed statuses' tabs add up
    to the list's length; an estimate if one of them is. None (count the list itself) if one
    of them stopped at its cap without an estimate.
    """
    if not filtered.is_valid():
        return None
    statuses = set(filtered.form.cleaned_data.get("status") or ())
    if not statuses or any(
        status not in counts or isinstance(counts[status], AtLeast) for status in statuses
    ):
        return None
    total = sum(counts[status] for status in statuses)
    estimated = any(isinstance(counts[status], About) for status in statuses)
    return About(total) if estimated else total


def requested_kind(request: HttpRequest) -> CaseKind:
    """The kind of case a page of the officers' side shows: ``?kind=``, else the first one."""
    try:
        return case_kind(request.GET.get("kind"))
    except LookupError as exc:
        raise Http404(_("No such kind of case.")) from exc
