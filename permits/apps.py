from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "permits"
    verbose_name = _("Permits")

    def ready(self) -> None:
        # The notice kinds register themselves with the outbox on import.
        from . import card_notices, notices  # noqa: F401
