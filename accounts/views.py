"""The student's own account pages: consent, profile, data export, deletion."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from portal.requests import post_data

from . import services
from .decorators import consent_required
from .forms import ConfirmForm, ProfileForm


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Public, so it can be read before an account (and its email address) exists."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        profile = services.privacy_notice_accept(user=request.user)
        target = _safe_next(request, reverse("dashboard"))
        if not profile.is_complete:
            # Details first: they fill in every application the student starts.
            messages.success(request, _("Thank you. Now tell us your details."))
            return redirect(f"{reverse('profile')}?{urlencode({'next': target})}")
        return redirect(target)
    return render(
        request,
        "accounts/privacy_notice.html",
        {
            "accepted": request.user.is_authenticated
            and services.has_current_consent(request.user),
            "next": _safe_next(request, ""),
            "version": services.PRIVACY_NOTICE_VERSION,
        },
    )


@consent_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    profile = request.user.profile
    form = ProfileForm(
        post_data(request),
        instance=profile,
        initial={"preferred_language": request.user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user,
            data=form.cleaned_data,
            preferred_language=form.cleaned_data["preferred_language"],
        )
        messages.success(request, _("Your details are saved."))
        return redirect(_safe_next(request, "dashboard"))
    return render(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@consent_required
def data_export(request: HttpRequest) -> HttpResponse:
    archive = services.account_export(user=request.user)
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
            services.account_delete(user=request.user)
        except services.AccountError as exc:
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


def language_set(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's cookie, and the profile of a signed-in user."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.preferred_language_set(
            user=request.user, language=request.POST.get("language", "")
        )
    return response
