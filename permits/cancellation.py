"""The letter that cancels a permit (LFIP Art. 40), in the holder's language, as a PDF.

The same self-contained rendering as the decision letter (``letters.py``): nothing is fetched;
the QR code and the verification address lead to /verify/, which says "cancelled on ...".
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .grounds import ARTICLE_40_GROUNDS
from .letters import (
    css_string,
    html_to_pdf,
    letter_language,
    public_base_url,
    qr_svg,
    verification_url,
)
from .models import Permit

TEMPLATE = "letters/cancellation_letter.html"


def cancellation_letter_pdf(*, permit: Permit, language: str | None = None) -> bytes:
    with translation.override(letter_language(permit, language)):
        verify_url = verification_url(permit)
        html = render_to_string(
            TEMPLATE,
            {
                "permit": permit,
                "application": permit.application,
                "grounds": [ARTICLE_40_GROUNDS[code] for code in permit.end_grounds],
                "verify_url": verify_url,
                "verify_form_url": f"{public_base_url()}{reverse('permit-verify-form')}",
                "verify_qr": qr_svg(verify_url),
                "css_footer": css_string(
                    _("Reference %(reference)s") % {"reference": permit.application.reference}
                ),
                "css_page": css_string(_("Page")),
            },
        )
    return html_to_pdf(html)


def permit_attach_cancellation_letter(*, permit: Permit) -> None:
    """Render the letter into ``permit.cancellation_letter`` under a random private name."""
    pdf = cancellation_letter_pdf(permit=permit)
    name = f"letters/{timezone.localdate():%Y}/{secrets.token_hex(16)}.pdf"
    max_length = permit._meta.get_field("cancellation_letter").max_length
    permit.cancellation_letter.name = permit.cancellation_letter.storage.save(
        name, ContentFile(pdf), max_length=max_length
    )
    permit.save(update_fields=["cancellation_letter"])
