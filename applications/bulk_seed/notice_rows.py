"""The notices the status changes sent at the time, already delivered (and mostly read)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from applications import notices as app_notices
from applications.models import ApplicationEvent, Status
from applications.notices import STATUS_NOTICES
from notifications.models import Notification

if TYPE_CHECKING:
    from .context import SeedContext
    from .copy_writer import Table
    from .history import Event
    from .students import Student


def add_notice_row(
    ctx: SeedContext,
    event_id: int,
    app: dict[str, Any],
    s: Student,
    event: Event,
    t: dict[str, Table],
) -> None:
    """The email a status change sent at the time (as ``notify_status_change`` does)."""
    if event.kind != ApplicationEvent.Kind.STATUS_CHANGED:
        return
    kind = STATUS_NOTICES.get((event.from_status, event.to_status))
    if kind is None and event.to_status == Status.WITHDRAWN:
        kind = app_notices.WITHDRAWN
    if kind is None:
        return
    sent_at = event.at + timedelta(seconds=ctx.rng.randint(2, 90))
    t["notification"].add(
        recipient_id=s.pk,
        to_email=s.email,
        # The generic "about" reference, as ``notify_user(about=application)`` sets it.
        about_type_id=ctx.application_type_id,
        about_id=app["id"],
        kind=kind,
        language=s.language,
        context={
            "reference": app["reference"] or "",
            "path": f"/applications/{app['id']}/",
            "date": timezone.localdate(event.at).isoformat(),
        },
        dedupe_key=f"event:{event_id}",
        state=Notification.State.SENT,
        attempts=1,
        next_attempt_at=event.at,
        created_at=event.at,
        sent_at=sent_at,
        # Most students have opened the bell since.
        read_at=sent_at + timedelta(hours=ctx.rng.randint(1, 72))
        if ctx.rng.random() < 0.85
        else None,
    )
