"""Staff sessions: two-factor sign-in first, and signed out after a short idle time.

One middleware rather than a check in each view, so that every page a staff session can reach —
the officer workspace, the supervisor dashboard, the admin, and any page added later — is
covered without anyone remembering to decorate it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .mfa import has_totp, mfa_passed, mfa_required

# What a staff session that has not passed two-factor authentication may still open: setting
# up the authenticator app (with the password confirmation allauth asks for first when the
# sign-in is more than a few minutes old), entering a code, signing out, changing the language.
OPEN_BEFORE_MFA = frozenset(
    {
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "mfa_index",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "healthz",
    }
)


# Moving a session's expiry forward writes its row; doing it at most once a minute spares the
# writes (the country runs many web processes on one database), at the price of an idle session
# ending up to a minute early: between STAFF_SESSION_IDLE_SECONDS - 60 and that many seconds
# after the last request.
EXPIRY_REFRESH_SECONDS = 60


def staff_session_touch(session: SessionBase) -> None:
    """Make the session expire ``STAFF_SESSION_IDLE_SECONDS`` from now (see above)."""
    idle = settings.STAFF_SESSION_IDLE_SECONDS
    remaining = session.get_expiry_age()
    if session.modified or not idle - EXPIRY_REFRESH_SECONDS < remaining <= idle:
        session.set_expiry(timezone.now() + timedelta(seconds=idle))


def staff_signed_in(sender, request: HttpRequest, user, **kwargs) -> None:
    """``user_logged_in``: a staff session's idle period starts when it is signed in."""
    # A copy: the roles read here must not be cached on the caller's object (accounts.roles).
    if mfa_required(copy.copy(user)):
        staff_session_touch(request.session)


class StaffSessionMiddleware:
    """For officers, supervisors and admin users (``accounts.mfa.mfa_required``):

    - until the session has passed two-factor authentication, every page except those in
      ``OPEN_BEFORE_MFA`` redirects: to setting up an authenticator app if the user has none,
      otherwise to entering a code (a session can lack the record while the user has an
      authenticator, e.g. one added by ``seed_demo`` to an account already signed in);
    - the session expires ``STAFF_SESSION_IDLE_SECONDS`` after the last request (a sliding
      expiry: each request starts the period again, see ``staff_session_touch``). Students keep
      Django's session age.

    Goes after allauth's ``AccountMiddleware`` (sessions, authentication and messages before it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view, so the request that signs a staff member in starts the period too;
        # a request that signed out has an anonymous user here and a flushed session.
        user = getattr(request, "user", None)
        if user is not None and mfa_required(user):
            staff_session_touch(request.session)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not mfa_required(user) or mfa_passed(request):
            return None
        if request.resolver_match.url_name in OPEN_BEFORE_MFA:
            return None
        if has_totp(user):
            url = reverse("mfa_reauthenticate")
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        messages.info(
            request,
            _(
                "Staff accounts (officers, supervisors, international offices) sign in with a "
                "code from an authenticator app. Set one up to continue."
            ),
        )
        return redirect("mfa_activate_totp")
