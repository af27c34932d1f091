from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery state is visible here; rows are written and changed only by the outbox."""

    list_display = (
        "created_at",
        "kind_label",
        "to_email",
        "language",
        "state",
        "attempts",
        "sent_at",
    )
    list_filter = ("state", "kind", "language")
    search_fields = ("to_email", "dedupe_key")
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
