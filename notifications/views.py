"""The in-app inbox (thin views over ``inbox.py``), the channel preferences, and the SMS
provider's delivery reports.

Marking read is a POST with a CSRF token (a GET that changes state could be triggered by any
page embedding the link); everything works without JavaScript. The delivery reports come from
the provider's servers, not from a browser: that one view is exempt from CSRF and is
authenticated by its signature instead (``callbacks.py``).
"""

from __future__ import annotations

import phonenumbers
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.requests import post_data

from . import callbacks, channels
from . import inbox as notices
from .forms import ChannelPreferencesForm

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notices.inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "items": [notices.inbox_item(n) for n in page.object_list]},
    )


def _local_path(request: HttpRequest, path: object) -> str | None:
    """``path`` if it is a path on this site (never another host or scheme), else None."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return path


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    """The list again, on the page the form was sent from."""
    url = reverse("notification-inbox")
    page = request.POST.get("page", "")
    if page.isdigit() and int(page) > 1:
        url = f"{url}?page={int(page)}"
    return redirect(url)


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read, then open what it is about (or stay on the list if asked to)."""
    notification = notices.notification_mark_read(user=request.user, notification_id=pk)
    if request.POST.get("stay"):
        messages.success(request, _("The notification is marked as read."))
        return _back_to_list(request)
    target = _local_path(request, (notification.context or {}).get("path"))
    return redirect(target) if target else _back_to_list(request)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    notices.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notification-inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """For each kind of notice with an SMS text: e-mail, SMS or both."""
    form = ChannelPreferencesForm(
        post_data(request),
        kinds=channels.sms_kinds(),
        initial=channels.chosen_channels(request.user),
    )
    if request.method == "POST" and form.is_valid():
        channels.channel_preferences_set(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Your choices are saved."))
        return redirect("notification-preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "phone": _readable(channels.verified_phone(request.user))},
        status=400 if form.errors else 200,
    )


def _readable(e164: str | None) -> str:
    """+905321234567 as people write it: +90 532 123 45 67."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@csrf_exempt  # a server-to-server report, signed (callbacks.py); no browser session involved
@require_POST
def sms_status_callback(request: HttpRequest) -> HttpResponse:
    try:
        notification = callbacks.sms_delivery_report_record(
            body=request.body,
            signature_header=request.headers.get(callbacks.SIGNATURE_HEADER, ""),
        )
    except callbacks.CallbackRefused:
        return JsonResponse({"error": "forbidden"}, status=403)
    except callbacks.CallbackInvalid:
        return JsonResponse({"error": "invalid report"}, status=400)
    except callbacks.CallbackUnknownMessage:
        return JsonResponse({"error": "unknown message"}, status=404)
    return JsonResponse({"status": notification.delivery_status})
