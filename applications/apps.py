from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from cases.registry import register

        # The notice kinds register themselves with the outbox on import.
        from . import notices  # noqa: F401
        from .case_kind import APPLICATION, EXTENSION

        register(APPLICATION)
        register(EXTENSION)
