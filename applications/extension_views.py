"""The student's pages for extending a permit: where it stands, starting the extension, and the
receipt of a submitted one. Thin, like the rest of the student's pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import consent_required
from cases.errors import WorkflowError
from permits.grounds import ARTICLE_40_GROUNDS
from permits.models import Permit
from permits.services import permit_apply_by

from .extensions import (
    ENDED,
    NO_LONGER_VALID,
    NOT_YET,
    OPEN,
    extension_start,
    extension_window,
)
from .receipts import receipt_response
from .view_helpers import own_application


@consent_required
@require_http_methods(["GET", "POST"])
def permit_extend(request: HttpRequest, pk: int) -> HttpResponse:
    # Another student's permit is not found, never refused: it does not confirm it exists.
    permit = get_object_or_404(
        Permit.objects.select_related("application"), pk=pk, application__applicant=request.user
    )
    if request.method == "POST":
        try:
            extension = extension_start(applicant=request.user, permit_id=permit.pk)
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect("permit-extend", pk=permit.pk)
        return redirect("application-tasks", pk=extension.pk)
    window = extension_window(permit)
    if window.state == NO_LONGER_VALID:
        # Cancelled or ended: the page says so, and why, instead of offering an extension.
        return render(
            request,
            "permits/no_longer_valid.html",
            {
                "permit": permit,
                "permit_grounds": [ARTICLE_40_GROUNDS[code] for code in permit.end_grounds],
                "apply_by": permit_apply_by(permit),
            },
        )
    return render(
        request,
        "applications/student/extend.html",
        {
            "permit": permit,
            "window": window,
            "today": timezone.localdate(),
            "states": {"open": OPEN, "not_yet": NOT_YET, "ended": ENDED},
        },
    )


@consent_required
@require_GET
def extension_receipt(request: HttpRequest, pk: int) -> FileResponse:
    application = own_application(request, pk)
    if not application.is_extension or application.submitted_at is None:
        raise Http404
    return receipt_response(application)
