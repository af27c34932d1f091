"""A permit card's life: ordered on approval, moved along by officers (one card on the officers'
page, or many from the producer's CSV, ``card_import.py``), and its fee recorded as paid.

Every change locks the card and goes through the engine (``card_flow``): the version the
officer saw, the transition table, a new version, the append-only event and the holder's
notice, in one transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import engine
from cases.assignment import require_officer
from cases.errors import WorkflowError
from rules.models import PolicyVersion
from rules.policies import NoPolicyInForce, policy_version_in_force

from .card import DATE_FIELDS, CardStatus, normalise_tracking_number, validate_tracking_number
from .card_flow import FLOW, lock
from .models import CardEvent, Permit, PermitCard


def card_fee_on(day: date) -> Decimal:
    """The card fee of the policy in force on ``day`` (the policy field's default if none is,
    which never happens once the first policy's migration has run)."""
    try:
        return policy_version_in_force(on=day).card_fee
    except NoPolicyInForce:
        return Decimal(PolicyVersion._meta.get_field("card_fee").get_default())


@transaction.atomic
def card_order(*, permit: Permit, actor: Any) -> PermitCard:
    """Order the card of a permit just granted, with the fee of the policy in force today.
    Ordering twice gives the same card."""
    require_officer(actor)
    existing = PermitCard.objects.filter(permit=permit).first()
    if existing is not None:
        return existing
    card = PermitCard.objects.create(permit=permit, fee_amount=card_fee_on(timezone.localdate()))
    FLOW.record_event(
        card,
        kind=CardEvent.Kind.ORDERED,
        actor=actor,
        to_status=CardStatus.ORDERED,
        data={"fee_amount": str(card.fee_amount)},
    )
    return card


class TrackingNumberError(WorkflowError):
    """The tracking number given for a posted card is missing, malformed or taken."""


def tracking_number_clean(raw: str, *, card_id: int) -> str:
    """The tracking number as stored, or a ``WorkflowError`` saying what is wrong with it;
    a number another card already carries is refused (one PTT item holds one card)."""
    number = normalise_tracking_number(raw)
    if not number:
        raise TrackingNumberError(_("A posted card needs PTT's tracking number."))
    try:
        validate_tracking_number(number)
    except ValidationError as exc:
        raise TrackingNumberError(" ".join(exc.messages)) from exc
    if PermitCard.objects.filter(tracking_number=number).exclude(pk=card_id).exists():
        raise TrackingNumberError(
            _("The tracking number %(number)s is already on another card.") % {"number": number}
        )
    return number


def tracking_mismatch(number: str) -> str:
    """Why a tracking number given with a move that is not the posting is refused."""
    if not number:
        return _("A card gets its tracking number when it is posted: leave it empty until then.")
    return _("The tracking number does not match the card's (%(number)s).") % {"number": number}


def _check_day(card: PermitCard, day: date) -> None:
    if day > timezone.localdate():
        raise WorkflowError(_("The date cannot be in the future."))
    if day < timezone.localtime(card.ordered_at).date():
        raise WorkflowError(
            _("The date cannot be before the card was ordered (%(date)s).")
            % {"date": timezone.localtime(card.ordered_at).date().isoformat()}
        )


@transaction.atomic
def card_move(
    card_id: int,
    *,
    actor: Any,
    to_status: str,
    expected_version: int,
    on: date | None = None,
    tracking_number: str = "",
    note: str = "",
) -> PermitCard:
    """An officer moves a card to its next state, on the day ``on`` (today by default), from a
    page that showed ``expected_version``. Posting needs PTT's tracking number; a card returned
    undelivered waits at the office of the holder's province, which the holder is told."""
    require_officer(actor)
    card = lock(card_id)
    engine.check(FLOW, card, to_status=to_status, expected_version=expected_version)
    return card_move_locked(
        card, actor=actor, to_status=to_status, on=on, tracking_number=tracking_number, note=note
    )


def card_move_locked(
    card: PermitCard,
    *,
    actor: Any,
    to_status: str,
    on: date | None = None,
    tracking_number: str = "",
    note: str = "",
    source: str = "page",
    tracking_checked: bool = False,
) -> PermitCard:
    """The move itself, on a card its caller locked in the current transaction: ``card_move``,
    or the producer's CSV (``card_import``), which locks every card of its file at once and
    has checked the file's tracking numbers against the other cards already
    (``tracking_checked``; the database's unique constraint stands behind both)."""
    require_officer(actor)
    engine.check_transition(FLOW, card, to_status=to_status)
    day = on or timezone.localdate()
    _check_day(card, day)
    update = [DATE_FIELDS[to_status]]
    setattr(card, DATE_FIELDS[to_status], day)
    data: dict[str, Any] = {"on": day.isoformat(), "source": source}
    if to_status == CardStatus.POSTED:
        card.tracking_number = (
            normalise_tracking_number(tracking_number)
            if tracking_checked
            else tracking_number_clean(tracking_number, card_id=card.pk)
        )
        update.append("tracking_number")
        data["tracking_number"] = card.tracking_number
    elif tracking_number and normalise_tracking_number(tracking_number) != card.tracking_number:
        raise TrackingNumberError(tracking_mismatch(card.tracking_number))
    if to_status == CardStatus.RETURNED:
        application = card.permit.application
        card.collection_province_id = application.province_id
        update.append("collection_province")
        data["province"] = application.province.name if application.province else ""
    engine.transition(
        FLOW, card, actor=actor, to_status=to_status, note=note, data=data, update=update
    )
    return card


@transaction.atomic
def card_record_fee_paid(card_id: int, *, actor: Any, expected_version: int) -> PermitCard:
    """An officer records that the holder paid the card fee (once; a new version)."""
    require_officer(actor)
    card = lock(card_id)
    engine.check_version(FLOW, card, expected_version=expected_version)
    if card.fee_paid_at is not None:
        raise WorkflowError(_("The card fee is already recorded as paid."))
    card.fee_paid_at = timezone.now()
    card.fee_paid_by = actor
    engine.record(
        FLOW,
        card,
        actor=actor,
        kind=CardEvent.Kind.FEE_PAID,
        data={"fee_amount": str(card.fee_amount)},
        update=("fee_paid_at", "fee_paid_by"),
    )
    return card


# --- what the officers' list reads ------------------------------------------------------------


def cards_filtered(*, status: str = "", fee: str = "", q: str = "") -> QuerySet[PermitCard]:
    """Cards for the officers' list, oldest order first: by state, fee paid or not, and a
    permit number (or part of it) or a whole tracking number."""
    cards = PermitCard.objects.select_related(
        "permit__application__province", "collection_province", "fee_paid_by"
    )
    if status:
        cards = cards.filter(status=status)
    if fee == "paid":
        cards = cards.filter(fee_paid_at__isnull=False)
    elif fee == "unpaid":
        cards = cards.filter(fee_paid_at__isnull=True)
    if q.strip():
        term = q.strip()
        cards = cards.filter(
            Q(permit__number__icontains=term) | Q(tracking_number=normalise_tracking_number(term))
        )
    return cards.order_by("ordered_at", "pk")


def cards_per_status() -> list[tuple[str, str, int]]:
    """(status, label, how many cards), every state in the table's order: one query."""
    counts = dict(
        PermitCard.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [(status, str(label), counts.get(status, 0)) for status, label in CardStatus.choices]
