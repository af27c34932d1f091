from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appointments"
    verbose_name = _("Appointments at the provincial offices")

    def ready(self) -> None:
        from applications.flow import on_close
        from cases.registry import register_student_side
        from core.demo import register_demo_step

        # The notice kinds register themselves with the outbox on import.
        from . import notices  # noqa: F401
        from .closing import release_for_closed_case
        from .demo import demo_appointment
        from .student_side import APPOINTMENTS_SIDE

        register_student_side("appointments", APPOINTMENTS_SIDE)
        register_demo_step("appointments", demo_appointment)
        on_close("appointments", release_for_closed_case)
