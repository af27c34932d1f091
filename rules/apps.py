from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rules"
    verbose_name = _("Permit rules")

    def ready(self) -> None:
        # Connects the receivers that drop the cached policy versions when one changes.
        from . import policies  # noqa: F401
