"""The kinds of case the officers' side works on, each registered once by the app that owns it.

The queue, claim-next, the deadline tracking and the supervisor dashboard read this registry,
so a new kind of case (an extension, a change report) appears in all of them by registering
here, without a copy of their code. What differs between kinds — the filters and columns of
its list, what claiming it does — the kind supplies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise

from .engine import Flow


@dataclass(frozen=True)
class QueueSpec:
    """A kind's list in the officers' queue: what only that kind has."""

    # (params, officer) -> a django-filter FilterSet over the kind's rows, open work by
    # default, with ``tabs_qs`` for the status tabs (cases.queue_filters.StatusTabsMixin).
    filtered: Callable[..., Any]
    # (queryset, sort key or None) -> the queryset in the chosen order.
    sorted: Callable[[Any, str | None], Any]
    # (case, today=...) -> one line of the list, with its flags and deadline state.
    row: Callable[..., Any]
    # () -> (header, cells(case, today)) of the CSV export, translated in the request's language.
    csv_columns: Callable[[], tuple[list[str], Callable[..., list[Any]]]]
    sorts: tuple[str, ...]
    default_sort: str
    # The list's table: a template given ``rows`` (from ``row``), ``sort`` and ``sort_query``,
    # and ``rows_html`` when the kind writes its rows in Python (below).
    table_template: str
    page_size: int = 50
    # (rows) -> the table's body as safe HTML, for a kind whose rows are too many cells for
    # the template engine at 50 a page (cases.queue_cells); None: the template loops.
    rows_html: Callable[[list[Any]], Any] | None = None
    # The fields a page of the list reads (``QuerySet.only``): a case row is wide, and
    # converting columns the list never shows cost more than its SQL. Empty: every field.
    list_fields: tuple[str, ...] = ()
    # The relations a page of the list joins (``select_related``); None: the filter's own. A
    # kind that names its related rows from cached maps (``rows_html``) joins none: building
    # three related instances a row cost a tenth of the applications' page.
    list_related: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StudentSide:
    """What a kind shows the student outside its own pages: a panel on the dashboard and its
    part of the data export (a kind that shares the dashboard's own list needs neither)."""

    # (user) -> the student's cases of this kind, for the panel.
    cases: Callable[[Any], Any]
    # Rendered on the dashboard with ``cases``.
    panel_template: str
    # (user) -> (key in data.json, records, [(path in the archive, stored file)]).
    personal_data: Callable[[Any], tuple[str, list[dict[str, Any]], list[tuple[str, Any]]]]


@dataclass(frozen=True)
class CaseKind:
    """A kind of case. Its model has ``status``, ``version``, ``assignee`` (an officer or none),
    ``submitted_at`` and ``decided_at`` (and the ``clock_field`` the deadlines count from): what
    the queue, claim-next, the deadlines and the dashboard read."""

    code: str
    label: Promise
    flow: Flow
    # Submitted and not decided: what the time limits run on.
    open_statuses: tuple[str, ...]
    # What officers may list (never a student's draft).
    queue_statuses: tuple[str, ...]
    # The two decisions the dashboard counts: granted and refused.
    granted_status: str
    refused_status: str
    # What claim-next may hand out, when nobody has it.
    claimable_statuses: tuple[str, ...]
    # Claiming: take the locked case for the officer (and start its review where due).
    claim: Callable[[Any, Any], None]
    # The officer's page of one case: a URL name taking the case's pk.
    review_url_name: str
    # The kind's list for officers: its filters, sorts and columns (see officers.queue).
    queue: QueueSpec
    # Every case of this kind (a kind may share a table with another, or hold some cases back
    # from the officers, e.g. while a university pre-checks them); the model's rows by default.
    cases: Callable[[], QuerySet[Any]] | None = None
    # Whether a row of the model is of this kind (when kinds share a table); any row by default.
    owns: Callable[[Any], bool] | None = None
    student: StudentSide | None = None
    # The moment the legal time limit starts (a DateTimeField of the model, empty while the
    # clock has not started): submission, or for applications the day they are complete.
    clock_field: str = "submitted_at"

    def all_cases(self) -> QuerySet[Any]:
        if self.cases is not None:
            return self.cases()
        return self.model._default_manager.all()

    @property
    def model(self) -> type[models.Model]:
        return self.flow.model

    @property
    def decided_statuses(self) -> tuple[str, str]:
        return (self.granted_status, self.refused_status)

    def status_label(self, status: str) -> str:
        return self.flow.status_label(status)


_KINDS: dict[str, CaseKind] = {}


def register(kind: CaseKind) -> CaseKind:
    """Called once per kind, from its app's ``ready()``; registering again replaces it."""
    _KINDS[kind.code] = kind
    return kind


def case_kinds() -> list[CaseKind]:
    """Every registered kind, in registration order (the order of INSTALLED_APPS)."""
    return list(_KINDS.values())


# What a part of the portal that is not a kind of case (appointments) shows students.
_SIDES: dict[str, StudentSide] = {}


def register_student_side(code: str, side: StudentSide) -> StudentSide:
    """From an app's ``ready()``: a dashboard panel and a part of the data export without a
    place in the officers' queue; registering the same code again replaces it."""
    _SIDES[code] = side
    return side


def student_sides() -> list[StudentSide]:
    """What the kinds (then the other parts) show students beyond the applications' own pages,
    in registration order."""
    return [kind.student for kind in _KINDS.values() if kind.student is not None] + list(
        _SIDES.values()
    )


def case_kind(code: str | None) -> CaseKind:
    """The kind by its code; the first registered one when no code is given.

    An unknown code raises ``LookupError`` (a view answers 404).
    """
    if not _KINDS:
        raise LookupError("No case kind is registered.")
    if not code:
        return next(iter(_KINDS.values()))
    return _KINDS[code]


def kind_of(case: models.Model) -> CaseKind:
    for kind in _KINDS.values():
        if isinstance(case, kind.model) and (kind.owns is None or kind.owns(case)):
            return kind
    raise LookupError(f"{type(case).__name__} is not a registered case kind.")
