"""The officer queue: which applications, in which order, with which flags.

Every filter lives in the query string, so a view of the queue can be bookmarked and shared, and
the CSV export uses exactly the same filtered queryset as the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

import django_filters
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import STAFF_GROUPS
from applications.models import (
    OPEN_STATUSES,
    Application,
    InfoRequest,
    Level,
    Province,
    Status,
    University,
)
from applications.search import fold, identifier_match

# Officers never see drafts: they are the student's private work in progress.
QUEUE_STATUSES = [s for s in Status if s != Status.DRAFT]
LEGAL_DECISION_DAYS = 90  # LFIP Art. 21(5)

SORTS = {
    "submitted": ("submitted_at", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "name": ("surname", "given_names", "pk"),
    "-name": ("-surname", "-given_names", "-pk"),
    "status": ("status", "submitted_at", "pk"),
}
DEFAULT_SORT = "submitted"


def sla_target_days() -> int:
    return settings.OFFICER_SLA_TARGET_DAYS


def officers() -> QuerySet[User]:
    return (
        User.objects.filter(groups__name__in=STAFF_GROUPS, is_active=True)
        .distinct()
        .order_by("email")
    )


class QuickSelect(forms.Select):
    """A ``<select>`` written directly in Python rather than through Django's widget templates.

    Django renders every ``<option>`` through a template and a dict of attributes; for the 200
    universities and 81 provinces of the queue's filter form that was a fifth of the page's
    time (BENCHMARKS.md). The HTML is what Django's templates give for a plain select (the
    attributes through ``flatatt``, every value and label escaped); no option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in self.choices:
            option = "" if option_value is None else str(option_value)
            mark = " selected" if option in selected else ""
            parts.append(f'<option value="{escape(option)}"{mark}>{escape(str(label))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (all escaped above) # nosec B308 B703


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in QUEUE_STATUSES],
        label=_("Status"),
        method="filter_status",
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    university = django_filters.ModelChoiceFilter(
        queryset=University.objects.only("name"), label=_("University"), widget=QuickSelect
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.only("name"), label=_("Province"), widget=QuickSelect
    )
    assignee = django_filters.ChoiceFilter(
        choices=[("me", _("Me")), ("unassigned", _("Unassigned"))],
        method="filter_assignee",
        label=_("Assigned to"),
        empty_label=_("Anyone"),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Past the internal target"),
        widget=django_filters.widgets.BooleanWidget,
    )
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("Submitted from")
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("Submitted until")
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def __init__(self, *args, officer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.officer = officer
        for field in ("submitted_from", "submitted_to"):
            self.form.fields[field].widget.input_type = "date"

    def search(self, queryset, name, value):
        term = fold(value)
        if not term:
            return queryset
        # Every word must match somewhere in the reference or the name: "celik ay" finds
        # "Ayşe Çelik". A passport number or FIN is found only whole (it is encrypted).
        by_words = Q()
        for word in term.split():
            by_words &= Q(search_text__contains=word)
        return queryset.filter(by_words | identifier_match(value))

    def filter_status(self, queryset, name, value):
        # One ``status IN (...)``, which the queue's partial index matches. django-filter's own
        # multiple-choice filter ORs one condition per value and adds DISTINCT (meant for joins
        # to many rows), which turns every page and count into a sort of all matching rows.
        return queryset.filter(status__in=value) if value else queryset

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.officer)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        cutoff = timezone.now() - timedelta(days=sla_target_days())
        overdue = Q(status__in=OPEN_STATUSES, submitted_at__lt=cutoff)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


def info_overdue() -> Exists:
    """Whether the application has an open information request past its due date."""
    return Exists(
        InfoRequest.objects.filter(
            application=OuterRef("pk"),
            state=InfoRequest.State.OPEN,
            due_date__lt=timezone.localdate(),
        )
    )


def queue_base() -> QuerySet[Application]:
    return (
        Application.objects.exclude(status=Status.DRAFT)
        .select_related("university", "province", "assignee")
        .annotate(info_overdue=info_overdue())
    )


def queue_filtered(*, params, officer: User) -> QueueFilter:
    """The filter with its queryset; without a status filter, only open work is shown."""
    data = params.copy()
    if not data.getlist("status"):
        data.setlist("status", [s.value for s in OPEN_STATUSES])
    return QueueFilter(data, queryset=queue_base(), officer=officer)


def queue_sorted(queryset: QuerySet[Application], sort: str | None) -> QuerySet[Application]:
    return queryset.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


def status_counts(queryset: QuerySet[Application]) -> dict[str, int]:
    # COUNT(*), not COUNT(id): a count of rows can be answered from an index on status alone.
    rows = queryset.order_by().values("status").annotate(n=Count("*"))
    counts = {s.value: 0 for s in QUEUE_STATUSES}
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


def status_tab_counts(queryset: QuerySet[Application]) -> dict[str, int]:
    """The queue's status tabs in one query: exact for open statuses, capped for the others.

    Each closed status is read through the (status, submitted_at) index and stops after
    ``TAB_COUNT_CAP`` + 1 rows, so the cost does not grow with the history.
    """
    rows = queryset.order_by().values_list("status")
    parts = [rows.filter(status__in=OPEN_STATUSES)] + [
        rows.filter(status=status)[: TAB_COUNT_CAP + 1]
        for status in QUEUE_STATUSES
        if status not in OPEN_STATUSES
    ]
    # The ORM writes each part (values stay parameters); it cannot group a sliced subquery.
    selects, params = [], []
    for number, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT status, COUNT(*) FROM ({sql}) AS part{number} GROUP BY status")  # noqa: S608 # nosec B608
        params.extend(part_params)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        found = dict(cursor.fetchall())
    counts = {s.value: 0 for s in QUEUE_STATUSES}
    for status, n in found.items():
        capped = status not in OPEN_STATUSES and n > TAB_COUNT_CAP
        counts[status] = AtLeast(TAB_COUNT_CAP) if capped else n
    return counts


class QueuePaginator(Paginator):
    """Pages found by their keys first, then read whole ("deferred join").

    ``OFFSET 9950 LIMIT 50`` over full rows makes PostgreSQL build every skipped row, subqueries
    included; asking first for the 50 primary keys in the same order reads only index entries
    (the queue's partial index covers the default order), then 50 rows are read. Page 200 went
    from about 200 ms to a few (BENCHMARKS.md).
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


def listed_count(filtered: QueueFilter, counts: dict[str, int]) -> int | None:
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


@dataclass(frozen=True)
class Row:
    """One queue line with what an officer must see at a glance."""

    application: Application
    age_days: int | None
    sla: str  # "ok" | "target" (past the internal target) | "legal" (past 90 days) | "done"
    passport_too_short: bool
    info_overdue: bool
    legal_stay_exceeded: bool


def queue_row(application: Application, *, today: date) -> Row:
    outcome = application.eligibility_outcome or {}
    age = (
        (today - timezone.localdate(application.submitted_at)).days
        if application.submitted_at
        else None
    )
    if application.status not in OPEN_STATUSES or age is None:
        sla = "done"
    elif age > LEGAL_DECISION_DAYS:
        sla = "legal"
    elif age > sla_target_days():
        sla = "target"
    else:
        sla = "ok"
    return Row(
        application=application,
        age_days=age,
        sla=sla,
        passport_too_short=outcome.get("passport_ok") is False,
        info_overdue=bool(getattr(application, "info_overdue", False)),
        legal_stay_exceeded=any(
            w.get("code") == "legal_stay_exceeded" for w in outcome.get("warnings", [])
        ),
    )
