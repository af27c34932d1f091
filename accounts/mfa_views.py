"""allauth's two-factor pages, with the one change the portal's staff rule needs."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpResponse

from .mfa import mfa_record_passed


class TOTPActivateView(ActivateTOTPView):
    """Setting up the authenticator app also counts as passing two-factor authentication.

    allauth records a passed second factor only when a code is entered at sign-in; an officer
    who sets up the app after signing in with the password has just entered a valid code from
    it, so their session is recorded as passed the same way, and the workspace opens without
    signing in again.
    """

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        authenticator = Authenticator.objects.get(
            user_id=self.request.user.pk, type=Authenticator.Type.TOTP
        )
        mfa_record_passed(self.request, user=self.request.user, authenticator=authenticator)
        return response


totp_activate = TOTPActivateView.as_view()
