"""The receipt of a submitted extension application, as a PDF in the student's language.

In practice this receipt is what lets a student stay while the extension is decided: it names
the current permit, the day the extension would start, and carries the QR code of the permit's
public verification page, which tells that an extension is being decided. It is drawn from the
submitted application each time it is downloaded (nothing is stored), like the data it shows.
"""

from __future__ import annotations

from typing import cast

from django.core.files.base import ContentFile
from django.http import FileResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents.serving import file_response
from permits.letters import (
    css_string,
    html_to_pdf,
    letter_language,
    public_base_url,
    qr_svg,
    sentence_date,
    verification_url,
)
from permits.models import Permit

from .extensions import new_permit_start
from .models import Application

TEMPLATE = "letters/extension_receipt.html"


def extension_receipt_pdf(*, application: Application, language: str | None = None) -> bytes:
    """``application`` is a submitted extension; ``language`` defaults to the student's."""
    # An extension always names the permit it extends (a check constraint).
    permit = cast(Permit, application.extends)
    submitted_on = timezone.localdate(application.submitted_at)
    with translation.override(letter_language(permit, language)):
        verify_url = verification_url(permit)
        html = render_to_string(
            TEMPLATE,
            {
                "application": application,
                "permit": permit,
                "submitted_on": submitted_on,
                "submitted_sentence": sentence_date(submitted_on),
                "new_start": new_permit_start(permit),
                "verify_url": verify_url,
                "verify_form_url": f"{public_base_url()}{reverse('permit-verify-form')}",
                "verify_qr": qr_svg(verify_url),
                "css_footer": css_string(
                    _("Reference %(reference)s") % {"reference": application.reference}
                ),
                "css_page": css_string(_("Page")),
            },
        )
    return html_to_pdf(html)


def receipt_response(application: Application) -> FileResponse:
    pdf = extension_receipt_pdf(application=application)
    return file_response(
        ContentFile(pdf),
        filename=f"receipt-{application.reference}.pdf",
        content_type="application/pdf",
    )
