"""The permit card's vocabulary, with no database: its states, the PTT tracking number and
where a card that could not be delivered waits for its holder.

The card is produced after approval: ordered from the producer, printed, posted by PTT with a
tracking number, then delivered to the holder or returned undelivered to the provincial
directorate of migration management of the holder's province, where it is handed over.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# PTT's public tracking page (gönderi takip) takes the number in ``q``. Not a documented API:
# the form PTT's own site and Turkish shops link to; if it changes, only this line changes.
PTT_TRACKING_URL = "https://gonderitakip.ptt.gov.tr/Track/Verify?q={number}"


class CardStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered from the card producer")
    PRINTED = "printed", _("Printed")
    POSTED = "posted", _("Posted by PTT")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned_undelivered", _("Returned undelivered")
    # A returned card handed over at the provincial office.
    COLLECTED = "collected", _("Collected at the office")


# The day each state was reached is kept on the card, in these fields.
DATE_FIELDS: dict[str, str] = {
    CardStatus.PRINTED: "printed_on",
    CardStatus.POSTED: "posted_on",
    CardStatus.DELIVERED: "delivered_on",
    CardStatus.RETURNED: "returned_on",
    CardStatus.COLLECTED: "collected_on",
}

# An item of the UPU S10 standard, as PTT numbers registered mail: two letters for the service,
# eight digits, the check digit, and the country (TR).
S10_PATTERN = re.compile(r"^[A-Z]{2}(\d{8})(\d)TR$")
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an eight-digit serial number (UPU S10, section 6.2)."""
    remainder = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return {10: 0, 11: 5}.get(check, check)


def normalise_tracking_number(raw: str) -> str:
    """As people copy it from a label or a spreadsheet: upper case, without spaces."""
    return re.sub(r"\s+", "", raw or "").upper()


def validate_tracking_number(value: str) -> None:
    """A PTT tracking number: 13 characters such as RR123456785TR, its check digit right."""
    match = S10_PATTERN.match(value or "")
    if match is None:
        raise ValidationError(
            gettext(
                "Enter the PTT tracking number as printed on the label: two letters, nine "
                "digits and TR, for example RR123456785TR."
            ),
            code="tracking_format",
        )
    serial, check = match.groups()
    if s10_check_digit(serial) != int(check):
        raise ValidationError(
            gettext(
                "This tracking number's check digit is wrong, so a character was mistyped: "
                "check it against the label."
            ),
            code="tracking_check_digit",
        )


def tracking_url(number: str) -> str:
    return PTT_TRACKING_URL.format(number=quote(number))


def collection_office(province_name: str | None) -> str:
    """Where a returned card waits, in the active language."""
    if not province_name:
        return gettext("the provincial directorate of migration management of your province")
    return gettext("the Provincial Directorate of Migration Management of %(province)s") % {
        "province": province_name
    }
