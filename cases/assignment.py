"""Who works on a case: claim-next over every kind, and the officer checks every kind shares."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import is_officer
from universities.models import University
from universities.scoping import staff_university

from .errors import NotPermitted
from .registry import CaseKind, case_kinds


def require_officer(actor: Any) -> None:
    if not is_officer(actor):
        raise NotPermitted(_("Only migration officers can do this."))


def require_staff_of(actor: Any, university_id: int | None) -> University:
    """The actor's university, which must be ``university_id`` (the student's): a university's
    international office acts on its own students only."""
    university = staff_university(actor)
    if university is None or university_id is None or university.pk != university_id:
        raise NotPermitted(
            _("Only the international office of the student's university can do this.")
        )
    return university


@transaction.atomic
def case_claim_next(*, actor: Any) -> tuple[CaseKind, Any] | None:
    """Give ``actor`` the oldest unassigned case waiting for review, of any kind, and start it.

    ``SKIP LOCKED`` lets officers press the button at the same moment: each transaction skips
    rows another one has locked, so no two officers ever receive the same case. With several
    kinds, each kind's oldest candidate is locked and the oldest of those is taken; the others
    are free again when this transaction ends a moment later.
    """
    require_officer(actor)
    best: tuple[CaseKind, Any] | None = None
    for kind in case_kinds():
        # A row of the kind's own model: every kind has ``submitted_at``, ``type[Model]`` does not.
        candidate: Any = (
            kind.all_cases()
            .select_for_update(skip_locked=True)
            .filter(status__in=kind.claimable_statuses, assignee__isnull=True)
            .order_by("submitted_at", "pk")
            .first()
        )
        if candidate is not None and (
            best is None or candidate.submitted_at < best[1].submitted_at
        ):
            best = (kind, candidate)
    if best is None:
        return None
    kind, case = best
    kind.claim(case, actor)
    return best
