"""Reports in the admin: to look up, never to edit (every change goes through the services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import Report, ReportEvent


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Read-only, set up for a big table as the applications' admin is, and like it the anchor
    of ``make bench`` for the officers' list of reports: the same columns (the holder's name
    and permit joined), page size and order, and no count of the whole table."""

    list_display = (
        "reference",
        "holder",
        "permit",
        "type",
        "changed_on",
        "submitted_at",
        "status",
        "assignee",
        "late",
    )
    list_filter = ("type", "status", "late")
    list_select_related = ("permit__application", "assignee")
    search_fields = ("reference",)
    list_per_page = 50
    show_full_result_count = False
    exclude = ("passport_number",)

    @admin.display(description=_("permit holder"))
    def holder(self, obj: Report) -> str:
        application = obj.permit.application
        return f"{application.surname} {application.given_names}"


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ("report", "kind", "from_status", "to_status", "created_at")
    list_filter = ("kind",)
