from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UniversityOfficeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "university_office"
    verbose_name = _("Universities' international offices")
