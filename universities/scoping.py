"""Which university a staff account acts for: the one fact every university page and API call
is scoped by."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from accounts.roles import is_university_staff

from .models import University, UniversityStaff


def staff_university(user: AbstractBaseUser | AnonymousUser) -> University | None:
    """The university of an active international-office account; None for anyone else."""
    if not user.is_active or not is_university_staff(user):
        return None
    membership = (
        UniversityStaff.objects.select_related("university")
        .filter(user_id=user.pk, deactivated_at__isnull=True)
        .first()
    )
    return membership.university if membership else None


def uses_portal_id(university_id: int | None) -> bool:
    """Whether the university has an active international-office account (else nothing is sent
    to it: nobody would read it)."""
    if university_id is None:
        return False
    return UniversityStaff.objects.filter(
        university_id=university_id, deactivated_at__isnull=True, user__is_active=True
    ).exists()


def uses_portal(university: University) -> bool:
    return uses_portal_id(university.pk)
