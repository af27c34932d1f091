"""The two CSV files an international office can upload, column by column.

**Enrolment confirmations** (``confirmations``): one row per student whose enrolment the office
answers.

======================  ========  ======================================================
column                  needed    what to write
======================  ========  ======================================================
``reference``           always    the confirmation number (``EC-2026-000123``) or the
                                  application's reference (``AZTR-2026-000123``)
``action``              always    ``confirm`` or ``decline``
``level``               confirm   ``associate``, ``bachelor``, ``master`` or ``doctoral``
                                  (also ``ön lisans``, ``lisans``, ``yüksek lisans``,
                                  ``doktora``)
``field``               no        ``general`` (when empty), ``medicine``, ``dentistry``,
                                  ``pharmacy``, ``veterinary``
``programme_start``     confirm   a date: ``2026-09-16`` or ``16.09.2026``
``programme_end``       no        a date after the start
``reason``              decline   why the enrolment cannot be confirmed (the student reads it)
======================  ========  ======================================================

**Ends of studies** (``reports``): one row per student whose studies ended.

======================  ========  ======================================================
``reference``           always    the application's reference or the permit number
``reason``              always    ``graduation``, ``withdrawal``, ``suspension``, ``transfer``
``effective_on``        always    the date it happened (not in the future)
======================  ========  ======================================================

Column names are read without regard to case or surrounding spaces; ``programme start`` and
``programme-start`` are ``programme_start``. The columns of the result file (``outcome``,
``created_reference``, ``message``) are ignored on upload, so a corrected result file can be
uploaded again as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports.models import EndReason
from rules.models import Field, Level

from ..models import BulkKind


@dataclass(frozen=True)
class Column:
    name: str
    # The column must be in the file's first row (a cell may still be empty where the row's
    # action needs no value).
    required: bool
    # When a row needs a value here, in words.
    needed: Promise
    description: Promise
    example: str
    # The values the column takes, when it is a choice.
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Format:
    kind: str
    title: Promise
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


CONFIRM, DECLINE = "confirm", "decline"
ACTIONS = (CONFIRM, DECLINE)

# The result file's own columns, after the uploaded ones.
RESULT_COLUMNS = ("outcome", "created_reference", "message")

# What Turkish offices write for a level or field, as well as the portal's own values. Keys are
# folded (``core.search.fold``: lower case, Turkish letters plain, single spaces).
LEVEL_ALIASES = {
    "on lisans": Level.ASSOCIATE,
    "onlisans": Level.ASSOCIATE,
    "lisans": Level.BACHELOR,
    "yuksek lisans": Level.MASTER,
    "yukseklisans": Level.MASTER,
    "doktora": Level.DOCTORAL,
    "doctorate": Level.DOCTORAL,
    "phd": Level.DOCTORAL,
}
FIELD_ALIASES = {
    "genel": Field.GENERAL,
    "tip": Field.MEDICINE,
    "dis hekimligi": Field.DENTISTRY,
    "eczacilik": Field.PHARMACY,
    "veteriner": Field.VETERINARY,
    "veterinerlik": Field.VETERINARY,
}

# Dates are written either way; a spreadsheet in Türkiye shows 16.09.2026.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


CONFIRMATIONS = Format(
    kind=BulkKind.CONFIRMATIONS,
    title=_("Enrolment confirmations"),
    columns=(
        Column(
            "reference",
            True,
            _("always"),
            _("The confirmation number (EC-…) or the application's reference (AZTR-…)."),
            "EC-2026-000123",
        ),
        Column("action", True, _("always"), _("What the office answers."), CONFIRM, ACTIONS),
        Column(
            "level",
            False,
            _("to confirm"),
            _("The level of study (also ön lisans, lisans, yüksek lisans, doktora)."),
            Level.BACHELOR,
            tuple(Level.values),
        ),
        Column(
            "field",
            False,
            _("no"),
            _("The field of study; general when empty."),
            Field.GENERAL,
            tuple(Field.values),
        ),
        Column(
            "programme_start",
            False,
            _("to confirm"),
            _("The programme's start date, 2026-09-16 or 16.09.2026."),
            "2026-09-16",
        ),
        Column(
            "programme_end",
            False,
            _("no"),
            _("The expected end, after the start; empty if your records show none."),
            "2030-06-30",
        ),
        Column(
            "reason",
            False,
            _("to decline"),
            _("Why the enrolment cannot be confirmed. The student and the officer read this."),
            "",
        ),
    ),
)

REPORTS = Format(
    kind=BulkKind.REPORTS,
    title=_("Ends of studies"),
    columns=(
        Column(
            "reference",
            True,
            _("always"),
            _("The student's application reference (AZTR-…) or permit number."),
            "AZTR-2026-000123",
        ),
        Column(
            "reason",
            True,
            _("always"),
            _("What happened."),
            EndReason.GRADUATION,
            tuple(EndReason.values),
        ),
        Column(
            "effective_on",
            True,
            _("always"),
            _("The date it happened, 2026-06-30 or 30.06.2026; not in the future."),
            "2026-06-30",
        ),
    ),
)

FORMATS: dict[str, Format] = {CONFIRMATIONS.kind: CONFIRMATIONS, REPORTS.kind: REPORTS}

DELIMITERS = {"comma": ",", "semicolon": ";"}


def format_for(kind: str) -> Format:
    return FORMATS[kind]


def template_csv(kind: str, *, delimiter: str = ",") -> str:
    """The empty file to fill in: the column names only (an example row could be applied by
    mistake). A byte-order mark first, so a spreadsheet reads it as UTF-8."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(format_for(kind).names)
    return "\ufeff" + out.getvalue()


def pending_confirmations_csv(confirmations: Iterable[Any], *, delimiter: str = ",") -> str:
    """The office's waiting confirmations as a file to complete: one row each, with what the
    student entered and ``confirm`` as the action, for the office to correct where its records
    differ (or to change to ``decline`` with a reason) and upload back."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    names = format_for("confirmations").names
    writer.writerow(names)
    for confirmation in confirmations:
        application = confirmation.application
        values = {
            "reference": confirmation.number,
            "action": CONFIRM,
            "level": application.level,
            "field": application.field,
            "programme_start": application.programme_start.isoformat()
            if application.programme_start
            else "",
            "programme_end": application.programme_end.isoformat()
            if application.programme_end
            else "",
            "reason": "",
        }
        writer.writerow([values.get(name, "") for name in names])
    return "\ufeff" + out.getvalue()
