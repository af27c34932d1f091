"""What the rows of every kind's queue table share, written in Python (``rows_html``).

Fifty rows of ten or eleven cells cost the template engine about 7 ms a page (a variable
lookup, an escape and a node per cell), a seventh of the queue's time; the Django admin it is
measured against (BENCHMARKS.md) writes its rows in Python too (``items_for_result``). Labels
are translated, and the date format and the review page's address looked up, once per page.
Every value a cell shows is escaped.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from html import escape
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each value's label in the active language, translated once per language: the
    model's ``get_FOO_display`` rebuilds and hashes the (lazy) choices on every call, a tenth
    of the queue's rendering at 50 rows (BENCHMARKS.md)."""
    return _labels_in(choices, get_language() or "")


@functools.cache
def _labels_in(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def table_body(rows: list[str], *, empty: str, columns: int) -> SafeString:
    """The rows (each already escaped), or one row saying ``empty`` across the table."""
    if not rows:
        rows = [f'<tr><td colspan="{columns}">{escape(empty)}</td></tr>']
    return mark_safe("\n".join(rows))  # noqa: S308 # nosec B308 B703 (escaped by the callers)


def badge(css: str, label: str) -> str:
    return f'<span class="badge {css}">{escape(label)}</span>'


class Cells:
    """The shared cells of one page's rows."""

    def __init__(self, review_url_name: str) -> None:
        self.date_format = formats.get_format("SHORT_DATE_FORMAT")
        # The review page's address for one key, then each row's by its own (reverse() per
        # row was a tenth of the rows' time).
        self._before, self._after = reverse(review_url_name, args=[0]).rsplit("0", 1)
        self.waiting = badge("text-bg-light border", _("waiting for the visit"))
        self.sla_badges = {
            "legal": badge("text-bg-danger", _("past legal limit")),
            "target": badge("text-bg-warning", _("past target")),
        }
        self.unassigned = f'<span class="text-body-secondary">{escape(_("unassigned"))}</span>'

    def link(self, pk: int, text: str) -> str:
        return f'<a href="{self._before}{pk}{self._after}">{escape(text)}</a>'

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = timezone.localtime(value)
        return dateformat.format(value, self.date_format)

    def age(self, sla: str, age_days: int | None) -> str:
        """The age in days with its deadline badge, or "waiting for the visit"."""
        if sla == "waiting":
            return self.waiting
        if age_days is None:
            return ""
        return f"{age_days} {self.sla_badges.get(sla, '')}".rstrip()

    def assignee(self, officer: Any) -> str:
        return self.officer(officer.email if officer else None)

    def officer(self, email: str | None) -> str:
        """The assigned officer's address, or "unassigned"."""
        return escape(email) if email else self.unassigned
