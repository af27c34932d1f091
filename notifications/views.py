"""The in-app inbox: the list, and marking notices read. Thin views over ``inbox.py``.

Marking read is a POST with a CSRF token (a GET that changes state could be triggered by any
page embedding the link); everything works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import inbox as notices

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
