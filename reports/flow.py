"""A report as a kind of case: its table of transitions on the shared engine.

``services.py`` is the only caller; it locks, checks and moves a report through the helpers
here, and so through ``cases.engine``, the one place that assigns ``status``.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy

from cases import engine

from .models import Report, ReportEvent, ReportStatus
from .notices import notify_report_change

S = ReportStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.INFO_REQUESTED, S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
    S.INFO_REQUESTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
    S.ACCEPTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def _notify(report: Report, event: models.Model) -> None:
    notify_report_change(report=report, event=cast(ReportEvent, event))


FLOW = engine.Flow(
    model=Report,
    transitions=TRANSITIONS,
    status_label=lambda status: str(ReportStatus(status).label),
    record_event=engine.event_recorder(ReportEvent, "report"),
    notify=_notify,
    stale_message=gettext_lazy(
        "This report was changed by someone else meanwhile. "
        "Nothing was saved; reload it to see the current state."
    ),
    not_allowed_message=gettext_lazy("A report that is “%(status)s” cannot become “%(target)s”."),
)


def lock(report_id: int) -> Report:
    return cast(Report, engine.lock(FLOW, report_id))


def move(
    report: Report,
    *,
    actor: Any,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: tuple[str, ...] = (),
) -> ReportEvent:
    event = engine.transition(
        FLOW, report, actor=actor, to_status=to_status, note=note, data=data, update=update
    )
    return cast(ReportEvent, event)
