"""The office's API tokens page: list, create (the key shown once, in that response only) and
revoke the tokens its university's systems call the API with (``university_office/api/``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cases.errors import WorkflowError
from universities.models import University

from . import services
from .decorators import office_view
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("The system that will use it, e.g. “Student information system”."),
    )


def _tokens(university: University):
    return ApiToken.objects.filter(university=university).select_related("created_by", "revoked_by")


def _page(request: HttpRequest, university: University, form: TokenForm) -> HttpResponse:
    return render(
        request,
        "university_office/tokens.html",
        {"office_university": university, "tokens": _tokens(university), "form": form},
        status=400 if form.is_bound else 200,
    )


# The gate first (as everywhere in the portal): a GET of a POST-only action is refused only to
# those let in, and reveals nothing to anyone else.
@office_view
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, university: University) -> HttpResponse:
    if request.method != "POST":
        return _page(request, university, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, university, form)
    try:
        token, key = services.token_create(actor=request.user, name=form.cleaned_data["name"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("university-tokens")
    # The key exists only in this response: it is stored nowhere (only its hash), never put in
    # the session or a message, and no cache may keep the page.
    response = render(
        request,
        "university_office/token_created.html",
        {"office_university": university, "token": token, "key": key},
    )
    add_never_cache_headers(response)
    return response


@office_view
@require_POST
def token_revoke(request: HttpRequest, university: University, pk: int) -> HttpResponse:
    try:
        token = services.token_revoke(actor=request.user, token_id=pk)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The token “%(name)s” is revoked: calls with it are refused from now on.")
            % {"name": token.name},
        )
    return redirect("university-tokens")
