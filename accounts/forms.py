from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateField

from .models import Profile


class ProfileForm(forms.ModelForm):
    date_of_birth = IsoDateField(label=_("Date of birth"))
    preferred_language = forms.ChoiceField(
        label=_("Language for emails and letters"), choices=settings.LANGUAGES
    )

    class Meta:
        model = Profile
        fields = ("surname", "given_names", "date_of_birth", "phone", "fin")
        help_texts = {
            "surname": _("Exactly as in your passport, in Latin letters."),
            "given_names": _("Exactly as in your passport, in Latin letters."),
            "phone": _("A number we can reach you on, with the country code, e.g. +90 5xx."),
            "fin": _("The 7 characters on your Azerbaijani identity card."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True

    def clean_fin(self) -> str:
        return self.cleaned_data["fin"].strip().upper()

    def clean_date_of_birth(self):
        # The same rule as the application's personal step: a future date, copied into a new
        # draft, would make the document checklist (and so the task list) fail to evaluate.
        value = self.cleaned_data["date_of_birth"]
        if value >= timezone.localdate():
            raise forms.ValidationError(_("The date of birth must be in the past."), code="future")
        return value


class ConfirmForm(forms.Form):
    """A deliberate second step before something that cannot be undone."""

    confirm = forms.BooleanField(label=_("Yes, I understand this cannot be undone"))


class MobileForm(forms.Form):
    number = forms.CharField(
        label=_("Mobile number"),
        max_length=40,
        help_text=_(
            "A mobile number of Türkiye or Azerbaijan, for example +90 532 123 45 67 or "
            "+994 50 123 45 67."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class MobileCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        help_text=_("The 6 digits we sent to your mobile number."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
