from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "officers"
    verbose_name = _("Officer workspace")

    def ready(self) -> None:
        # The notice kinds register themselves with the outbox on import.
        from . import notices  # noqa: F401
