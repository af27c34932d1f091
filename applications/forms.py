"""Forms of the student side: the draft's steps, uploads, answers and the passport update."""

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateField, VersionedForm
from core.validators import passport_number_validator
from universities.models import University

from .models import Application
from .sections import Section


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
