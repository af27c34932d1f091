"""Documents in the admin: read-only, and never the file itself."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "original_name", "size", "review", "is_current")
    list_filter = ("kind", "review", "is_current")
    list_select_related = ("application",)
    exclude = ("file",)
