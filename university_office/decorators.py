"""The gate of every international-office page: an active staff account of one university,
whose university the view receives (so no view can forget the scope)."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.decorators import university_staff_required
from universities.scoping import staff_university


def office_view(view):
    """``view(request, university, *args, **kwargs)``; 403 for anyone without a university."""

    @university_staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        university = staff_university(request.user)
        if university is None:
            raise PermissionDenied
        request.office_university = university
        return view(request, university, *args, **kwargs)

    return wrapper
