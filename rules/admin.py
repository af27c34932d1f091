"""Policy versions in the admin: supervisors put a new version into force without a release.

A version that has been used for an evaluation is a legal record and can no longer be edited.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import eligibility
from .models import Field, LengthField, Level, PolicyVersion, ProgrammeLength


class PolicyVersionForm(forms.ModelForm):
    covered_levels = forms.MultipleChoiceField(
        label=_("Levels covered by the concession"),
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    extension_document_kinds = forms.MultipleChoiceField(
        label=_("Documents for an extension"),
        choices=eligibility.DOCUMENT_KINDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = PolicyVersion
        fields = (
            "number",
            "title",
            "effective_from",
            "covered_levels",
            "prep_year_years",
            "passport_margin_days",
            "legal_stay_days",
            "decision_days",
            "info_request_days",
            "extension_window_days",
            "extension_document_kinds",
            "address_report_days",
            "province_report_days",
            "passport_report_days",
            "study_report_days",
            "end_of_studies_days",
            "early_extension_after_passport",
            "enrolment_reminder_days",
            "visit_required_first",
            "visit_required_extension",
            "appointment_cutoff_hours",
            "card_fee",
            "source_notes",
        )


class ProgrammeLengthFormSet(forms.BaseInlineFormSet):
    """A version must give a length for every level and field, or the engine cannot answer."""

    def clean(self) -> None:
        super().clean()
        rows = {
            (form.cleaned_data["level"], form.cleaned_data["field"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        gaps = [
            f"{Level(level).label} / {Field(field).label}"
            for level in Level.values
            for field in Field.values
            if (level, field) not in rows and (level, LengthField.ANY) not in rows
        ]
        if gaps:
            raise forms.ValidationError(
                _("Give a length for every level and field. Missing: %(gaps)s")
                % {"gaps": "; ".join(str(gap) for gap in gaps)}
            )


class ProgrammeLengthInline(admin.TabularInline):
    model = ProgrammeLength
    formset = ProgrammeLengthFormSet
    extra = 0
    min_num = 1

    def _in_use(self, obj) -> bool:
        return obj is not None and obj.applications.exists()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    inlines = [ProgrammeLengthInline]
    list_display = (
        "number",
        "title",
        "effective_from",
        "passport_margin_days",
        "legal_stay_days",
        "applications_evaluated",
    )
    ordering = ("-effective_from",)

    @admin.display(description=_("applications evaluated"))
    def applications_evaluated(self, obj: PolicyVersion) -> int:
        return obj.applications.count()

    def has_change_permission(self, request, obj=None):
        # A version that decided applications is a legal record: change it by adding a version.
        if obj is not None and obj.applications.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
