"""The officers' page that cancels a permit (LFIP Art. 40), and the letter it issues."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.errors import WorkflowError
from core.requests import post_data
from documents.serving import file_response
from permits.models import Permit
from permits.services import permit_cancel

from .decorators import officer_required
from .forms import CancelPermitForm


@officer_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    permit = get_object_or_404(Permit.objects.select_related("application"), pk=pk)
    form = CancelPermitForm(post_data(request), initial={"version": permit.version})
    if request.method == "POST" and form.is_valid():
        try:
            permit_cancel(
                permit.pk,
                actor=request.user,
                grounds=form.cleaned_data["grounds"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Permit %(number)s is cancelled; the holder was told, with the letter.")
                % {"number": permit.number},
            )
            return redirect("officer-review", pk=permit.application_id)
    return render(
        request,
        "officers/permit_cancel.html",
        {"permit": permit, "application": permit.application, "form": form},
        status=400 if form.errors else 200,
    )


@officer_required
@require_GET
def cancellation_letter(request: HttpRequest, pk: int) -> FileResponse:
    permit = get_object_or_404(Permit, pk=pk)
    if not permit.cancellation_letter:
        raise Http404
    return file_response(
        permit.cancellation_letter.open("rb"),
        filename=f"{permit.number}-cancellation.pdf",
        content_type="application/pdf",
    )
