"""What every kind's queue filter (a django-filter FilterSet) shares: the status tabs' rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet


class StatusTabsMixin:
    """A queue FilterSet's rows for its status tabs: every filter but the status one.

    The tabs show how many each status would list with the other filters as they are; they
    are counted over ``tabs_queryset`` (the kind's rows of every status, without the list's
    joins), each tab adding its own status condition. The validated form is reused, so the
    filters are cleaned once per page (a second FilterSet cost as much again).
    """

    # Set by the kind's factory; a FilterSet without one counts over its own queryset.
    tabs_queryset: QuerySet[Any] | None = None

    if TYPE_CHECKING:
        # django_filters.FilterSet's, which the kinds' filters also derive from.
        form: Any
        filters: dict[str, Any]
        queryset: QuerySet[Any]

        def is_valid(self) -> bool: ...

    # The filter that searches, whose matches the tabs count in one pass (officers.queue).
    search_field = "q"

    @property
    def searching(self) -> bool:
        return self.is_valid() and bool(self.form.cleaned_data.get(self.search_field))

    @property
    def tabs_qs(self) -> QuerySet[Any]:
        queryset = self.queryset if self.tabs_queryset is None else self.tabs_queryset
        if not self.is_valid():
            return queryset.none()
        for name, value in self.form.cleaned_data.items():
            if name != "status":
                queryset = self.filters[name].filter(queryset, value)
        return queryset
