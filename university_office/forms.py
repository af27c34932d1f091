"""The international office's forms: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from applications.models import CONFIRMED_FIELDS, Application
from core.forms import IsoDateField
from reports.models import EndReason
from rules import eligibility
from rules.models import Field, Level
from universities.models import University


class ConfirmationForm(forms.Form):
    """What the university holds; starts from what the student entered."""

    level = forms.ChoiceField(label=_("Level of study"), choices=Level.choices)
    field = forms.ChoiceField(label=_("Field of study"), choices=Field.choices)
    programme_start = IsoDateField(label=_("Programme start"))
    programme_end = IsoDateField(
        label=_("Expected end"),
        required=False,
        help_text=_("Leave empty if the university's records show none."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_application(cls, application: Application, version: int) -> ConfirmationForm:
        initial: dict[str, Any] = {name: getattr(application, name) for name in CONFIRMED_FIELDS}
        return cls(initial=initial | {"version": version}, prefix="confirm")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("programme_start"), data.get("programme_end")
        if start and end and end <= start:
            self.add_error(
                "programme_end", _("The expected end must be after the programme's start.")
            )
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the enrolment cannot be confirmed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The student and the officer read this."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PrecheckForm(forms.Form):
    """One optional reason per document of the case: a reason returns that document."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note to the student (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(eligibility.DOCUMENT_KINDS)
        self.kinds = kinds
        for kind in kinds:
            self.fields[f"reason_{kind}"] = forms.CharField(
                label=_("What is wrong with: %(document)s") % {"document": labels.get(kind, kind)},
                required=False,
                max_length=500,
            )

    def reasons(self) -> dict[str, str]:
        return {
            kind: self.cleaned_data.get(f"reason_{kind}", "").strip()
            for kind in self.kinds
            if self.cleaned_data.get(f"reason_{kind}", "").strip()
        }


class StudyEndForm(forms.Form):
    reference = forms.CharField(
        label=_("Student's reference or permit number"),
        max_length=32,
        help_text=_("For example AZTR-2026-000123, as on the students list."),
    )
    reason = forms.ChoiceField(label=_("What happened"), choices=EndReason.choices)
    effective_on = IsoDateField(label=_("Date"))


class StaffCreateForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    university = forms.ModelChoiceField(
        label=_("University"), queryset=University.objects.order_by("name")
    )
    language = forms.ChoiceField(
        label=_("Language of the account's e-mails"), choices=settings.LANGUAGES, initial="tr"
    )


class UniversitySettingsForm(forms.ModelForm):
    class Meta:
        model = University
        fields = ["precheck_enabled"]
