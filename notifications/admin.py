from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery state is visible here; rows are written and changed only by the outbox."""

    list_display = (
        "created_at",
        "kind_label",
        "channel",
        "address",
        "language",
        "state",
        "attempts",
        "sent_at",
        "delivery_status",
    )
    list_filter = ("channel", "state", "delivery_status", "kind", "language")
    search_fields = ("to_email", "to_phone", "dedupe_key", "provider_message_id")
    readonly_fields = [field.name for field in Notification._meta.fields]

    @admin.display(description=_("address or mobile number"))
    def address(self, obj: Notification) -> str:
        return obj.address

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
