"""Reports in the admin: to look up, never to edit (every change goes through the services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Report, ReportEvent


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("reference", "type", "status", "late", "changed_on", "submitted_at")
    list_filter = ("type", "status", "late")
    search_fields = ("reference",)
    exclude = ("passport_number",)


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ("report", "kind", "from_status", "to_status", "created_at")
    list_filter = ("kind",)
