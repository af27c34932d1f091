"""A permit's life after its grant, on the shared engine: valid, then ended (the studies
ended) or cancelled (LFIP Art. 40). Both are final; ``services.py`` is the only caller."""

from __future__ import annotations

from typing import cast

from django.db import models
from django.utils.translation import gettext_lazy

from cases import engine

from .models import Permit, PermitEvent, PermitStatus
from .notices import notify_permit_change

TRANSITIONS: dict[str, frozenset[str]] = {
    PermitStatus.VALID: frozenset({PermitStatus.ENDED, PermitStatus.CANCELLED}),
    PermitStatus.ENDED: frozenset(),
    PermitStatus.CANCELLED: frozenset(),
}


def _notify(permit: Permit, event: models.Model) -> None:
    notify_permit_change(permit=permit, event=cast(PermitEvent, event))


FLOW = engine.Flow(
    model=Permit,
    transitions=TRANSITIONS,
    status_label=lambda status: str(PermitStatus(status).label),
    record_event=engine.event_recorder(PermitEvent, "permit"),
    notify=_notify,
    stale_message=gettext_lazy(
        "This permit was changed by someone else meanwhile. "
        "Nothing was saved; reload it to see the current state."
    ),
    not_allowed_message=gettext_lazy("A permit that is “%(status)s” cannot become “%(target)s”."),
)


def lock(permit_id: int) -> Permit:
    return cast(Permit, engine.lock(FLOW, permit_id))
