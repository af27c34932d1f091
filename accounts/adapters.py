"""How django-allauth fits the portal: new accounts remember the language they signed up in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .roles import is_officer


class AccountAdapter(DefaultAccountAdapter):
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
        return super().get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or settings.LANGUAGE_CODE
        codes = {code for code, _name in settings.LANGUAGES}
        user.preferred_language = language if language in codes else settings.LANGUAGE_CODE
        if commit:
            user.save()
        return user
