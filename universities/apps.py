from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UniversitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "universities"
    verbose_name = _("Universities")

    def ready(self) -> None:
        # Connects the receivers that drop the cached choices when a row changes.
        from . import choices  # noqa: F401
