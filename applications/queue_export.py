"""The application kind's columns in the officers' CSV export of the queue.

Passport numbers and FINs are exported masked only (``C•••••432``): a file leaves the portal,
and nothing records who opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rules.models import Level

from .models import Application, Status
from .queue import queue_row

EXPORT_HEADER = (
    gettext_lazy("Reference"),
    gettext_lazy("Surname"),
    gettext_lazy("Given names"),
    gettext_lazy("Level"),
    gettext_lazy("University"),
    gettext_lazy("Province"),
    gettext_lazy("Submitted"),
    gettext_lazy("Age in days"),
    gettext_lazy("Status"),
    gettext_lazy("Assigned officer"),
    gettext_lazy("Passport too short"),
    gettext_lazy("Information request overdue"),
    gettext_lazy("Legal stay exceeded"),
    # Masked (last characters only), at the end so the earlier columns keep their places.
    gettext_lazy("Passport number (masked)"),
    gettext_lazy("FIN (masked)"),
    # The day the age counts from (LFIP Art. 21(5)); empty while the visit is awaited.
    gettext_lazy("Complete on"),
)


def csv_columns() -> tuple[list[str], Callable[[Application, date], list[Any]]]:
    """The header and a row's cells, with every label translated now (the request's language):
    the lines are written after the view has returned."""
    header = [str(title) for title in EXPORT_HEADER]
    yes, no = _("Yes"), _("No")
    statuses = {s.value: str(s.label) for s in Status}
    levels = {level.value: str(level.label) for level in Level}

    def cells(application: Application, today: date) -> list[Any]:
        row = queue_row(application, today=today)
        return [
            application.reference or "",
            application.surname,
            application.given_names,
            levels.get(application.level, application.level),
            application.university.name if application.university else "",
            application.province.name if application.province else "",
            timezone.localdate(application.submitted_at).isoformat()
            if application.submitted_at
            else "",
            "" if row.age_days is None else row.age_days,
            statuses.get(application.status, application.status),
            application.assignee.email if application.assignee else "",
            yes if row.passport_too_short else no,
            yes if row.info_overdue else no,
            yes if row.legal_stay_exceeded else no,
            application.passport_number_masked,
            application.fin_masked,
            timezone.localdate(application.complete_at).isoformat()
            if application.complete_at
            else "",
        ]

    return header, cells
