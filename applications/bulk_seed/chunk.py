"""One chunk of applications with all their related rows, made in memory for the writer."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Profile, User
from applications.models import Application, ApplicationEvent, InfoRequest, Status
from applications.references import format_reference
from documents.models import Document
from notifications.models import Notification
from permits.models import Permit

from .application_rows import derive_saved_fields, new_application
from .context import SeedContext
from .copy_writer import Table, allocate_ids
from .document_rows import add_document_rows
from .history import Event, history
from .notice_rows import add_notice_row
from .status_plan import FINAL, RETURNING_STUDENT_SHARE
from .students import Student, add_student_rows, new_student


def _email_model():
    from allauth.account.models import EmailAddress

    return EmailAddress


def make_tables() -> dict[str, Table]:
    """The tables a run writes to, in the order they are written (parents before children)."""
    return {
        "user": Table(User, with_pk=True),
        "email": Table(_email_model(), with_pk=False),
        "profile": Table(Profile, with_pk=False),
        "application": Table(Application, with_pk=True),
        "info_request": Table(InfoRequest, with_pk=True),
        "permit": Table(Permit, with_pk=False),
        "event": Table(ApplicationEvent, with_pk=True),
        "document": Table(Document, with_pk=False),
        "notification": Table(Notification, with_pk=False),
    }


def add_chunk_rows(ctx: SeedContext, statuses: list[str], t: dict[str, Table]) -> None:
    """Make the rows of one chunk of applications (written by the caller)."""
    rng = ctx.rng
    # Who applies: an active application always belongs to a student with no other active
    # one; a decided or withdrawn one may belong to a student who applied before. Unused
    # reserved user ids leave gaps in the sequence, as rolled-back inserts do.
    user_ids = iter(allocate_ids(User, len(statuses)))
    owners: list[Student] = []
    new_students: list[Student] = []
    for status in statuses:
        if status in FINAL and ctx.students and rng.random() < RETURNING_STUDENT_SHARE:
            owners.append(rng.choice(ctx.students))
        else:
            ctx.next_number += 1
            student = new_student(rng, pk=next(user_ids), number=ctx.next_number, today=ctx.today)
            ctx.students.append(student)
            owners.append(student)
            new_students.append(student)
    app_ids = allocate_ids(Application, len(statuses))
    apps = [
        new_application(ctx, app_id, status, owner)
        for app_id, status, owner in zip(app_ids, statuses, owners, strict=True)
    ]
    # New students signed up shortly before their first application.
    for app, owner in zip(apps, owners, strict=True):
        joined = app["created_at"] - timedelta(days=rng.randint(0, 20), minutes=rng.randint(5, 600))
        if owner.joined is None or joined < owner.joined:
            owner.joined = joined
    for student in new_students:
        add_student_rows(t, student, password=ctx.password)
    # References in submission order within each year, numbered on from the counters.
    references = ctx.references
    submitted = sorted(
        (a for a in apps if a["submitted_at"] is not None), key=lambda a: a["submitted_at"]
    )
    for app in submitted:
        year = timezone.localtime(app["submitted_at"], ctx.tz).year
        references[year] = references.get(year, 0) + 1
        app["reference"] = format_reference(year=year, number=references[year])
    asking = sum(1 for a in apps if a["status"] == Status.INFO_REQUESTED)
    info_ids = iter(allocate_ids(InfoRequest, asking))
    all_events: list[tuple[dict, Student, Event]] = []
    for app, owner in zip(apps, owners, strict=True):
        info_id = next(info_ids) if app["status"] == Status.INFO_REQUESTED else None
        events = history(ctx, app, owner, t, info_id)
        all_events.extend((app, owner, event) for event in events)
        add_document_rows(ctx, app, owner, t)
        derive_saved_fields(app)
        # Every status change bumps the version, as workflow._move does.
        app["version"] = 1 + sum(1 for e in events if e.to_status)
        t["application"].add(**{k: v for k, v in app.items() if not k.startswith("_")})
    event_ids = allocate_ids(ApplicationEvent, len(all_events))
    for event_id, (app, owner, event) in zip(event_ids, all_events, strict=True):
        t["event"].add(
            id=event_id,
            application_id=app["id"],
            kind=event.kind,
            actor_id=event.actor_id,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            data=event.data,
            created_at=event.at,
        )
        add_notice_row(ctx, event_id, app, owner, event, t)
