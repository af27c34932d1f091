"""The result file: every uploaded row as it was, with what became of it.

Its columns are the file's own, in the file's order and with its delimiter, then ``outcome``,
``created_reference`` (the confirmation number answered, or the end-of-studies case opened)
and ``message`` (what to correct). Those three are ignored on upload, so a corrected result
file can be uploaded again as it is.

Cells come from the office's own file, but a spreadsheet opening the result would still run a
cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (OWASP "CSV injection"): such a
cell is written with a leading quote, as in the officers' export.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from ..models import BulkState, BulkUpload
from .formats import RESULT_COLUMNS
from .row_checks import describe

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# The codes kept in ``BulkUpload.results``.
CONFIRMED, DECLINED, REPORTED = "confirmed", "declined", "reported"


def csv_safe(value: Any) -> Any:
    """The cell as a spreadsheet will show it, never run it: a leading quote disarms formulas."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _outcome_labels() -> dict[str, str]:
    return {
        CONFIRMED: _("confirmed"),
        DECLINED: _("declined"),
        REPORTED: _("end of studies reported"),
    }


def _row_outcome(upload: BulkUpload, result: dict[str, Any]) -> tuple[str, str]:
    """(outcome, message) of one row, in the current language."""
    problems = result.get("problems") or []
    row = int(result["row"])
    if problems:
        return _("to correct"), " ".join(describe(row, problem) for problem in problems)
    if upload.state == BulkState.APPLIED:
        return _outcome_labels().get(result.get("outcome", ""), ""), ""
    if upload.state == BulkState.FAILED:
        if row == upload.failed_row:
            return _("failed"), upload.failure_message
        return _("not applied"), _("Nothing from this file was written.")
    if upload.state == BulkState.INVALID:
        return _("not applied"), _("Correct the other rows; nothing from this file was written.")
    return _("ready"), ""


def result_csv(upload: BulkUpload) -> str:
    """The whole result file as text, with a byte-order mark for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=upload.delimiter or ",", lineterminator="\r\n")
    writer.writerow([*upload.columns, *RESULT_COLUMNS])
    results = {int(result["row"]): result for result in upload.results}
    for row in upload.rows:
        result = results.get(int(row["row"]), {"row": row["row"]})
        outcome, message = _row_outcome(upload, result)
        cells = [row["cells"].get(column, "") for column in upload.columns]
        writer.writerow(
            [csv_safe(cell) for cell in (*cells, outcome, result.get("created", ""), message)]
        )
    return "\ufeff" + out.getvalue()
