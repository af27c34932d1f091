"""Admin for supervisors (policy versions, reference data) and for support staff (read-only).

Status changes are never made here: they go through the officer workspace and ``workflow.py``.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Application,
    ApplicationEvent,
    Document,
    Field,
    InfoRequest,
    LengthField,
    Level,
    Message,
    Permit,
    PolicyVersion,
    ProgrammeLength,
    Province,
    University,
)


class PolicyVersionForm(forms.ModelForm):
    covered_levels = forms.MultipleChoiceField(
        label=_("Levels covered by the concession"),
        choices=Level.choices,
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


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name",)
    ordering = ("code",)


@admin.register(University)
class UniversityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province")
    list_filter = ("kind", "province")
    list_select_related = ("province",)
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services; the admin may look, not touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "surname",
        "given_names",
        "level",
        "university",
        "province",
        "status",
        "assignee",
        "submitted_at",
    )
    list_filter = ("status", "level", "province")
    list_select_related = ("university", "province", "assignee")
    search_fields = ("reference", "surname", "given_names", "passport_number", "fin")
    list_per_page = 50
    inlines = [EventInline]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "from_status", "to_status", "actor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("application", "actor")


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "original_name", "size", "review", "is_current")
    list_filter = ("kind", "review", "is_current")
    list_select_related = ("application",)
    exclude = ("file",)


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyAdmin):
    list_display = ("application", "state", "due_date", "created_at")
    list_filter = ("state",)
    list_select_related = ("application",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("application", "sender", "created_at")
    list_select_related = ("application", "sender")


@admin.register(Permit)
class PermitAdmin(ReadOnlyAdmin):
    list_display = ("number", "application", "valid_from", "valid_to", "issued_at")
    list_select_related = ("application",)
    search_fields = ("number",)
    exclude = ("letter",)
