"""``seed_demo``'s permit card and mobile numbers (issue 16): student2@example.com's card is
posted with a PTT tracking number; student@example.com and student2@example.com have a verified
mobile number (and leyla.ismayilova@example.com, whose application waits for a decision), so
their important notices also go by SMS (printed by the console backend)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from permits.card import s10_check_digit
from permits.card_services import card_move
from permits.models import CardStatus, PermitCard

# Demo numbers of the two countries, never real subscribers' (reserved-looking ranges).
DEMO_MOBILES = {
    "student@example.com": "+994501234567",
    "student2@example.com": "+905320000001",
    # Under review: an officer's decision reaches her by SMS too (in the worker's console).
    "leyla.ismayilova@example.com": "+994551234567",
}
CARD_HOLDER = "student2@example.com"


def demo_mobiles() -> list[str]:
    lines = []
    for email, number in DEMO_MOBILES.items():
        user = User.objects.filter(email=email).select_related("profile").first()
        if user is None or not hasattr(user, "profile"):
            continue
        profile = user.profile
        if profile.mobile != number or profile.mobile_verified_at is None:
            # Demo accounts skip the code: it would only be printed in the console anyway.
            profile.mobile, profile.mobile_verified_at = number, timezone.now()
            profile.save(update_fields=["mobile", "mobile_verified_at"])
        lines.append(f"  {email} has the verified mobile number {number}")
    return lines


def demo_card(officer: User) -> list[str]:
    card = (
        PermitCard.objects.filter(permit__application__applicant__email=CARD_HOLDER)
        .select_related("permit")
        .order_by("-pk")
        .first()
    )
    if card is None:
        return []
    serial = f"{card.permit.pk % 100_000_000:08d}"
    tracking = f"RR{serial}{s10_check_digit(serial)}TR"
    if card.status == CardStatus.ORDERED:
        card = card_move(
            card.pk, actor=officer, to_status=CardStatus.PRINTED, expected_version=card.version
        )
    if card.status == CardStatus.PRINTED:
        card = card_move(
            card.pk,
            actor=officer,
            to_status=CardStatus.POSTED,
            expected_version=card.version,
            tracking_number=tracking,
        )
    return [f"  {CARD_HOLDER}'s permit card is posted, PTT tracking number {card.tracking_number}"]
