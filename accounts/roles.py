"""Roles are Django groups; these names are referenced by code, migrations and seed data."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

OFFICER = "officer"
SUPERVISOR = "supervisor"
STAFF_GROUPS = (OFFICER, SUPERVISOR)


def has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()


def is_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Supervisors are officers too: they can do everything an officer can."""
    if not user.is_authenticated:
        return False
    return user.groups.filter(name__in=STAFF_GROUPS).exists()


def is_supervisor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, SUPERVISOR)
