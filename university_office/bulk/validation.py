"""Every row of an uploaded file checked against the portal, before anything is written (the
row itself and its single values: ``row_checks.py``).

A row is checked for what the services would refuse, so a file that passes here applies
(unless something changes between the preview and the apply: a colleague answers a
confirmation meanwhile, and ``apply.py`` checks again inside its transaction):

* the reference: missing, not in the form of one, or not one of the office's students. A
  reference of another university's student gets the same answer as one that does not exist
  ("not a student of your university"), so the file reveals nothing about other universities;
* the same student twice in the file (by whichever reference): the later row is the problem;
* confirmations: already answered or no longer needed; the action (confirm or decline); for a
  confirmation the level, field and dates (ISO ``2026-09-16`` or ``16.09.2026``, the end after
  the start); for a refusal the reason;
* ends of studies: a student with no valid permit, an end of studies already being considered,
  the reason, the date (not in the future, not before the permit started).

Each problem names the row (as a spreadsheet numbers it) and the column; the messages are
translated in the language of the person who uploaded the file.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from applications.models import EnrolmentConfirmation, EnrolmentStatus
from core.search import fold
from permits.models import Permit
from reports.models import EndReason, Report, ReportStatus, ReportType
from rules.models import Field, Level
from universities.models import University

from ..models import BulkKind
from ..selectors import current_permit_of, university_cases
from .formats import (
    ACTIONS,
    CONFIRM,
    DECLINE,
    FIELD_ALIASES,
    LEVEL_ALIASES,
)
from .row_checks import (
    CheckedRow,
    choice,
    date_cell,
    listed,
    not_a_student,
    start_row,
)

REPORT = "report"
MAX_REASON_LENGTH = 2000

CONFIRMATION_REFERENCE_RE = re.compile(r"^(EC|AZTR)-\d{4}-\d{6}$")
STUDENT_REFERENCE_RE = re.compile(r"^(IKM-)?AZTR-\d{4}-\d{6}$")
OPEN_REPORT_STATUSES = (
    ReportStatus.SUBMITTED,
    ReportStatus.UNDER_REVIEW,
    ReportStatus.INFO_REQUESTED,
)


# --- the two kinds ---------------------------------------------------------------------------


def check_rows(
    kind: str,
    university: University,
    rows: list[dict[str, Any]],
    *,
    today: date,
    lock: bool = False,
) -> list[CheckedRow]:
    """Every row checked, in the file's order. ``lock`` (inside the applying transaction) locks
    the confirmations or permits the rows name, so nobody answers or reports them until it
    ends."""
    if kind == BulkKind.CONFIRMATIONS:
        return _check_confirmations(university, rows, lock=lock)
    if kind == BulkKind.REPORTS:
        return _check_reports(university, rows, today=today, lock=lock)
    raise ValueError(kind)


def _confirmations(
    university: University, references: set[str], *, lock: bool
) -> dict[str, EnrolmentConfirmation]:
    """The office's confirmations named by the references, by number and application
    reference (``selectors.confirmation_by_reference`` for many at once)."""
    if not references:
        return {}
    query = (
        EnrolmentConfirmation.objects.filter(university=university)
        .filter(Q(number__in=references) | Q(application__reference__in=references))
        .select_related("application")
        .only("pk", "number", "status", "version", "university_id", "application__reference")
        .order_by("pk")
    )
    if lock:
        query = query.select_for_update(of=("self",))
    found: dict[str, EnrolmentConfirmation] = {}
    for confirmation in query:
        if confirmation.number:
            found[confirmation.number] = confirmation
        if confirmation.application.reference:
            found[confirmation.application.reference] = confirmation
    return found


def _check_confirmations(
    university: University, rows: list[dict[str, Any]], *, lock: bool
) -> list[CheckedRow]:
    checked_rows = [start_row(row) for row in rows]
    found = _confirmations(
        university, {c.reference for c in checked_rows if c.reference}, lock=lock
    )
    first_row: dict[int, int] = {}
    for checked in checked_rows:
        _confirmation_reference(checked, found, first_row)
        _confirmation_action(checked)
    return checked_rows


def _confirmation_reference(
    checked: CheckedRow, found: dict[str, EnrolmentConfirmation], first_row: dict[int, int]
) -> None:
    reference = checked.reference
    if not reference:
        checked.problem(
            "reference", _("Give the confirmation number or the application's reference.")
        )
        return
    confirmation = found.get(reference)
    if confirmation is None:
        if CONFIRMATION_REFERENCE_RE.match(reference):
            checked.problem("reference", not_a_student(reference))
        else:
            checked.problem(
                "reference",
                _(
                    "“%(reference)s” is not a confirmation number (EC-2026-000123) or an "
                    "application reference (AZTR-2026-000123)."
                )
                % {"reference": checked.cells.get("reference", "")},
            )
        return
    checked.target_id = confirmation.pk
    checked.values["number"] = confirmation.number or ""
    if confirmation.pk in first_row:
        checked.problem(
            "reference",
            _("This student is already in row %(row)s; give each student once.")
            % {"row": first_row[confirmation.pk]},
        )
        return
    first_row[confirmation.pk] = checked.row
    if confirmation.status == EnrolmentStatus.CANCELLED:
        checked.problem(
            "reference",
            _("%(number)s is no longer needed: the application was decided or withdrawn.")
            % {"number": confirmation.number},
        )
    elif confirmation.status != EnrolmentStatus.REQUESTED:
        checked.problem(
            "reference",
            _("%(number)s was already answered: “%(status)s”.")
            % {"number": confirmation.number, "status": confirmation.get_status_display()},
        )


def _confirmation_action(checked: CheckedRow) -> None:
    raw = checked.cells.get("action", "")
    action = fold(raw)
    if action not in ACTIONS:
        if raw:
            message = _("“%(value)s” is not an action: write confirm or decline.") % {"value": raw}
        else:
            message = _("Write confirm or decline.")
        checked.problem("action", message)
        return
    checked.action = action
    if action == CONFIRM:
        _confirm_facts(checked)
    elif action == DECLINE:
        reason = checked.cells.get("reason", "")
        if not reason:
            checked.problem("reason", _("Give the reason the enrolment cannot be confirmed."))
        elif len(reason) > MAX_REASON_LENGTH:
            checked.problem(
                "reason",
                _("The reason is longer than %(limit)s characters.") % {"limit": MAX_REASON_LENGTH},
            )
        checked.values["reason"] = reason


def _confirm_facts(checked: CheckedRow) -> None:
    raw_level = checked.cells.get("level", "")
    level = choice(raw_level, Level.values, LEVEL_ALIASES) if raw_level else None
    if not raw_level:
        checked.problem(
            "level", _("Give the level of study: %(values)s.") % {"values": listed(Level.values)}
        )
    elif level is None:
        checked.problem(
            "level",
            _("“%(value)s” is not a level of study: write one of %(values)s.")
            % {"value": raw_level, "values": listed(Level.values)},
        )
    raw_field = checked.cells.get("field", "")
    study_field = choice(raw_field, Field.values, FIELD_ALIASES) if raw_field else Field.GENERAL
    if study_field is None:
        checked.problem(
            "field",
            _("“%(value)s” is not a field of study: write one of %(values)s.")
            % {"value": raw_field, "values": listed(Field.values)},
        )
    start = date_cell(checked, "programme_start", required=True)
    end = date_cell(checked, "programme_end", required=False)
    if start and end and end <= start:
        checked.problem("programme_end", _("The expected end must be after the programme's start."))
    checked.values.update(
        level=level or "",
        field=study_field or "",
        programme_start=start.isoformat() if start else "",
        programme_end=end.isoformat() if end else "",
    )


def _check_reports(
    university: University, rows: list[dict[str, Any]], *, today: date, lock: bool
) -> list[CheckedRow]:
    checked_rows = [start_row(row) for row in rows]
    permits: dict[str, Permit | None] = {}
    for reference in {c.reference for c in checked_rows if c.reference}:
        permits[reference] = current_permit_of(university, reference)
    permit_ids = {permit.pk for permit in permits.values() if permit is not None}
    if lock and permit_ids:
        # In one order for every file, so two files naming the same students never deadlock.
        list(Permit.objects.select_for_update().filter(pk__in=permit_ids).order_by("pk").only("pk"))
    open_reports = dict(
        Report.objects.filter(
            permit_id__in=permit_ids,
            type=ReportType.END_OF_STUDIES,
            status__in=OPEN_REPORT_STATUSES,
        ).values_list("permit_id", "reference")
    )
    first_row: dict[int, int] = {}
    for checked in checked_rows:
        permit = _report_reference(checked, university, permits, open_reports, first_row)
        _report_facts(checked, permit, today=today)
    return checked_rows


def _report_reference(
    checked: CheckedRow,
    university: University,
    permits: dict[str, Permit | None],
    open_reports: dict[int, str | None],
    first_row: dict[int, int],
) -> Permit | None:
    reference = checked.reference
    if not reference:
        checked.problem(
            "reference", _("Give the student's application reference or permit number.")
        )
        return None
    permit = permits.get(reference)
    if permit is None:
        if not STUDENT_REFERENCE_RE.match(reference):
            checked.problem(
                "reference",
                _(
                    "“%(reference)s” is not an application reference (AZTR-2026-000123) or a "
                    "permit number."
                )
                % {"reference": checked.cells.get("reference", "")},
            )
        elif (
            university_cases(university)
            .filter(Q(reference=reference) | Q(permit__number=reference))
            .exists()
        ):
            checked.problem(
                "reference",
                _(
                    "%(reference)s has no valid residence permit; an end of studies is "
                    "reported while a permit is valid."
                )
                % {"reference": reference},
            )
        else:
            checked.problem("reference", not_a_student(reference))
        return None
    checked.target_id = permit.pk
    checked.values["permit"] = permit.number
    if permit.pk in first_row:
        checked.problem(
            "reference",
            _("This student is already in row %(row)s; give each student once.")
            % {"row": first_row[permit.pk]},
        )
        return None
    first_row[permit.pk] = checked.row
    if permit.pk in open_reports:
        checked.problem(
            "reference",
            _("An end of studies of this student is already being considered (%(report)s).")
            % {"report": open_reports[permit.pk] or ""},
        )
    return permit


def _report_facts(checked: CheckedRow, permit: Permit | None, *, today: date) -> None:
    checked.action = REPORT
    raw = checked.cells.get("reason", "")
    reason = choice(raw, EndReason.values, {}) if raw else None
    if reason is None:
        checked.problem(
            "reason",
            _("“%(value)s” is not what happened: write one of %(values)s.")
            % {"value": raw, "values": listed(EndReason.values)}
            if raw
            else _("Write what happened: %(values)s.") % {"values": listed(EndReason.values)},
        )
    effective_on = date_cell(checked, "effective_on", required=True)
    if effective_on is not None:
        if effective_on > today:
            checked.problem("effective_on", _("The date cannot be in the future."))
        elif permit is not None and effective_on < permit.valid_from:
            checked.problem(
                "effective_on",
                _("The change happened before this permit started; it needs no report."),
            )
    checked.values.update(
        reason=reason or "", effective_on=effective_on.isoformat() if effective_on else ""
    )
