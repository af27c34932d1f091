"""The application queue's table rows, written in Python rather than through the template.

Fifty rows of eleven cells cost the template engine about 7 ms a page (a variable lookup, an
escape and a node per cell), a seventh of the queue's whole time, which the Django admin it is
measured against (BENCHMARKS.md) spends in Python too (``items_for_result``). Every value is
escaped here; the markup is what ``applications/queue_table.html`` wrote before.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .queue import Row


def _badge(css: str, label: str) -> str:
    return f'<span class="badge {css}">{escape(label)}</span>'


def rows_html(rows: list[Row]) -> SafeString:
    if not rows:
        return mark_safe(  # noqa: S308 # nosec B308 B703 (escaped)
            f'<tr><td colspan="11">{escape(_("No applications match."))}</td></tr>'
        )
    # Each label once per page, not once per row.
    waiting = _badge("text-bg-light border", _("waiting for the visit"))
    sla_badges = {
        "legal": _badge("text-bg-danger", _("past legal limit")),
        "target": _badge("text-bg-warning", _("past target")),
    }
    unassigned = f'<span class="text-body-secondary">{escape(_("unassigned"))}</span>'
    too_short = _badge("text-bg-danger", _("passport too short"))
    info_overdue = _badge("text-bg-warning", _("information overdue"))
    stay_exceeded = _badge("text-bg-secondary", _("legal stay exceeded"))
    date_format = formats.get_format("SHORT_DATE_FORMAT")
    # The review page's address for one key, then each row's by its own (reverse() per row
    # was a tenth of this function).
    before, after = reverse("officer-review", args=[0]).rsplit("0", 1)
    parts: list[str] = []
    for row in rows:
        a = row.application
        if row.sla == "waiting":
            age = waiting
        elif row.age_days is not None:
            age = f"{row.age_days} {sla_badges.get(row.sla, '')}".rstrip()
        else:
            age = ""
        submitted = (
            dateformat.format(timezone.localtime(a.submitted_at), date_format)
            if a.submitted_at
            else ""
        )
        flags = " ".join(
            badge
            for present, badge in (
                (row.passport_too_short, too_short),
                (row.info_overdue, info_overdue),
                (row.legal_stay_exceeded, stay_exceeded),
            )
            if present
        )
        assignee = escape(a.assignee.email) if a.assignee else unassigned
        parts.append(
            "<tr>"
            f'<td><a href="{before}{a.pk}{after}">{escape(a.reference)}</a></td>'
            f"<td>{escape(a.surname)} {escape(a.given_names)}</td>"
            # Masked: the full numbers only on the review page, which records the access.
            f'<td class="text-nowrap"><span class="font-monospace">'
            f"{escape(a.passport_number_masked)}</span><br>"
            f'<span class="font-monospace">{escape(a.fin_masked)}</span></td>'
            f"<td>{escape(row.level_label)}</td>"
            f"<td>{escape(str(a.university or ''))}</td>"
            f"<td>{escape(str(a.province or ''))}</td>"
            f"<td>{submitted}</td>"
            f"<td>{age}</td>"
            f"<td>{escape(row.status_label)}</td>"
            f"<td>{assignee}</td>"
            f"<td>{flags}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 # nosec B308 B703 (escaped above)
