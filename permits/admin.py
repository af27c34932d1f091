"""Permits in the admin: read-only; the decision letter is served only to its holder."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Permit


@admin.register(Permit)
class PermitAdmin(ReadOnlyAdmin):
    list_display = ("number", "application", "valid_from", "valid_to", "issued_at")
    list_select_related = ("application",)
    search_fields = ("number",)
    exclude = ("letter",)
