"""Gates for the student's pages."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .roles import is_officer, is_supervisor, is_university_staff
from .services import has_current_consent


def consent_required(view):
    """Signed in, and the current data-protection notice accepted before any personal data."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_current_consent(request.user):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('privacy-notice')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


def officer_required(view):
    """The officers' workspace, whichever app's pages it spans: officers and supervisors only;
    anyone else signed in gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def supervisor_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def university_staff_required(view):
    """A university's international office pages: its staff only (officers get 403 too: they
    have their own workspace)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_university_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
