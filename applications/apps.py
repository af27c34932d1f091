from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from django.core import checks

        # Connects the receivers that drop the cached policy versions when one changes.
        from . import policies  # noqa: F401
        from .crypto import check_keys

        checks.register(check_keys)
