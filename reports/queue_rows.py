"""The reports' queue table rows, written in Python rather than through the template
(``cases.queue_cells`` says why); the markup is what ``reports/queue_table.html`` wrote."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cases.queue_cells import Cells, badge, labels, table_body

from .models import ReportStatus, ReportType
from .queue import Row


def rows_html(rows: list[Row]) -> SafeString:
    cells = Cells("officer-report")
    types, statuses = labels(ReportType), labels(ReportStatus)
    late = badge("text-bg-warning", _("reported late"))
    parts: list[str] = []
    for row in rows:
        r = row.report
        holder = r.permit.application
        parts.append(
            "<tr>"
            f"<td>{cells.link(r.pk, r.reference or '')}</td>"
            f"<td>{escape(holder.surname)} {escape(holder.given_names)}</td>"
            f'<td class="font-monospace">{escape(r.permit.number or "")}</td>'
            f"<td>{escape(types.get(r.type, r.type))}</td>"
            f"<td>{cells.date(r.changed_on)}</td>"
            f"<td>{cells.date(r.submitted_at)}</td>"
            f"<td>{cells.age(row.sla, row.age_days)}</td>"
            f"<td>{escape(statuses.get(r.status, r.status))}</td>"
            f"<td>{cells.assignee(r.assignee)}</td>"
            f"<td>{late if r.late else ''}</td>"
            "</tr>"
        )
    return table_body(parts, empty=_("No reports match."), columns=10)
