"""Forms of the student side. The eligibility forms only parse input; the engine decides."""

from datetime import date

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from . import eligibility
from .models import Application, Field, Level, University
from .sections import Section
from .validators import passport_number_validator

# Far enough for any real passport or programme, near enough that date arithmetic never overflows.
EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2150, 12, 31)
ISO_FORMAT = ["%Y-%m-%d"]


class IsoDateField(forms.DateField):
    """A YYYY-MM-DD date within a sane range; the browser's date picker sends this format."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": _("Enter a real date in the form YYYY-MM-DD, for example 2024-09-16."),
        "range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ISO_FORMAT)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                self.error_messages["range"],
                code="range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


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


class VersionedForm(forms.Form):
    """Carries the version of the application the person saw (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _date_fields_as_iso(field, **kwargs):
    if isinstance(field, models.DateField):
        return IsoDateField(label=field.verbose_name.capitalize(), required=not field.blank)
    return field.formfield(**kwargs)


class SectionForm(forms.ModelForm):
    """Base of every application step; cross-field rules apply where both fields are present."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_fin(self) -> str:
        return self.cleaned_data["fin"].strip().upper()

    def clean_passport_number(self) -> str:
        return self.cleaned_data["passport_number"].replace(" ", "").upper()

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        rules = (
            (
                "passport_expiry_date",
                lambda: cleaned["passport_expiry_date"] > cleaned["passport_issue_date"],
                ("passport_expiry_date", "passport_issue_date"),
                _("The expiry date must be after the issue date."),
            ),
            (
                "passport_issue_date",
                lambda: cleaned["passport_issue_date"] <= today,
                ("passport_issue_date",),
                _("The issue date cannot be in the future."),
            ),
            (
                "entry_date",
                lambda: cleaned["entry_date"] <= today,
                ("entry_date",),
                _("The date of entry cannot be in the future."),
            ),
            (
                "date_of_birth",
                lambda: cleaned["date_of_birth"] < today,
                ("date_of_birth",),
                _("The date of birth must be in the past."),
            ),
            (
                "programme_end",
                lambda: cleaned["programme_end"] > cleaned["programme_start"],
                ("programme_end", "programme_start"),
                _("The programme must end after it starts."),
            ),
        )
        for target, holds, needed, message in rules:
            if all(cleaned.get(name) for name in needed) and not holds():
                self.add_error(target, message)
        return cleaned


def section_form_class(section: Section) -> type[SectionForm]:
    form_class = forms.modelform_factory(
        Application,
        form=SectionForm,
        fields=section.fields,
        formfield_callback=_date_fields_as_iso,
    )

    class StepForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, field in self.fields.items():
                if name != "version":
                    field.required = name in section.required
            if "university" in self.fields:
                self.fields["university"].queryset = University.objects.select_related("province")

    StepForm.__name__ = f"{section.slug.capitalize()}Form"
    return StepForm


def _upload_help_text() -> str:
    return _("PDF, JPEG or PNG, at most %(size)s MB.") % {
        "size": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
    }


# Lazy, so the hint is translated for each request, not once in the language of the import.
UPLOAD_HELP_TEXT = lazy(_upload_help_text, str)()


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is this document?"), choices=())
    file = forms.FileField(
        label=_("File"),
        help_text=UPLOAD_HELP_TEXT,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds


class SubmitForm(VersionedForm):
    declaration = forms.BooleanField(
        label=_(
            "I declare that the information I have given is true and complete, and that the "
            "documents are genuine. I understand that false statements can lead to refusal or "
            "cancellation of the permit."
        ),
        error_messages={"required": _("Tick the declaration to submit your application.")},
    )


class RespondForm(VersionedForm):
    response = forms.CharField(
        label=_("Your answer to the officer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class WithdrawForm(VersionedForm):
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my application. I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PassportUpdateForm(VersionedForm):
    """A renewed passport, reported while the application is being considered."""

    passport_number = forms.CharField(label=_("New passport number"), max_length=20)
    passport_issue_date = IsoDateField(label=_("Issue date"))
    passport_expiry_date = IsoDateField(label=_("Expiry date"))
    identity_page = forms.FileField(
        label=_("Identity page of the new passport"),
        help_text=UPLOAD_HELP_TEXT,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_passport_number(self) -> str:
        number = self.cleaned_data["passport_number"].replace(" ", "").upper()
        passport_number_validator(number)
        return number

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("passport_issue_date"), cleaned.get("passport_expiry_date")
        today = timezone.localdate()
        if issued and issued > today:
            self.add_error("passport_issue_date", _("The issue date cannot be in the future."))
        if issued and expires and expires <= issued:
            self.add_error(
                "passport_expiry_date", _("The expiry date must be after the issue date.")
            )
        elif expires and expires <= today:
            self.add_error("passport_expiry_date", _("This passport has already expired."))
        return cleaned
