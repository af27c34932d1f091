"""How django-allauth fits the portal: new accounts remember the language they signed up in,
account emails go through the outbox, and staff keep their two-factor authentication."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from core import crypto

from .mfa import mfa_required
from .roles import is_officer, is_university_staff


class AccountAdapter(DefaultAccountAdapter):
    @property
    def error_messages(self) -> dict:
        """allauth's messages, with the lockout saying how long it lasts (see settings)."""
        minutes = settings.LOGIN_LOCKOUT_MINUTES
        return {
            **DefaultAccountAdapter.error_messages,
            "too_many_login_attempts": ngettext(
                "Too many failed sign-in attempts: signing in is locked for up to %(minutes)d "
                "minute. Try again later, or reset your password.",
                "Too many failed sign-in attempts: signing in is locked for up to %(minutes)d "
                "minutes. Try again later, or reset your password.",
                minutes,
            )
            % {"minutes": minutes},
        }

    def send_mail(self, template_prefix, email, context):
        """Account emails go through the notification outbox like every other notice."""
        from notifications.services import notify_account_email

        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"),
            "",
        )
        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language()
        notify_account_email(
            to_email=email,
            language=language or settings.LANGUAGE_CODE,
            subject=message.subject,
            text=message.body,
            html=html,
        )

    def get_login_redirect_url(self, request):
        if is_officer(request.user):
            return reverse("officer-queue")
        if is_university_staff(request.user):
            return reverse("university-home")
        return super().get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or settings.LANGUAGE_CODE
        codes = {code for code, _name in settings.LANGUAGES}
        user.preferred_language = language if language in codes else settings.LANGUAGE_CODE
        if commit:
            user.save()
        return user


class MFAAdapter(DefaultMFAAdapter):
    # Authenticator secrets (the TOTP key, the recovery-code seed) are encrypted at rest with the
    # same keys as passport numbers (core/crypto.py); `rotate_field_keys` covers them.
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff must keep their authenticator app; they can still renew their recovery codes."""
        return not mfa_required(authenticator.user)
