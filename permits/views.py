"""Public verification of a permit by the code printed (and QR-encoded) on the decision letter.

Anyone holding the letter — an employer, a landlord, a university — can check that the permit is
valid today. The page shows only what that check needs: the validity, the dates and the holder's
masked initials. It never shows the permit number (it contains the application reference), the
reference, FIN, passport number, date of birth or university, and an unknown code gives the
site's ordinary 404 page, whatever its format. Requests are rate-limited per address, so the
codes cannot be guessed by trying many of them.
"""

from __future__ import annotations

import re
from functools import wraps

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import consent_required
from core.ratelimit import rate_limited
from documents.serving import file_response

from .models import GRANTED, PENDING, Permit, PermitStatus

# As in ``models.new_verification_code``: no look-alikes (0/O, 1/I/L), typed from a paper letter.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
RATE_SCOPE = "permit-verify"
MASK = "****"


class VerificationState:
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    NOT_VALID = "not_valid"
    CANCELLED = "cancelled"
    ENDED = "ended"


def normalise_code(raw: str) -> str:
    """The code as stored: upper case, without the spaces and hyphens people type or print."""
    return re.sub(r"[\s\-]+", "", raw or "").upper()


def mask_name(full_name: str) -> str:
    """First letter of each part of the name, then a fixed run of asterisks: "G**** M****".

    The run has the same length for every part, so the mask does not reveal the name's length.
    """
    return " ".join(part[0].upper() + MASK for part in full_name.split())


def permit_state(permit: Permit, *, today) -> str:
    if permit.application.status != GRANTED:
        return VerificationState.NOT_VALID
    if permit.status == PermitStatus.CANCELLED:
        return VerificationState.CANCELLED
    if permit.status == PermitStatus.ENDED:
        return VerificationState.ENDED
    if today < permit.valid_from:
        return VerificationState.NOT_YET_VALID
    if today > permit.valid_to:
        return VerificationState.EXPIRED
    return VerificationState.VALID


class VerificationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 10-character code printed on the decision letter."),
        error_messages={"required": _("Enter the verification code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "font-monospace",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                _(
                    "Enter the 10 letters and digits exactly as printed on the letter. "
                    "The code never contains 0, 1, I, L or O."
                ),
                code="invalid",
            )
        return code


def _public_page(view):
    """Rate-limited, never cached, never indexed: applied to every verification page."""

    view = require_GET(view)

    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if rate_limited(request, scope=RATE_SCOPE, limit=settings.VERIFY_RATE_PER_MINUTE):
            response = render(request, "permits/verify.html", {"rate_limited": True}, status=429)
            response["Retry-After"] = "60"
        else:
            response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


@_public_page
def permit_verify_form(request: HttpRequest) -> HttpResponse:
    form = VerificationCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("permit-verify", code=form.cleaned_data["code"])
    return render(
        request,
        "permits/verify_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@_public_page
def permit_verify(request: HttpRequest, code: str) -> HttpResponse:
    code = normalise_code(code)
    # A code that cannot exist is not looked up; it gets the same 404 as an unknown one.
    permit = (
        Permit.objects.select_related("application").filter(verification_code=code).first()
        if CODE_PATTERN.match(code)
        else None
    )
    if permit is None:
        # The site's ordinary not-found page: nothing tells whether the code was well formed.
        return render(request, "404.html", status=404)
    # Only a successor that still stands: one cancelled or ended since promises nothing.
    successor = Permit.objects.filter(
        extends=permit, application__status=GRANTED, status=PermitStatus.VALID
    ).first()
    return render(
        request,
        "permits/verify.html",
        {
            "state": permit_state(permit, today=timezone.localdate()),
            "valid_from": permit.valid_from,
            "valid_to": permit.valid_to,
            "ended_on": permit.ended_on,
            "masked_name": mask_name(permit.application.full_name),
            # An extension's holder shows the old letter: say that it was extended, until when.
            "extended_until": successor.valid_to if successor else None,
            # The receipt's promise: an extension applied for in time is being decided.
            "extension_pending": successor is None
            and permit.status == PermitStatus.VALID
            and permit.extensions.filter(status__in=PENDING).exists(),
        },
    )


@consent_required
@require_GET
def cancellation_letter(request: HttpRequest, pk: int) -> FileResponse:
    """The holder's copy of the cancellation letter; to anyone else, as if it did not exist.

    Guarded as the decision letter is (``applications.student_views.permit_letter``): signed in
    with the current data-protection notice accepted, and only one's own; officers download it
    from their workspace (``officers.permit_views.cancellation_letter``)."""
    permit = get_object_or_404(
        Permit, pk=pk, application__applicant=request.user, status=PermitStatus.CANCELLED
    )
    if not permit.cancellation_letter:
        raise Http404
    return file_response(
        permit.cancellation_letter.open("rb"),
        filename=f"{permit.number}-cancellation.pdf",
        content_type="application/pdf",
    )
