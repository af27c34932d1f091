"""What the officers' list of every kind of case shares: status tabs, pages and counts.

Each kind supplies its own filters, sorts and columns (``CaseKind.queue``, e.g.
``applications.queue``); the counting and paging here are written once for all of them, and
tuned for tables of hundreds of thousands of rows (BENCHMARKS.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django_filters import FilterSet

from accounts.models import User
from accounts.roles import STAFF_GROUPS
from cases.registry import CaseKind, case_kind

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
# slower every year. Open work is always counted exactly.
TAB_COUNT_CAP = 1000


class AtLeast(int):
    """A count that stopped at its cap; shown as "1000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


def status_tab_counts(queryset: QuerySet[Any], *, kind: CaseKind) -> dict[str, int]:
    """The queue's status tabs in one query: exact for open statuses, capped for the others.

    Each closed status is read through the (status, submitted_at) index and stops after
    ``TAB_COUNT_CAP`` + 1 rows, so the cost does not grow with the history.
    """
    rows = queryset.order_by().values_list("status")
    parts = [rows.filter(status__in=kind.open_statuses)] + [
        rows.filter(status=status)[: TAB_COUNT_CAP + 1]
        for status in kind.queue_statuses
        if status not in kind.open_statuses
    ]
    # The ORM writes each part (values stay parameters); it cannot group a sliced subquery.
    selects: list[str] = []
    params: list[Any] = []
    for number, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT status, COUNT(*) FROM ({sql}) AS part{number} GROUP BY status")  # noqa: S608 # nosec B608
        params.extend(part_params)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        found = dict(cursor.fetchall())
    counts = dict.fromkeys(kind.queue_statuses, 0)
    for status, n in found.items():
        capped = status not in kind.open_statuses and n > TAB_COUNT_CAP
        counts[status] = AtLeast(TAB_COUNT_CAP) if capped else n
    return counts


class QueuePaginator(_Paginator):
    """Pages found by their keys first, then read whole ("deferred join").

    ``OFFSET 9950 LIMIT 50`` over full rows makes PostgreSQL build every skipped row, subqueries
    included; asking first for the 50 primary keys in the same order reads only index entries
    (the queue's partial index covers the default order), then 50 rows are read. Page 200 went
    from about 200 ms to a few (BENCHMARKS.md).
    """

    # Always a queryset here: the keys of a page are read through it first.
    object_list: QuerySet[Any]

    def page(self, number: int | str) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        # Django's hook for the Page class; the stubs do not declare it.
        page: Page[Any] = self._get_page(  # type: ignore[attr-defined]
            self.object_list.filter(pk__in=keys), number, self
        )
        return page


def listed_count(filtered: FilterSet, counts: dict[str, int]) -> int | None:
    """How many applications the filtered queue lists, read off its tab counts.

    The tabs count with every filter but the status one, so the listed statuses' tabs add up
    to the list's length, unless one of them was capped (then None: count the list itself).
    """
    if not filtered.is_valid():
        return None
    statuses = set(filtered.form.cleaned_data.get("status") or ())
    if not statuses or any(
        status not in counts or isinstance(counts[status], AtLeast) for status in statuses
    ):
        return None
    return sum(counts[status] for status in statuses)


def requested_kind(request: HttpRequest) -> CaseKind:
    """The kind of case a page of the officers' side shows: ``?kind=``, else the first one."""
    try:
        return case_kind(request.GET.get("kind"))
    except LookupError as exc:
        raise Http404(_("No such kind of case.")) from exc
