"""The reports' list for officers: which reports, which filters and flags, which CSV columns.

What every kind's list shares (status tabs, pages, counts) is ``officers.queue``; this is what
only reports have: what changed, and whether it was reported late.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.deadlines import age_days, sla_state
from cases.queue_filters import StatusTabsMixin
from core.search import fold
from core.widgets import QuickBooleanSelect, QuickSelect, QuickSelectMultiple

from .models import OPEN_REPORT_STATUSES, Report, ReportStatus, ReportType

PAGE_SIZE = 50
QUEUE_STATUSES = tuple(s.value for s in ReportStatus)
SORTS = {
    "submitted": ("submitted_at", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "name": ("permit__application__surname", "permit__application__given_names", "pk"),
    "-name": ("-permit__application__surname", "-permit__application__given_names", "-pk"),
    "status": ("status", "submitted_at", "pk"),
}
DEFAULT_SORT = "submitted"

# What a line of the list shows (``report_row``, the table), and the sorts' keys: not the
# holder's whole application, whose encrypted identifiers would be decrypted for nothing.
LIST_FIELDS = (
    "reference",
    "type",
    "status",
    "late",
    "changed_on",
    "submitted_at",
    "permit__number",
    "permit__application__surname",
    "permit__application__given_names",
    "assignee__email",
)


class ReportFilter(StatusTabsMixin, django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=ReportStatus.choices,
        label=gettext_lazy("Status"),
        method="filter_status",
        widget=QuickSelectMultiple,
    )
    type = django_filters.ChoiceFilter(
        choices=ReportType.choices, label=gettext_lazy("What changed"), widget=QuickSelect
    )
    late = django_filters.BooleanFilter(
        label=gettext_lazy("Reported late"), widget=QuickBooleanSelect
    )
    assignee = django_filters.ChoiceFilter(
        choices=[("me", gettext_lazy("Me")), ("unassigned", gettext_lazy("Unassigned"))],
        method="filter_assignee",
        label=gettext_lazy("Assigned to"),
        empty_label=gettext_lazy("Anyone"),
        widget=QuickSelect,
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def __init__(self, *args: Any, officer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer

    def search(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        term = fold(value)
        if not term:
            return queryset
        by_words = Q()
        for word in term.split():
            by_words &= Q(permit__application__search_text__contains=word)
        return queryset.filter(by_words | Q(reference__iexact=value.strip()))

    def filter_status(
        self, queryset: QuerySet[Report], name: str, value: list[str]
    ) -> QuerySet[Report]:
        return queryset.filter(status__in=value) if value else queryset

    def filter_assignee(
        self, queryset: QuerySet[Report], name: str, value: str
    ) -> QuerySet[Report]:
        if value == "me":
            return queryset.filter(assignee=self.officer)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset


def reports_filtered(*, params: QueryDict, officer: User) -> ReportFilter:
    """The filter with its queryset; without a status filter, only open reports are shown."""
    data = params.copy()
    if not data.getlist("status"):
        data.setlist("status", list(OPEN_REPORT_STATUSES))
    queryset = Report.objects.select_related("permit__application", "assignee")
    filtered = ReportFilter(data, queryset=queryset, officer=officer)
    filtered.tabs_queryset = Report.objects.all()
    return filtered


def reports_sorted(queryset: QuerySet[Report], sort: str | None) -> QuerySet[Report]:
    return queryset.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


@dataclass(frozen=True)
class Row:
    report: Report
    age_days: int | None
    sla: str


def report_row(report: Report, *, today: date) -> Row:
    age = age_days(report.submitted_at, today=today)
    return Row(report=report, age_days=age, sla=sla_state(is_open=report.is_open, age=age))


def csv_columns() -> tuple[list[str], Callable[[Report, date], list[Any]]]:
    header = [
        _("Reference"),
        _("Surname"),
        _("Given names"),
        _("Permit number"),
        _("What changed"),
        _("Date of the change"),
        _("Report due by"),
        _("Reported late"),
        _("Submitted"),
        _("Age in days"),
        _("Status"),
        _("Assigned officer"),
    ]
    yes, no = _("Yes"), _("No")
    types = {t.value: str(t.label) for t in ReportType}
    statuses = {s.value: str(s.label) for s in ReportStatus}

    def cells(report: Report, today: date) -> list[Any]:
        row = report_row(report, today=today)
        holder = report.permit.application
        return [
            report.reference or "",
            holder.surname,
            holder.given_names,
            report.permit.number,
            types.get(report.type, report.type),
            report.changed_on.isoformat(),
            report.due_on.isoformat(),
            yes if report.late else no,
            timezone.localdate(report.submitted_at).isoformat(),
            "" if row.age_days is None else row.age_days,
            statuses.get(report.status, report.status),
            report.assignee.email if report.assignee else "",
        ]

    return header, cells
