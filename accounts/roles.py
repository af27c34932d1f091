"""Roles are Django groups; these names are referenced by code, migrations and seed data."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

OFFICER = "officer"
SUPERVISOR = "supervisor"
# A university's international office: its own students only, never the officers' workspace.
UNIVERSITY_STAFF = "university_staff"
STAFF_GROUPS = (OFFICER, SUPERVISOR)


def _group_names(user: AbstractBaseUser) -> frozenset[str]:
    # Read once per user object: a request asks several times (views, header, permissions),
    # and request.user is a fresh object for every request.
    names = getattr(user, "_role_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = names
    return names


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    return user.is_authenticated and role in _group_names(user)


def is_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Supervisors are officers too: they can do everything an officer can."""
    return user.is_authenticated and not _group_names(user).isdisjoint(STAFF_GROUPS)


def is_supervisor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, SUPERVISOR)


def is_university_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, UNIVERSITY_STAFF)


def is_staff_account(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Officers, supervisors and university staff: accounts that act for an institution, never
    as a student (they cannot apply nor report)."""
    return is_officer(user) or is_university_staff(user)
