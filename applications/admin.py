"""Admin for supervisors (policy versions, reference data) and for support staff (read-only).

Status changes are never made here: they go through the officer workspace and ``workflow.py``.
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from officers.queue import info_overdue, queue_row
from officers.views import PAGE_SIZE as QUEUE_PAGE_SIZE

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
from .search import identifier_match


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
    """Read-only, and set up as a competent admin for a table of 100,000+ rows.

    It is also the anchor of ``make bench`` (BENCHMARKS.md): the columns, filters and page size
    of the officer queue, related rows joined (``list_select_related``), search on the
    reference and names plus the exact identifier hashes, and no count of the whole table on
    every filtered page (``show_full_result_count``: Django's documented advice for big tables).
    """

    list_display = (
        "reference",
        "surname",
        "given_names",
        "passport_number_masked",
        "fin_masked",
        "level",
        "university",
        "province",
        "submitted_at",
        "age_days",
        "status",
        "assignee",
        "flags",
    )
    list_filter = (
        "status",
        "level",
        "university",
        "province",
        ("assignee", admin.EmptyFieldListFilter),
        ("submitted_at", admin.DateFieldListFilter),
    )
    list_select_related = ("university", "province", "assignee")
    # The identifiers are encrypted: found by exact match through their hashes (below).
    search_fields = ("reference", "surname", "given_names")
    list_per_page = QUEUE_PAGE_SIZE
    show_full_result_count = False
    inlines = [EventInline]
    # Support staff see the identifiers masked, here as in every list; the full values only on
    # the officers' review page, which records who opened the application.
    exclude = ("passport_number", "fin")
    readonly_fields = ("passport_number_masked", "fin_masked")

    def get_queryset(self, request):
        # The "information overdue" flag, as the queue computes it (one subquery, not a query
        # per row).
        return super().get_queryset(request).annotate(info_overdue=info_overdue())

    @admin.display(description=_("passport number"))
    def passport_number_masked(self, obj: Application) -> str:
        return obj.passport_number_masked

    @admin.display(description=_("FIN (personal identification number)"))
    def fin_masked(self, obj: Application) -> str:
        return obj.fin_masked

    @admin.display(description=_("age (days)"))
    def age_days(self, obj: Application) -> int | None:
        return queue_row(obj, today=timezone.localdate()).age_days

    @admin.display(description=_("flags"))
    def flags(self, obj: Application) -> str:
        row = queue_row(obj, today=timezone.localdate())
        labels = (
            (row.passport_too_short, _("passport too short")),
            (row.info_overdue, _("information overdue")),
            (row.legal_stay_exceeded, _("legal stay exceeded")),
        )
        return ", ".join(str(label) for present, label in labels if present)

    def get_search_results(self, request, queryset, search_term):
        matched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            matched |= queryset.filter(identifier_match(search_term))
        return matched, may_have_duplicates


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
