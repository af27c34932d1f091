"""The history of each application: its events from creation to the current status, and the rows
those steps made on the way (the information request, the permit).

The steps are the workflow's: submitted, review started by an officer (and viewed), then an
information request, a decision or a withdrawal, each dated after the one before and never in the
future.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from applications.models import ApplicationEvent, InfoRequest, Status

from .reference_data import INFO_MESSAGES, REJECT_REASONS, VERIFICATION_ALPHABET, WITHDRAW_NOTES

if TYPE_CHECKING:
    from .context import SeedContext
    from .copy_writer import Table
    from .students import Student


@dataclass
class Event:
    kind: str
    at: datetime
    actor_id: int | None
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)


def history(
    ctx: SeedContext, app: dict[str, Any], s: Student, t: dict[str, Table], info_id: int | None
) -> list[Event]:
    """The events from creation to the current status, and the rows they made."""
    rng = ctx.rng
    status = app["status"]
    events = [Event(ApplicationEvent.Kind.CREATED, app["created_at"], s.pk)]
    if status == Status.DRAFT:
        return events
    submitted_at = app["submitted_at"]
    events.append(
        Event(
            ApplicationEvent.Kind.STATUS_CHANGED,
            submitted_at,
            s.pk,
            Status.DRAFT,
            Status.SUBMITTED,
            data={"reference": app["reference"], "policy_version": app["_version"].number},
        )
    )
    if status == Status.SUBMITTED:
        app["updated_at"] = submitted_at
        return events
    now = timezone.now()
    age = (now - submitted_at).days
    if status == Status.WITHDRAWN:
        reviewed = rng.random() < 0.4
        at = submitted_at + timedelta(days=rng.randint(1, max(1, min(age, 30))))
        from_status = Status.SUBMITTED
        if reviewed:
            officer = rng.choice(ctx.officer_ids)
            app["assignee_id"] = officer
            review_at = submitted_at + (at - submitted_at) / 2
            events.append(_review_started(review_at, officer))
            from_status = Status.UNDER_REVIEW
        events.append(
            Event(
                ApplicationEvent.Kind.STATUS_CHANGED,
                at,
                s.pk,
                from_status,
                Status.WITHDRAWN,
                note=rng.choice(WITHDRAW_NOTES),
            )
        )
        app["updated_at"] = at
        return events
    officer = rng.choice(ctx.officer_ids)
    app["assignee_id"] = officer
    review_at = submitted_at + timedelta(
        days=rng.randint(0, max(0, min(age - 1, 25))), hours=rng.randint(1, 6)
    )
    review_at = min(review_at, now - timedelta(hours=1))
    events.append(_review_started(review_at, officer))
    events.append(Event(ApplicationEvent.Kind.VIEWED, review_at + timedelta(minutes=2), officer))
    last = review_at + timedelta(minutes=2)
    if status == Status.UNDER_REVIEW:
        app["updated_at"] = review_at
        return events
    if status == Status.INFO_REQUESTED:
        asked_at = review_at + timedelta(minutes=rng.randint(5, 90))
        # Mostly open for a while; a few are past their deadline.
        due = timezone.localdate(asked_at) + timedelta(days=30)
        t["info_request"].add(
            id=info_id,
            application_id=app["id"],
            requested_by_id=officer,
            document_kinds=["photo"],
            message=rng.choice(INFO_MESSAGES),
            due_date=due,
            state=InfoRequest.State.OPEN,
            created_at=asked_at,
        )
        events.append(
            Event(
                ApplicationEvent.Kind.STATUS_CHANGED,
                asked_at,
                officer,
                Status.UNDER_REVIEW,
                Status.INFO_REQUESTED,
                note=INFO_MESSAGES[0],
                data={"info_request": info_id, "due_date": due.isoformat()},
            )
        )
        app["updated_at"] = asked_at
        return events
    # Decided: within 3 to 80 days of submission, never in the future.
    decided_at = max(
        last + timedelta(hours=1),
        submitted_at + timedelta(days=rng.randint(3, 80), hours=rng.randint(0, 6)),
    )
    decided_at = min(decided_at, now - timedelta(hours=1))
    app["decided_at"] = decided_at
    app["updated_at"] = decided_at
    if status == Status.APPROVED:
        outcome = app["_outcome"]
        valid_from = timezone.localdate(decided_at)
        valid_to = outcome.permit_end
        if outcome.max_permit_end_by_passport is not None:
            valid_to = min(valid_to, outcome.max_permit_end_by_passport)
        valid_to = max(valid_to, valid_from + timedelta(days=180))
        number = f"IKM-{app['reference']}"
        t["permit"].add(
            application_id=app["id"],
            number=number,
            valid_from=valid_from,
            valid_to=valid_to,
            verification_code=_verification_code(ctx),
            issued_by_id=officer,
            issued_at=decided_at,
            letter="",
        )
        events.append(
            Event(
                ApplicationEvent.Kind.STATUS_CHANGED,
                decided_at,
                officer,
                Status.UNDER_REVIEW,
                Status.APPROVED,
                data={
                    "permit": number,
                    "valid_from": valid_from.isoformat(),
                    "valid_to": valid_to.isoformat(),
                },
            )
        )
    else:
        code, explanation = rng.choice(REJECT_REASONS)
        events.append(
            Event(
                ApplicationEvent.Kind.STATUS_CHANGED,
                decided_at,
                officer,
                Status.UNDER_REVIEW,
                Status.REJECTED,
                note=explanation,
                data={"reasons": [code]},
            )
        )
    return events


def _review_started(at: datetime, officer: int) -> Event:
    return Event(
        ApplicationEvent.Kind.STATUS_CHANGED,
        at,
        officer,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
    )


def _verification_code(ctx: SeedContext) -> str:
    """A permit verification code no other seeded permit has."""
    while True:
        code = "".join(ctx.rng.choice(VERIFICATION_ALPHABET) for _ in range(10))
        if code not in ctx.verification_codes:
            ctx.verification_codes.add(code)
            return code
