"""Two-factor sign-in for staff: who must use it, and whether this session has passed it.

Officers, supervisors and anyone who can open the admin hold other people's personal data, so a
password alone does not let them in: they sign in with a code from an authenticator app (TOTP,
django-allauth's ``allauth.mfa``) or one of their recovery codes. Students may add an
authenticator too, but are never asked to.

allauth keeps a log of the authentication steps a session has passed (password, mfa, ...) in
the session itself (``allauth.account.authentication.get_authentication_records``); a session
that entered a TOTP or recovery code at sign-in, or confirmed one later on the "confirm access"
page, has a record with the method ``"mfa"``. That record, not the mere existence of an
authenticator, is what ``accounts.middleware.StaffSessionMiddleware`` checks.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records

# allauth writes its records with this function (it is internal to allauth, hence pinned to the
# exact version in requirements.txt); the portal writes its own through the same function so
# the two can never disagree on the format.
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .roles import is_officer, is_university_staff

MFA_METHOD = "mfa"


def mfa_required(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Officers, supervisors, university staff, and staff or superusers (the admin): never
    students."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or is_officer(user) or is_university_staff(user)


def has_totp(user: AbstractBaseUser) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def mfa_passed(request: HttpRequest) -> bool:
    """Whether the signed-in user of this session has entered a second-factor code."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == MFA_METHOD for record in records)


def mfa_record_passed(
    request: HttpRequest, *, user: AbstractBaseUser, authenticator: Authenticator | None = None
) -> None:
    """Record in the session that ``user`` has just proved the second factor.

    The same record allauth writes after a valid code at sign-in (``id`` and ``type`` name the
    authenticator used, as allauth's do).
    """
    extra = {}
    if authenticator is not None:
        extra = {"id": authenticator.pk, "type": authenticator.type}
    record_authentication(request, user, MFA_METHOD, **extra)
