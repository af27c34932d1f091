"""Roles for the header: officers see their workspace, students their applications."""

from django.utils.functional import SimpleLazyObject

from .roles import is_officer, is_supervisor, is_university_staff


def roles(request):
    user = request.user
    return {
        # Lazy: pages that never ask pay no query.
        "user_is_officer": SimpleLazyObject(lambda: is_officer(user)),
        "user_is_supervisor": SimpleLazyObject(lambda: is_supervisor(user)),
        "user_is_university_staff": SimpleLazyObject(lambda: is_university_staff(user)),
    }
