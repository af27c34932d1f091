"""The student's own account pages: consent, profile, the mobile number, data export, deletion."""

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

from . import mobile as mobile_numbers
from . import services
from .decorators import consent_required
from .forms import MobileCodeForm, MobileForm, ProfileForm


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


def profile_phone(request: HttpRequest) -> str:
    profile = getattr(request.user, "profile", None)
    return profile.phone if profile is not None else ""


@consent_required
@require_http_methods(["GET", "POST"])
def mobile(request: HttpRequest) -> HttpResponse:
    """Enter a mobile number (a code is sent to it), or remove the verified one."""
    if request.method == "POST" and request.POST.get("action") == "remove":
        mobile_numbers.mobile_remove(user=request.user)
        messages.success(request, _("Your mobile number is removed. Notices now come by e-mail."))
        return redirect("mobile")
    state = mobile_numbers.mobile_state(request.user)
    # The profile's phone, if it is a mobile, is the likely answer.
    form = MobileForm(
        post_data(request), initial={"number": state.pending or profile_phone(request)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            code = mobile_numbers.mobile_set(user=request.user, raw=form.cleaned_data["number"])
        except mobile_numbers.MobileError as error:
            form.add_error("number", error.message)
        else:
            messages.success(
                request,
                _("We sent a code by SMS to %(number)s.")
                % {"number": mobile_numbers.mobile_display(code.number)},
            )
            return redirect("mobile-verify")
    return render(
        request,
        "accounts/mobile.html",
        {
            "form": form,
            "verified": mobile_numbers.mobile_display(state.verified),
            "pending": mobile_numbers.mobile_display(state.pending),
        },
        status=400 if form.errors else 200,
    )


@consent_required
@require_http_methods(["GET", "POST"])
def mobile_verify(request: HttpRequest) -> HttpResponse:
    """Enter the code sent by SMS, or ask for a new one."""
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            code = mobile_numbers.mobile_code_resend(user=request.user)
        except mobile_numbers.MobileError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("We sent a new code by SMS to %(number)s.")
                % {"number": mobile_numbers.mobile_display(code.number)},
            )
        return redirect("mobile-verify")
    form = MobileCodeForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            mobile_numbers.mobile_verify(user=request.user, code=form.cleaned_data["code"])
        except mobile_numbers.MobileError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Your mobile number is verified."))
            return redirect("notification-preferences")
    state = mobile_numbers.mobile_state(request.user)
    return render(
        request,
        "accounts/mobile_verify.html",
        {
            "form": form,
            "state": state,
            "pending": mobile_numbers.mobile_display(state.pending),
            "valid_minutes": mobile_numbers.CODE_VALID_MINUTES,
            "resend_seconds": mobile_numbers.RESEND_SECONDS,
            "max_codes": mobile_numbers.MAX_CODES_PER_DAY,
        },
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
