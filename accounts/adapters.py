"""How django-allauth fits the portal: new accounts remember the language they signed up in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .roles import is_officer


class AccountAdapter(DefaultAccountAdapter):
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
