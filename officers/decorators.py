"""The officer workspace is for officers and supervisors only: anyone else gets 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.roles import is_officer, is_supervisor


def officer_required(view):
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
