"""One row of an uploaded file as the checks see it, and the checks of single values (dates,
choices) that both kinds of file share (``validation.py`` checks the rows against the portal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from core.forms import EARLIEST_DATE, LATEST_DATE
from core.search import fold

from .formats import DATE_FORMATS


@dataclass
class Problem:
    column: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"column": self.column, "message": self.message}


@dataclass
class CheckedRow:
    row: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    # confirm | decline | report; what applying the row does.
    action: str = ""
    # The confirmation (confirm, decline) or permit (report) the row is about.
    target_id: int | None = None
    reference: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))


def describe(row: int, problem: dict[str, str] | Problem) -> str:
    """ "Row 5, column programme_start: …" for a message on its own (a failure, a log)."""
    item = problem.to_dict() if isinstance(problem, Problem) else problem
    if item.get("column"):
        return _("Row %(row)s, column %(column)s: %(message)s") % {"row": row, **item}
    return _("Row %(row)s: %(message)s") % {"row": row, "message": item["message"]}


# --- values ----------------------------------------------------------------------------------


def parse_date(value: str) -> date:
    """A date as an office writes it: 2026-09-16 or 16.09.2026; ``ValueError`` otherwise."""
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
        if EARLIEST_DATE <= day <= LATEST_DATE:
            return day
        break
    raise ValueError(value)


def date_cell(checked: CheckedRow, column: str, *, required: bool) -> date | None:
    value = checked.cells.get(column, "")
    if not value:
        if required:
            checked.problem(column, _("Give the date, for example 2026-09-16 or 16.09.2026."))
        return None
    try:
        return parse_date(value)
    except ValueError:
        checked.problem(
            column,
            _("“%(value)s” is not a date: write it as 2026-09-16 or 16.09.2026.")
            % {"value": value},
        )
        return None


def choice(value: str, values: list[str], aliases: Mapping[str, str]) -> str | None:
    key = fold(value.replace("_", " ").replace("-", " "))
    for candidate in values:
        if key == fold(candidate.replace("_", " ")):
            return candidate
    return aliases.get(key)


def listed(values: list[str]) -> str:
    return ", ".join(values)


def start_row(row: dict[str, Any]) -> CheckedRow:
    checked = CheckedRow(row=int(row["row"]), cells=dict(row["cells"]))
    checked.reference = checked.cells.get("reference", "").strip().upper()
    if row.get("extra"):
        checked.problem(
            "", _("This row has more cells than the first row has column names; remove them.")
        )
    return checked


def not_a_student(reference: str) -> str:
    return _("%(reference)s is not a student of your university.") % {"reference": reference}
