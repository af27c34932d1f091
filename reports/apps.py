from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Change-of-circumstances reports")

    def ready(self) -> None:
        from cases.registry import register

        # The notice kinds register themselves with the outbox on import.
        from . import notices  # noqa: F401
        from .case_kind import REPORT

        register(REPORT)

    def rotate_secrets(self) -> str:
        """``manage.py rotate_field_keys`` asks every app that holds encrypted fields."""
        from .rotation import report_secrets_rotate

        return f"Rewrote {report_secrets_rotate()} report passport number(s)."

    def anonymise_with(self, application) -> int:
        """``applications/retention.py`` asks every app that keeps data about a case's person."""
        from .retention import reports_anonymise

        return reports_anonymise(application=application)
