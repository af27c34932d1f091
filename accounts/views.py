"""The student's own account pages: consent, profile, data export, deletion."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from core.requests import post_data

from . import services
from .decorators import consent_required
from .forms import ProfileForm


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


def language_set(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's cookie, and the profile of a signed-in user."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.preferred_language_set(
            user=request.user, language=request.POST.get("language", "")
        )
    return response
