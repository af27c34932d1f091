"""The university's document check: the open round a hand-in starts, and what the student must
replace after a return."""

from __future__ import annotations

from typing import cast

from universities.models import University

from .models import Application, PrecheckRound


def precheck_open(application: Application) -> PrecheckRound:
    """A new round for the university (the caller holds the application's lock)."""
    # Only an application that names a university reaches the check (workflow.hand_in_status).
    university = cast(University, application.university)
    return PrecheckRound.objects.create(application=application, university=university)


def last_returned_round(application: Application) -> PrecheckRound | None:
    return (
        application.precheck_rounds.filter(state=PrecheckRound.State.RETURNED)
        .order_by("-decided_at", "-pk")
        .first()
    )


def kinds_to_replace(application: Application) -> list[str]:
    """The returned documents the student has not uploaded again since the return."""
    returned = last_returned_round(application)
    if returned is None:
        return []
    replaced = set(
        application.documents.filter(
            is_current=True, uploaded_at__gte=returned.decided_at
        ).values_list("kind", flat=True)
    )
    return [kind for kind in returned.returned_documents if kind not in replaced]
