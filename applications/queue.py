"""The application kind's list for officers: which applications, which filters and flags.

Every filter lives in the query string, so a view of the queue can be bookmarked and shared, and
the CSV export uses exactly the same filtered queryset as the page. What every kind's list
shares (status tabs, pages, counts) is ``officers.queue``; this module is what only applications
have: level, university and province, the name and identifier search, the passport flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.deadlines import age_days, sla_state, sla_target_days, started_before
from cases.queue_cells import labels
from cases.queue_filters import StatusTabsMixin
from core.search import fold, identifier_match
from core.widgets import QuickBooleanSelect, QuickSelect, QuickSelectMultiple
from rules.models import Level
from universities.choices import province_choices, university_choices
from universities.models import Province, University

from .models import OPEN_STATUSES, PRECHECK_STATUSES, Application, InfoRequest, Kind, Status

PAGE_SIZE = 50

# Officers never see drafts: they are the student's private work in progress; nor cases still
# with the university's document check: they have not reached the migration office yet.
QUEUE_STATUSES = [s for s in Status if s not in (Status.DRAFT, *PRECHECK_STATUSES)]

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

# What a line of the list shows (``queue_row``, ``queue_rows``), and the sorts' keys.
LIST_FIELDS = (
    "kind",
    "reference",
    "surname",
    "given_names",
    "passport_number",
    "fin",
    "level",
    "status",
    "submitted_at",
    "complete_at",
    "eligibility_outcome",
    # Their names come from cached maps (``page_names``), not from joins.
    "university",
    "province",
    "assignee",
)


# django-filter ships no type information, so mypy sees its base class as Any.
class QueueFilter(StatusTabsMixin, django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in QUEUE_STATUSES],
        label=_("Status"),
        method="filter_status",
        widget=QuickSelectMultiple,
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"), widget=QuickSelect)
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
        widget=QuickSelect,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Past the internal target"),
        widget=QuickBooleanSelect,
    )
    waiting_visit = django_filters.BooleanFilter(
        field_name="complete_at",
        lookup_expr="isnull",
        label=_("Waiting for the visit (the 90 days not started)"),
        widget=QuickBooleanSelect,
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

    def __init__(self, *args: Any, officer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer
        fields = self.form.fields
        for field in ("submitted_from", "submitted_to"):
            fields[field].widget.input_type = "date"
        # The lists from the cache; the querysets still check a chosen value.
        for field, choices in (("university", university_choices), ("province", province_choices)):
            fields[field].widget.choices = [("", fields[field].empty_label), *choices()]

    def search(
        self, queryset: QuerySet[Application], name: str, value: str
    ) -> QuerySet[Application]:
        term = fold(value)
        if not term:
            return queryset
        # Every word must match somewhere in the reference or the name: "celik ay" finds
        # "Ayşe Çelik". A passport number or FIN is found only whole (it is encrypted).
        by_words = Q()
        for word in term.split():
            by_words &= Q(search_text__contains=word)
        return queryset.filter(by_words | identifier_match(value))

    def filter_status(
        self, queryset: QuerySet[Application], name: str, value: list[str]
    ) -> QuerySet[Application]:
        # One ``status IN (...)``, which the queue's partial index matches. django-filter's own
        # multiple-choice filter ORs one condition per value and adds DISTINCT (meant for joins
        # to many rows), which turns every page and count into a sort of all matching rows.
        return queryset.filter(status__in=value) if value else queryset

    def filter_assignee(
        self, queryset: QuerySet[Application], name: str, value: str
    ) -> QuerySet[Application]:
        if value == "me":
            return queryset.filter(assignee=self.officer)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_overdue(
        self, queryset: QuerySet[Application], name: str, value: bool | None
    ) -> QuerySet[Application]:
        if value is None:
            return queryset
        cutoff = started_before(sla_target_days(), today=timezone.localdate())
        overdue = Q(status__in=OPEN_STATUSES, complete_at__lt=cutoff)
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


def queue_base(kind: str = Kind.FIRST) -> QuerySet[Application]:
    return (
        Application.objects.filter(kind=kind)
        .exclude(status=Status.DRAFT)
        .select_related("university", "province", "assignee")
        .annotate(info_overdue=info_overdue())
    )


def queue_filtered(*, params: QueryDict, officer: User, kind: str = Kind.FIRST) -> QueueFilter:
    """The filter with its queryset; without a status filter, only open work is shown."""
    data = params.copy()
    if not data.getlist("status"):
        data.setlist("status", [s.value for s in OPEN_STATUSES])
    filtered = QueueFilter(data, queryset=queue_base(kind), officer=officer)
    filtered.tabs_queryset = Application.objects.filter(kind=kind)
    return filtered


def extensions_filtered(*, params: QueryDict, officer: User) -> QueueFilter:
    """The extension applications' list: the same filters over the other kind."""
    return queue_filtered(params=params, officer=officer, kind=Kind.EXTENSION)


def queue_sorted(queryset: QuerySet[Application], sort: str | None) -> QuerySet[Application]:
    return queryset.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


@dataclass(frozen=True)
class PageNames:
    """What a page of the list names by id: universities, provinces, the officers assigned."""

    universities: dict[int, str]
    provinces: dict[int, str]
    officers: dict[int, str]


def page_names(applications: list[Application]) -> PageNames:
    """The cached university and province names (a row added since they were cached, by an
    import that sends no signal, is read here rather than shown blank) and the assigned
    officers' addresses: at most three small queries instead of three joins and 150 model
    instances a page."""
    universities = _with_missing(
        dict(university_choices()), {a.university_id for a in applications}, University
    )
    provinces = _with_missing(
        dict(province_choices()), {a.province_id for a in applications}, Province
    )
    assigned = {a.assignee_id for a in applications if a.assignee_id is not None}
    officers = (
        dict(User.objects.filter(pk__in=assigned).values_list("pk", "email")) if assigned else {}
    )
    return PageNames(universities=universities, provinces=provinces, officers=officers)


def _with_missing(
    names: dict[int, str], wanted: set[int | None], model: type[University] | type[Province]
) -> dict[int, str]:
    missing = {pk for pk in wanted if pk is not None and pk not in names}
    if missing:
        names |= dict(model.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


@dataclass(frozen=True)
class Row:
    """One queue line with what an officer must see at a glance."""

    application: Application
    status_label: str
    level_label: str
    age_days: int | None
    # "ok" | "target" (past the internal target) | "legal" (past 90 days) | "waiting" (for the
    # visit: not complete, the 90 days not started) | "done"
    sla: str
    passport_too_short: bool
    info_overdue: bool
    legal_stay_exceeded: bool


def queue_row(application: Application, *, today: date) -> Row:
    outcome = application.eligibility_outcome or {}
    age = age_days(application.complete_at, today=today)
    sla = sla_state(is_open=application.status in OPEN_STATUSES, age=age)
    return Row(
        application=application,
        status_label=labels(Status).get(application.status, application.status),
        level_label=labels(Level).get(application.level, application.level),
        age_days=age,
        sla=sla,
        passport_too_short=outcome.get("passport_ok") is False,
        info_overdue=bool(getattr(application, "info_overdue", False)),
        legal_stay_exceeded=any(
            w.get("code") == "legal_stay_exceeded" for w in outcome.get("warnings", [])
        ),
    )
