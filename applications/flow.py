"""The first application as a kind of case: its table of transitions on the shared engine.

``workflow.py`` (the student's moves) and ``decisions.py`` (the officers') are the only callers;
both lock, check and move an application through the helpers here, and so through
``cases.engine``, which is the one place that assigns ``status``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import engine
from cases.assignment import require_officer, require_staff_of
from cases.errors import NotPermitted

from .enrolment_flow import enrolment_close
from .models import FINAL_STATUSES, Application, ApplicationEvent, PrecheckRound, Status
from .notices import notify_status_change

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.PRECHECK, Status.WITHDRAWN}),
    # The university's document check, where it has one: on to the queue, or back to the
    # student with a reason per document, who hands it in again.
    Status.PRECHECK: frozenset({Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN}),
    Status.RETURNED: frozenset({Status.PRECHECK, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.UNDER_REVIEW: frozenset(
        {Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}
    ),
    Status.INFO_REQUESTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.APPROVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


# What the apps above applications hold for an open case (a booked appointment) and let go
# when it closes unapproved: (application, actor) -> None, registered from their ``ready()``
# by name and called in the closing transaction.
_ON_CLOSE: dict[str, Callable[[Application, Any], None]] = {}
CLOSING_STATUSES = (Status.REJECTED, Status.WITHDRAWN)


def on_close(name: str, hook: Callable[[Application, Any], None]) -> None:
    """Register ``hook`` for applications refused or withdrawn (again by name: replaced)."""
    _ON_CLOSE[name] = hook


def _after_change(application: Application, event: models.Model) -> None:
    # The engine hands back the event ``_record_event`` wrote: an ApplicationEvent.
    notify_status_change(application=application, event=cast(ApplicationEvent, event))
    if application.status in CLOSING_STATUSES:
        actor = cast(ApplicationEvent, event).actor
        for hook in _ON_CLOSE.values():
            hook(application, actor)


FLOW = engine.Flow(
    model=Application,
    transitions=TRANSITIONS,
    status_label=lambda status: str(Status(status).label),
    record_event=engine.event_recorder(ApplicationEvent, "application"),
    notify=_after_change,
    stale_message=gettext_lazy(
        "This application was changed by someone else meanwhile. "
        "Nothing was saved; reload it to see the current state."
    ),
    not_allowed_message=gettext_lazy(
        "An application that is “%(status)s” cannot become “%(target)s”."
    ),
)


def check_version(application: Application, *, expected_version: int) -> None:
    """Refuse a change made from a stale page (optimistic concurrency)."""
    engine.check_version(FLOW, application, expected_version=expected_version)


def require_applicant(application: Application, actor: AbstractBaseUser) -> None:
    if application.applicant_id != actor.pk:
        raise NotPermitted(_("Only the applicant can do this."))


def lock(application_id: int) -> Application:
    return cast(Application, engine.lock(FLOW, application_id))


def begin(
    application_id: int,
    *,
    actor: AbstractBaseUser,
    by: Literal["applicant", "officer", "university"],
    to_status: str,
    expected_version: int,
) -> Application:
    """Lock the row, then check who acts, the version they saw and the transition."""
    application = lock(application_id)
    if by == "applicant":
        require_applicant(application, actor)
    elif by == "university":
        require_staff_of(actor, application.university_id)
    else:
        require_officer(actor)
    engine.check(FLOW, application, to_status=to_status, expected_version=expected_version)
    return application


def move(
    application: Application,
    *,
    actor: AbstractBaseUser | None,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: tuple[str, ...] = (),
) -> ApplicationEvent:
    if to_status in FINAL_STATUSES and FLOW.allows(application.status, to_status):
        # Decided or withdrawn: what still waited for the university is not needed any more
        # (closed first, so the decision is the last step of the history).
        enrolment_close(application, actor=actor)
        application.precheck_rounds.filter(state=PrecheckRound.State.OPEN).update(
            state=PrecheckRound.State.CANCELLED, decided_at=timezone.now()
        )
    event = engine.transition(
        FLOW, application, actor=actor, to_status=to_status, note=note, data=data, update=update
    )
    return cast(ApplicationEvent, event)


def assign(
    application: Application, *, actor: AbstractBaseUser, assignee: AbstractBaseUser | None
) -> None:
    engine.assign(FLOW, application, actor=actor, assignee=assignee)
