"""The officer queue: which applications, in which order, with which flags.

Every filter lives in the query string, so a view of the queue can be bookmarked and shared, and
the CSV export uses exactly the same filtered queryset as the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import django_filters
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
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
from applications.search import fold

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


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in QUEUE_STATUSES], label=_("Status")
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    university = django_filters.ModelChoiceFilter(
        queryset=University.objects.all(), label=_("University")
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(), label=_("Province")
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
        # Every word must match somewhere: "celik ay" finds "Ayşe Çelik".
        for word in term.split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset

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


def queue_base() -> QuerySet[Application]:
    today = timezone.localdate()
    return (
        Application.objects.exclude(status=Status.DRAFT)
        .select_related("university", "province", "assignee")
        .annotate(
            info_overdue=Exists(
                InfoRequest.objects.filter(
                    application=OuterRef("pk"),
                    state=InfoRequest.State.OPEN,
                    due_date__lt=today,
                )
            )
        )
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
    rows = queryset.order_by().values("status").annotate(n=Count("pk"))
    counts = {s.value: 0 for s in QUEUE_STATUSES}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


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
