"""The student's account pages that reach into their cases: the data export and deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import consent_required
from accounts.forms import ConfirmForm
from accounts.services import AccountError
from core.replica import replica_reads
from core.requests import post_data

from . import account_data


@consent_required
def data_export(request: HttpRequest) -> HttpResponse:
    # Read from the replica when there is one; consent and the session were read from the
    # primary by the decorator, before.
    try:
        with replica_reads():
            archive = account_data.account_export(user=request.user)
    except FileNotFoundError:
        # A replica a moment behind can still list a document whose file the primary has
        # replaced and deleted: the primary's list matches the files.
        archive = account_data.account_export(user=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    can_delete = not request.user.applications.filter(submitted_at__isnull=False).exists()
    form = ConfirmForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            account_data.account_delete(user=request.user)
        except AccountError as exc:
            messages.error(request, exc.message)
            return redirect("account-delete")
        logout(request)
        messages.success(request, _("Your account and everything in it have been deleted."))
        return redirect("home")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "can_delete": can_delete},
        status=400 if form.errors else 200,
    )
