"""The public checker's forms: they only parse input; the engine decides."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateField

from . import eligibility
from .models import Field, Level


class EligibilityForm(forms.Form):
    """The public checker's questions, in the words a student uses."""

    level = forms.ChoiceField(
        label=_("Level of study"),
        choices=Level.choices,
        error_messages={"invalid_choice": _("Choose associate, bachelor, master or doctoral.")},
    )
    field = forms.ChoiceField(
        label=_("Field of study"),
        choices=Field.choices,
        required=False,
        help_text=_("Medicine, dentistry, pharmacy and veterinary programmes last longer."),
        error_messages={
            "invalid_choice": _("Choose general, medicine, dentistry, pharmacy or veterinary.")
        },
    )
    programme_start = IsoDateField(
        label=_("Programme start date"),
        help_text=_("The first day of your programme, as on your student certificate."),
    )
    programme_end = IsoDateField(
        label=_("Programme end date"),
        required=False,
        help_text=_("Only if your student certificate shows one."),
    )
    prep_year = forms.BooleanField(
        label=_("I have a one-year preparatory (language) class"), required=False
    )
    passport_expiry = IsoDateField(label=_("Passport expiry date"))
    entry_date = IsoDateField(
        label=_("Date you entered Türkiye"),
        required=False,
        help_text=_("We check that you apply within the 90-day visa-free stay."),
    )
    on = IsoDateField(
        label=_("Date you will apply"),
        required=False,
        help_text=_("Leave empty to use today."),
    )

    def clean_field(self) -> str:
        return self.cleaned_data.get("field") or Field.GENERAL

    def clean_on(self) -> date:
        return self.cleaned_data.get("on") or timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("programme_start"), cleaned.get("programme_end")
        if start and end and end <= start:
            self.add_error("programme_end", _("The programme must end after it starts."))
        entry, on = cleaned.get("entry_date"), cleaned.get("on")
        if entry and on and entry > on:
            self.add_error("entry_date", _("The entry date cannot be after the date you apply."))
        return cleaned

    def rule_input(self) -> eligibility.EligibilityInput:
        data = self.cleaned_data
        return eligibility.EligibilityInput(
            level=data["level"],
            field=data["field"],
            programme_start=data["programme_start"],
            programme_end=data.get("programme_end"),
            prep_year=data.get("prep_year", False),
            passport_expiry=data["passport_expiry"],
            entry_date=data.get("entry_date"),
            on=data["on"],
        )


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also 1/0) and nothing else: an API must not guess."""

    TRUE, FALSE = {"true", "1"}, {"false", "0"}
    default_error_messages = {"invalid": _("Use true or false.")}

    def to_python(self, value) -> bool:
        if value in (None, ""):
            return False
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class EligibilityApiForm(EligibilityForm):
    prep_year = StrictBooleanField(required=False)
