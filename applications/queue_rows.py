"""The application queue's table rows, written in Python rather than through the template
(``cases.queue_cells`` says why); the markup is what ``applications/queue_table.html`` wrote."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cases.queue_cells import Cells, badge, table_body

from .queue import Row, page_names


def rows_html(rows: list[Row]) -> SafeString:
    cells = Cells("officer-review")
    names = page_names([row.application for row in rows])
    too_short = badge("text-bg-danger", _("passport too short"))
    info_overdue = badge("text-bg-warning", _("information overdue"))
    stay_exceeded = badge("text-bg-secondary", _("legal stay exceeded"))
    parts: list[str] = []
    for row in rows:
        a = row.application
        flags = " ".join(
            flag
            for present, flag in (
                (row.passport_too_short, too_short),
                (row.info_overdue, info_overdue),
                (row.legal_stay_exceeded, stay_exceeded),
            )
            if present
        )
        parts.append(
            "<tr>"
            f"<td>{cells.link(a.pk, a.reference)}</td>"
            f"<td>{escape(a.surname)} {escape(a.given_names)}</td>"
            # Masked: the full numbers only on the review page, which records the access.
            f'<td class="text-nowrap"><span class="font-monospace">'
            f"{escape(a.passport_number_masked)}</span><br>"
            f'<span class="font-monospace">{escape(a.fin_masked)}</span></td>'
            f"<td>{escape(row.level_label)}</td>"
            f"<td>{escape(names.universities.get(a.university_id, ''))}</td>"
            f"<td>{escape(names.provinces.get(a.province_id, ''))}</td>"
            f"<td>{cells.date(a.submitted_at)}</td>"
            f"<td>{cells.age(row.sla, row.age_days)}</td>"
            f"<td>{escape(row.status_label)}</td>"
            f"<td>{cells.officer(names.officers.get(a.assignee_id))}</td>"
            f"<td>{flags}</td>"
            "</tr>"
        )
    return table_body(parts, empty=_("No applications match."), columns=11)
