"""Extending a permit (uzatma, LFIP Art. 24): when it can be asked for, and starting one.

An extension is an application of its own kind: the same steps, documents, review and decisions
as a first application, prefilled from the permit it extends. Its new permit starts the day
after the current one ends — no gap, no overlap — and ends at the programme end, capped by the
passport as for a first permit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_staff_account
from cases.errors import NotPermitted, WorkflowError
from permits.models import GRANTED, Permit, PermitStatus
from rules.policies import NoPolicyInForce, policy_version_in_force

from .models import ACTIVE_STATUSES, Application, ApplicationEvent, Kind
from .sections import EXTENSION_SECTIONS

# What an extension copies from the application its permit came from: every answer its steps
# ask for, to confirm or correct now. Documents are uploaded again (they must be current).
CARRIED_OVER = tuple(name for section in EXTENSION_SECTIONS for name in section.fields)

NOT_YET, OPEN, ENDED, EXTENDED, PENDING = "not_yet", "open", "ended", "extended", "pending"
# Cancelled (LFIP Art. 40) or ended with the studies: never extended, whatever the dates say.
NO_LONGER_VALID = "no_longer_valid"


@dataclass(frozen=True)
class Window:
    """Where a permit stands for an extension on a given day."""

    state: str  # NOT_YET | OPEN | ENDED | EXTENDED | PENDING | NO_LONGER_VALID
    opens_on: date
    closes_on: date  # the permit's last day
    new_start: date  # the day after it
    # The extension in progress or granted, if any (its application's id).
    extension_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


def new_permit_start(permit: Permit) -> date:
    """No gap, no overlap: the extension's permit starts the day after ``permit`` ends."""
    return permit.valid_to + timedelta(days=1)


def _window_days(today: date) -> int:
    try:
        return policy_version_in_force(on=today).extension_window_days
    except NoPolicyInForce:
        return 0


def window_of(
    permit: Permit,
    *,
    today: date,
    days: int,
    successor_case_id: int | None,
    pending_id: int | None,
) -> Window:
    """The window from facts already read (no query): see ``extension_window``."""
    opens_on = permit.valid_to - timedelta(days=days)
    if permit.early_extension_from is not None:
        opens_on = min(opens_on, permit.early_extension_from)
    window = Window(
        state=OPEN,
        opens_on=opens_on,
        closes_on=permit.valid_to,
        new_start=new_permit_start(permit),
    )
    if permit.status != PermitStatus.VALID:
        return replace(window, state=NO_LONGER_VALID)
    if successor_case_id is not None:
        return replace(window, state=EXTENDED, extension_id=successor_case_id)
    if pending_id is not None:
        return replace(window, state=PENDING, extension_id=pending_id)
    if today > permit.valid_to:
        return replace(window, state=ENDED)
    if today < window.opens_on:
        return replace(window, state=NOT_YET)
    return window


def extension_window(permit: Permit, *, today: date | None = None) -> Window:
    """From ``extension_window_days`` before the permit ends until its last day.

    The window is counted with the policy in force today: a supervisor who changes it for a
    future date changes it for windows from that date on.
    """
    today = today or timezone.localdate()
    return window_of(
        permit,
        today=today,
        days=_window_days(today),
        successor_case_id=Permit.objects.filter(extends=permit)
        .values_list("application_id", flat=True)
        .first(),
        pending_id=open_extensions(permit).values_list("pk", flat=True).first(),
    )


def current_permit_windows(user: User, *, today: date | None = None) -> list[tuple[Permit, Window]]:
    """The student's permits that still stand, each with its window: one query however many."""
    today = today or timezone.localdate()
    days = _window_days(today)
    pending = open_extensions(OuterRef("pk")).values("pk")[:1]
    # With the card, which the dashboard shows beside each permit.
    permits = current_permits(user).select_related("card").annotate(pending_id=Subquery(pending))
    return [
        (
            permit,
            window_of(
                permit,
                today=today,
                days=days,
                successor_case_id=None,
                pending_id=permit.pending_id,
            ),
        )
        for permit in permits
    ]


def open_extensions(permit: Any) -> QuerySet[Application]:
    """Extensions of ``permit`` (a Permit, or ``OuterRef("pk")`` in a subquery over permits)
    not yet decided, a draft included."""
    return Application.objects.filter(
        kind=Kind.EXTENSION, extends=permit, status__in=ACTIVE_STATUSES
    )


def current_permits(user: User) -> QuerySet[Permit]:
    """The student's permits that still stand: granted and not replaced by an extension."""
    return (
        Permit.objects.filter(
            application__applicant=user, application__status=GRANTED, status=PermitStatus.VALID
        )
        .filter(extended_by__isnull=True)
        .select_related("application")
        .order_by("-valid_to")
    )


@transaction.atomic
def extension_start(*, applicant: User, permit_id: int, today: date | None = None) -> Application:
    """Open an extension draft for one of the student's own permits, inside its window."""
    if is_staff_account(applicant):
        raise NotPermitted(_("Staff accounts cannot apply; use a personal account."))
    permit = (
        Permit.objects.select_for_update()
        .select_related("application")
        .get(pk=permit_id, application__applicant=applicant)
    )
    if permit.application.status != GRANTED or permit.status != PermitStatus.VALID:
        raise WorkflowError(_("This permit is no longer valid, so it cannot be extended."))
    window = extension_window(permit, today=today)
    if window.state in (PENDING, EXTENDED):
        raise WorkflowError(_("An extension of this permit is already in progress."))
    if window.state == NOT_YET:
        raise WorkflowError(
            _("An extension of this permit can be applied for from %(date)s.")
            % {"date": window.opens_on.isoformat()}
        )
    if window.state == ENDED:
        raise WorkflowError(
            _("This permit has ended, so it can no longer be extended: apply for a new permit.")
        )
    if Application.objects.filter(applicant=applicant, status__in=ACTIVE_STATUSES).exists():
        raise WorkflowError(_("You already have an application in progress."))
    previous = permit.application
    try:
        with transaction.atomic():
            extension = Application.objects.create(
                applicant=applicant,
                kind=Kind.EXTENSION,
                extends=permit,
                **{name: getattr(previous, name) for name in CARRIED_OVER},
            )
    except IntegrityError as exc:
        # Two tabs, or two devices, at once: the unique indexes decide, one case is made.
        raise WorkflowError(_("An extension of this permit is already in progress.")) from exc
    ApplicationEvent.objects.create(
        application=extension,
        kind=ApplicationEvent.Kind.CREATED,
        actor=applicant,
        data={"extends": permit.number},
    )
    return extension


def ended_permits(user: User) -> QuerySet[Permit]:
    """The student's permits that were cancelled or ended: the dashboard says so, and why."""
    return (
        Permit.objects.filter(application__applicant=user)
        .exclude(status=PermitStatus.VALID)
        .select_related("application")
        .order_by("-ended_on")
    )
