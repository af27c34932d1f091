"""The student's report forms, one per kind of change, and the officer's decision forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.forms import UPLOAD_HELP_TEXT
from core.forms import IsoDateField, VersionedForm
from core.validators import passport_number_validator
from universities.models import Province, University

from .models import EndReason, ReportType

_FILE_WIDGET = forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})


class ReportForm(forms.Form):
    """What every report asks: the day the change happened."""

    type: str = ""
    changed_on = IsoDateField(label=_("Date of the change"))
    # The field holding the evidence, for the kinds that need one.
    attachment_field: str | None = None

    def clean_changed_on(self):
        changed_on = self.cleaned_data["changed_on"]
        if changed_on > timezone.localdate():
            raise forms.ValidationError(_("The date of the change cannot be in the future."))
        return changed_on

    def details(self) -> dict[str, Any]:
        """The report's details, as stored (JSON: dates as ISO strings, objects by id)."""
        return {}

    def passport_number(self) -> str:
        return ""

    def attachment(self) -> Any:
        return self.cleaned_data.get(self.attachment_field) if self.attachment_field else None


class AddressReportForm(ReportForm):
    type = ReportType.ADDRESS
    changed_on = IsoDateField(label=_("Date you moved"))
    province = forms.ModelChoiceField(queryset=Province.objects.all(), label=_("Province"))
    district = forms.CharField(label=_("District"), max_length=80)
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=120, required=False)
    address_line = forms.CharField(label=_("Street, building and flat"), max_length=255)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("A Turkish postal code has five digits.")},
    )

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "province": data["province"].pk,
            "province_name": data["province"].name,
            **{
                name: data.get(name, "")
                for name in ("district", "neighbourhood", "address_line", "postal_code")
            },
        }


class PassportReportForm(ReportForm):
    type = ReportType.PASSPORT
    changed_on = IsoDateField(label=_("Date you received the new passport"))
    new_passport_number = forms.CharField(label=_("New passport number"), max_length=20)
    issue_date = IsoDateField(label=_("Issue date"))
    expiry_date = IsoDateField(label=_("Expiry date"))
    identity_page = forms.FileField(
        label=_("Identity page of the new passport"),
        help_text=UPLOAD_HELP_TEXT,
        widget=_FILE_WIDGET,
    )
    attachment_field = "identity_page"

    def clean_new_passport_number(self) -> str:
        number = self.cleaned_data["new_passport_number"].replace(" ", "").upper()
        passport_number_validator(number)
        return number

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issue_date"), cleaned.get("expiry_date")
        today = timezone.localdate()
        if issued and issued > today:
            self.add_error("issue_date", _("The issue date cannot be in the future."))
        if issued and expires and expires <= issued:
            self.add_error("expiry_date", _("The expiry date must be after the issue date."))
        elif expires and expires <= today:
            self.add_error("expiry_date", _("This passport has already expired."))
        return cleaned

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "issue_date": data["issue_date"].isoformat(),
            "expiry_date": data["expiry_date"].isoformat(),
        }

    def passport_number(self) -> str:
        return str(self.cleaned_data["new_passport_number"])


class StudyReportForm(ReportForm):
    type = ReportType.STUDY
    changed_on = IsoDateField(label=_("Date of the change of university or programme"))
    university = forms.ModelChoiceField(queryset=University.objects.all(), label=_("University"))
    faculty = forms.CharField(label=_("Faculty or institute"), max_length=160)
    department = forms.CharField(label=_("Programme (department)"), max_length=160)
    student_number = forms.CharField(label=_("Student number"), max_length=32, required=False)
    programme_end = IsoDateField(
        label=_("Expected end of the programme"),
        help_text=_("As on your new student certificate."),
    )
    student_certificate = forms.FileField(
        label=_("New student certificate (öğrenci belgesi)"),
        help_text=UPLOAD_HELP_TEXT,
        widget=_FILE_WIDGET,
    )
    attachment_field = "student_certificate"

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "university": data["university"].pk,
            "university_name": data["university"].name,
            "programme_end": data["programme_end"].isoformat(),
            **{name: data.get(name, "") for name in ("faculty", "department", "student_number")},
        }


class EndOfStudiesReportForm(ReportForm):
    type = ReportType.END_OF_STUDIES
    changed_on = IsoDateField(label=_("Date your studies ended"))
    reason = forms.ChoiceField(
        label=_("What happened"), choices=EndReason.choices, widget=forms.RadioSelect
    )

    def details(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


REPORT_FORMS: dict[str, type[ReportForm]] = {
    form.type: form
    for form in (AddressReportForm, PassportReportForm, StudyReportForm, EndOfStudiesReportForm)
}


class RespondForm(VersionedForm):
    response = forms.CharField(label=_("Your answer"), widget=forms.Textarea, required=False)
    document = forms.FileField(
        label=_("A new document (optional)"),
        help_text=UPLOAD_HELP_TEXT,
        widget=_FILE_WIDGET,
        required=False,
    )


class WithdrawReportForm(VersionedForm):
    pass


class ReportInfoForm(VersionedForm):
    message = forms.CharField(
        label=_("What the student should send"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportAcceptForm(VersionedForm):
    note = forms.CharField(
        label=_("Note to the student (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    shorten_to = IsoDateField(
        label=_("Shorten the permit to end on"),
        required=False,
        help_text=_("Only when the new programme ends before the permit does."),
    )
    shorten_reason = forms.CharField(
        label=_("Reason for shortening"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("shorten_to") and not (cleaned.get("shorten_reason") or "").strip():
            self.add_error("shorten_reason", _("State why the permit is shortened."))
        return cleaned


class ReportRejectForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason, as the student will read it"), widget=forms.Textarea(attrs={"rows": 3})
    )
