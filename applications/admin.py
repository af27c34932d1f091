"""Applications in the admin, for support staff: read-only.

Status changes are never made here: they go through the officer workspace and ``decisions.py``.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.search import identifier_match

from .models import Application, ApplicationEvent, InfoRequest, Message
from .queue import PAGE_SIZE as QUEUE_PAGE_SIZE
from .queue import info_overdue, queue_row


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
        "kind",
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


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyAdmin):
    list_display = ("application", "state", "due_date", "created_at")
    list_filter = ("state",)
    list_select_related = ("application",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("application", "sender", "created_at")
    list_select_related = ("application", "sender")
