"""The transition engine every kind of case moves through.

A kind of case (a first application, an extension, a change report, a permit's own life)
describes itself once in a ``Flow``: its model, its table of allowed transitions, how it writes
its append-only event and which notices a change sends. The engine then does the same five
things for every kind, inside the caller's transaction: lock the row, check the version the
person saw (optimistic concurrency), check the transition against the kind's table, write the
event, and hand the change to the kind's notices (the outbox rows are written in the same
transaction, so a notice exists exactly when the change does). Nothing else assigns ``status``.

The engine knows no kind: kinds import it, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models
from django.utils.functional import Promise

from .errors import StaleVersion, TransitionNotAllowed

# The event kinds the engine itself writes; every kind's event table accepts them.
STATUS_CHANGED = "status_changed"
ASSIGNED = "assigned"
RELEASED = "released"


class Case(Protocol):
    """What the engine needs of a case row (the model's own fields)."""

    pk: Any
    status: str
    version: int
    assignee: Any

    @property
    def _meta(self) -> Any: ...

    def save(self, *args: Any, **kwargs: Any) -> None: ...


class RecordEvent(Protocol):
    # The case is passed by position, so each kind may name it as its own (``application``).
    def __call__(
        self,
        case: Any,
        /,
        *,
        kind: str,
        actor: Any,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> models.Model: ...


def event_recorder(event_model: type[models.Model], case_field: str) -> RecordEvent:
    """The usual ``record_event``: one row of ``event_model`` naming the case in ``case_field``."""

    def record(
        case: Any,
        /,
        *,
        kind: str,
        actor: Any,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> models.Model:
        return event_model._default_manager.create(
            **{case_field: case},
            kind=kind,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data or {},
        )

    return record


@dataclass(frozen=True)
class Flow:
    """One kind of case, as the engine sees it."""

    model: type[models.Model]
    transitions: Mapping[str, frozenset[str]]
    status_label: Callable[[str], str]
    record_event: RecordEvent
    # Called with (case, event) after every status change, in the same transaction.
    notify: Callable[[Any, models.Model], None]
    # "This application was changed by someone else meanwhile…" in the kind's own words.
    stale_message: Promise
    # "An application that is “%(status)s” cannot become “%(target)s”."
    not_allowed_message: Promise

    def allows(self, from_status: str, to_status: str) -> bool:
        return to_status in self.transitions.get(from_status, frozenset())


def lock(flow: Flow, pk: Any) -> Any:
    """The case row, locked until the end of the transaction (``SELECT … FOR UPDATE``; Django
    refuses it outside one)."""
    return flow.model._default_manager.select_for_update().get(pk=pk)


def check_version(flow: Flow, case: Case, *, expected_version: int) -> None:
    """Refuse a change made from a stale page."""
    if case.version != expected_version:
        raise StaleVersion(str(flow.stale_message))


def check_transition(flow: Flow, case: Case, *, to_status: str) -> None:
    if not flow.allows(case.status, to_status):
        raise TransitionNotAllowed(
            str(flow.not_allowed_message)
            % {"status": flow.status_label(case.status), "target": flow.status_label(to_status)}
        )


def check(flow: Flow, case: Case, *, to_status: str, expected_version: int) -> None:
    """The version first: a stale page is told so, whatever it asked for."""
    check_version(flow, case, expected_version=expected_version)
    check_transition(flow, case, to_status=to_status)


def _bump(case: Case, update: Iterable[str]) -> None:
    # The row is locked, so incrementing in Python cannot lose an update.
    case.version += 1
    fields = ["version", *update]
    # ``auto_now`` is applied only to the fields named in ``update_fields``.
    if any(f.name == "updated_at" for f in case._meta.concrete_fields):
        fields.append("updated_at")
    case.save(update_fields=fields)


def transition(
    flow: Flow,
    case: Case,
    *,
    actor: Any,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: Iterable[str] = (),
) -> models.Model:
    """Move a locked, checked case: new status, new version, the event, the notices.

    ``update`` names the other fields the caller changed on the row, saved with the status.
    The transition is checked again here, so no caller can skip the table.
    """
    check_transition(flow, case, to_status=to_status)
    from_status = case.status
    case.status = to_status
    _bump(case, ["status", *update])
    event = flow.record_event(
        case,
        kind=STATUS_CHANGED,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    flow.notify(case, event)
    return event


def assign(flow: Flow, case: Case, *, actor: Any, assignee: Any) -> models.Model:
    """Give a locked case to an officer (or back to the queue with ``None``); a new version."""
    case.assignee = assignee
    _bump(case, ["assignee"])
    return flow.record_event(
        case,
        kind=ASSIGNED if assignee else RELEASED,
        actor=actor,
        data={"assignee": assignee.email if assignee else None},
    )


def record(
    flow: Flow,
    case: Case,
    *,
    actor: Any,
    kind: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: Iterable[str] = (),
) -> models.Model:
    """A change to a locked case that is not a change of status (a permit shortened): a new
    version, saved with the fields named in ``update``, and its event."""
    _bump(case, update)
    return flow.record_event(case, kind=kind, actor=actor, note=note, data=data or {})
