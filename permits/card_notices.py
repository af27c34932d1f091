"""The notices about a permit card, registered with the outbox with what they say.

Posted (out for delivery, with PTT's tracking number) and returned undelivered (where to
collect it) go by SMS too unless the holder chose otherwise: they are what the post itself
would tell by SMS. Delivered is e-mail only. The SMS texts carry the tracking number and
nothing personal.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.kinds import NoticeKind, register
from notifications.services import notify_user

from .card import CardStatus, tracking_url

# The cards' models import this module (to register the kinds in every process), so the card
# and its event are typed loosely here rather than imported: ``PermitCard`` and ``CardEvent``.

CARD_POSTED = register(
    NoticeKind(
        code="permit_card_posted",
        label=_("Permit card posted"),
        subject=_("Your residence permit card is on its way: %(tracking_number)s"),
        what_happened=_(
            "Your residence permit card for permit %(permit)s was posted by PTT on "
            "%(posted_on)s. Its tracking number is %(tracking_number)s."
        ),
        next_step=_(
            "Follow it on PTT's tracking page: %(tracking_url)s. PTT hands the card only to "
            "you, so have your passport ready. A card PTT cannot deliver goes to the "
            "provincial directorate of migration management, and we tell you."
        ),
        link_label=_("Open your dashboard"),
        sms=_("Your residence permit card was posted by PTT. Tracking number: %(tracking_number)s"),
        sms_by_default=True,
    )
)

CARD_RETURNED = register(
    NoticeKind(
        code="permit_card_returned",
        label=_("Permit card returned undelivered"),
        subject=_("Collect your residence permit card at the migration directorate"),
        what_happened=_(
            "PTT could not deliver your residence permit card (tracking number "
            "%(tracking_number)s) and returned it on %(returned_on)s. It waits for you at "
            "%(office)s."
        ),
        next_step=_(
            "Collect it there in person during office hours, with your passport. Nobody else "
            "can collect it for you."
        ),
        link_label=_("Open your dashboard"),
        sms=_(
            "PTT returned your residence permit card %(tracking_number)s undelivered. Collect "
            "it at the provincial migration directorate; details in the portal."
        ),
        sms_by_default=True,
    )
)

CARD_DELIVERED = register(
    NoticeKind(
        code="permit_card_delivered",
        label=_("Permit card delivered"),
        subject=_("Your residence permit card was delivered"),
        what_happened=_(
            "PTT delivered your residence permit card for permit %(permit)s on %(delivered_on)s."
        ),
        next_step=_(
            "Carry the card with you. If you did not receive it, tell the provincial "
            "directorate of migration management at once."
        ),
        link_label=_("Open your dashboard"),
    )
)

_KIND_BY_STATUS = {
    CardStatus.POSTED: CARD_POSTED,
    CardStatus.RETURNED: CARD_RETURNED,
    CardStatus.DELIVERED: CARD_DELIVERED,
}


def card_notice_context(card: Any) -> dict[str, Any]:
    """What the card's notices are filled in with: plain strings, dates in ISO form (the outbox
    writes them the way the holder's language does). The office's words are the sentence's
    own, so only the province's name travels."""
    permit = card.permit
    province = card.collection_province
    context: dict[str, Any] = {
        "reference": permit.application.reference or "",
        "permit": permit.number,
        "path": reverse("dashboard"),
        "tracking_number": card.tracking_number,
        "tracking_url": tracking_url(card.tracking_number) if card.tracking_number else "",
        "province": province.name if province else "",
    }
    for field in ("posted_on", "delivered_on", "returned_on"):
        day = getattr(card, field)
        context[field] = day.isoformat() if day else ""
    return context


def notify_card_change(*, card: Any, event: Any, office: str) -> None:
    """The holder's notice of a card that left, came back or arrived (none for the other
    states: the dashboard shows them). ``office`` is where a returned card waits, already in
    the holder's language."""
    kind = _KIND_BY_STATUS.get(CardStatus(event.to_status)) if event.to_status else None
    if kind is None:
        return
    notify_user(
        user=card.permit.application.applicant,
        kind=kind,
        about=card,
        context={**card_notice_context(card), "office": office},
        dedupe_key=f"permit-card:{card.pk}:{event.pk}",
    )
