"""A permit card's production on the shared engine: ordered → printed → posted → delivered, or
returned undelivered → collected at the office. ``card_services.py`` is the only caller."""

from __future__ import annotations

from typing import cast

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy

from cases import engine

from .card import CardStatus, collection_office
from .card_notices import notify_card_change
from .models import CardEvent, PermitCard

TRANSITIONS: dict[str, frozenset[str]] = {
    CardStatus.ORDERED: frozenset({CardStatus.PRINTED}),
    CardStatus.PRINTED: frozenset({CardStatus.POSTED}),
    CardStatus.POSTED: frozenset({CardStatus.DELIVERED, CardStatus.RETURNED}),
    # A returned card is handed over at the office of the holder's province.
    CardStatus.RETURNED: frozenset({CardStatus.COLLECTED}),
    CardStatus.DELIVERED: frozenset(),
    CardStatus.COLLECTED: frozenset(),
}


def _notify(card: PermitCard, event: models.Model) -> None:
    holder = card.permit.application.applicant
    province = card.collection_province
    # The office in the holder's words: the notice is rendered later, from stored text.
    with translation.override(holder.preferred_language):
        office = collection_office(province.name if province else None)
    notify_card_change(card=card, event=event, office=office)


FLOW = engine.Flow(
    model=PermitCard,
    transitions=TRANSITIONS,
    status_label=lambda status: str(CardStatus(status).label),
    record_event=engine.event_recorder(CardEvent, "card"),
    notify=_notify,
    stale_message=gettext_lazy(
        "This card was changed by someone else meanwhile. "
        "Nothing was saved; reload the page to see its current state."
    ),
    not_allowed_message=gettext_lazy("A card that is “%(status)s” cannot become “%(target)s”."),
)


def lock(card_id: int) -> PermitCard:
    return cast(PermitCard, engine.lock(FLOW, card_id))
