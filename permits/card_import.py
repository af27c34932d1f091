"""The card producer's CSV: every row checked and shown before anything is written, then all
rows applied in one transaction, or none.

The file has the columns ``permit_number, status, tracking_number, date`` (in any order, any
case; a comma, a semicolon or a tab between them; UTF-8 with or without Excel's byte-order
mark). ``status`` is one of the card's states after "ordered"; ``tracking_number`` is needed
for "posted" (and, when given on a later row, must be the card's); ``date`` is the day of the
change, 2026-12-03 or 03.12.2026. Rows are read in order, so one file may move a card along
several steps (printed, then posted). A row that names an unknown permit, a move the card's
table does not allow, a bad tracking number, a bad date or the same move as an earlier row is
an error; a file with any error changes nothing.

At most ``MAX_ROWS`` rows and ``MAX_BYTES`` bytes: applied within the request, so the whole
file is one transaction without a background job.

Between the preview and the apply the file travels back with the officer's form, signed (so
what is applied is what was previewed, by the officer who previewed it); it is checked again
under the cards' locks when applied, because cards may have moved meanwhile.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.assignment import require_officer
from cases.errors import WorkflowError

from .card import CardStatus, normalise_tracking_number, validate_tracking_number
from .card_flow import FLOW
from .card_services import card_move_locked, tracking_mismatch
from .models import PermitCard

COLUMNS = ("permit_number", "status", "tracking_number", "date")
MAX_ROWS = 5000
MAX_BYTES = 1024 * 1024
SIGNING_SALT = "permits.card_import"
# The preview's form is good for an hour.
PAYLOAD_MAX_AGE = 60 * 60
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
MOVES = tuple(status for status in CardStatus if status != CardStatus.ORDERED)


class ImportRejected(Exception):
    """The file as a whole cannot be used; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the column names are row 1
    permit_number: str
    status: str
    tracking_number: str
    day: date | None
    card_id: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status_label(self) -> str:
        return str(CardStatus(self.status).label) if self.status in CardStatus.values else ""


@dataclass
class Preview:
    rows: list[Row]
    # The file's cards by id, as read (and, when applying, locked) for the check.
    cards: dict[int, PermitCard] = field(default_factory=dict, repr=False)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0


@dataclass
class Summary:
    applied: int
    by_status: list[tuple[str, int]]


# --- reading -----------------------------------------------------------------------------------


def read_text(upload: UploadedFile) -> str:
    data: bytes = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportRejected(
            _("The file is larger than %(size)s kB; split it into smaller files.")
            % {"size": MAX_BYTES // 1024}
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportRejected(
            _("This is an Excel workbook, not a CSV file: save it as “CSV UTF-8” and upload that.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            _("The file is not saved as UTF-8: save it as “CSV UTF-8” and upload that.")
        ) from exc


def _delimiter(first_line: str) -> str:
    return max((",", ";", "\t"), key=first_line.count)


def _cells(text: str) -> list[tuple[int, dict[str, str]]]:
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0] if lines else ""))
    header = [re.sub(r"\s+", "_", cell.strip().lower()) for cell in next(reader, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ImportRejected(
            _("The first row must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )
    rows = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue  # a spreadsheet's empty row
        cells = dict(zip(header, (value.strip() for value in values), strict=False))
        rows.append((reader.line_num, {column: cells.get(column, "") for column in COLUMNS}))
        if len(rows) > MAX_ROWS:
            raise ImportRejected(
                _("The file has more than %(rows)s rows; split it into smaller files.")
                % {"rows": MAX_ROWS}
            )
    if not rows:
        raise ImportRejected(_("The file has no rows below the column names."))
    return rows


def _parse_day(raw: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


# --- checking ----------------------------------------------------------------------------------


def _check(text: str, *, lock: bool = False) -> Preview:
    """Every row against the cards as they are now and as the rows before it leave them."""
    parsed = _cells(text)
    # Permit numbers are upper case (IKM-AZTR-2026-000123); a spreadsheet may have lowered them.
    for _line, cells in parsed:
        cells["permit_number"] = cells["permit_number"].upper()
    numbers = {cells["permit_number"] for _line, cells in parsed}
    cards = PermitCard.objects.select_related(
        "permit__application__applicant", "permit__application__province"
    ).filter(permit__number__in=numbers)
    if lock:
        cards = cards.select_for_update(of=("self",))
    by_number = {card.permit.number: card for card in cards}
    # Where each card stands after the rows read so far: (status, tracking number).
    state = {number: (card.status, card.tracking_number) for number, card in by_number.items()}
    # Tracking numbers other cards carry already: one query for the whole file.
    in_file = {normalise_tracking_number(cells["tracking_number"]) for _line, cells in parsed}
    taken = dict(
        PermitCard.objects.filter(tracking_number__in=in_file - {""}).values_list(
            "tracking_number", "pk"
        )
    )
    seen: dict[tuple[str, str], int] = {}
    tracking_in_file: dict[str, int] = {}
    today = timezone.localdate()
    rows = []
    for line, cells in parsed:
        status = cells["status"].lower()
        row = Row(
            number=line,
            permit_number=cells["permit_number"],
            status=status,
            tracking_number=normalise_tracking_number(cells["tracking_number"]),
            day=_parse_day(cells["date"]),
        )
        rows.append(row)
        card = by_number.get(row.permit_number)
        if card is None:
            row.errors.append(
                _("No card is known for the permit number “%(number)s”.")
                % {"number": row.permit_number}
            )
        if status not in MOVES:
            row.errors.append(
                _("Unknown status “%(status)s”; use one of: %(statuses)s.")
                % {"status": cells["status"], "statuses": ", ".join(MOVES)}
            )
        if row.day is None:
            row.errors.append(_("Enter the date as 2026-12-03 or 03.12.2026."))
        elif row.day > today:
            row.errors.append(_("The date cannot be in the future."))
        key = (row.permit_number, status)
        if key in seen:
            row.errors.append(
                _("Duplicate of row %(row)s: the same move for the same permit.")
                % {"row": seen[key]}
            )
            continue
        seen[key] = line
        if card is None or status not in MOVES:
            continue
        row.card_id = card.pk
        ordered_on = timezone.localtime(card.ordered_at).date()
        if row.day is not None and row.day < ordered_on:
            row.errors.append(
                _("The date cannot be before the card was ordered (%(date)s).")
                % {"date": ordered_on.isoformat()}
            )
        current, tracking = state[row.permit_number]
        if not FLOW.allows(current, status):
            row.errors.append(
                str(FLOW.not_allowed_message)
                % {"status": FLOW.status_label(current), "target": FLOW.status_label(status)}
            )
        if status == CardStatus.POSTED:
            row.errors.extend(
                _tracking_errors(row, card=card, taken=taken, tracking_in_file=tracking_in_file)
            )
            tracking = row.tracking_number
        elif row.tracking_number and row.tracking_number != tracking:
            row.errors.append(tracking_mismatch(tracking))
        if row.ok:
            state[row.permit_number] = (status, tracking)
    return Preview(rows=rows, cards={card.pk: card for card in by_number.values()})


def _tracking_errors(
    row: Row, *, card: PermitCard, taken: dict[str, int], tracking_in_file: dict[str, int]
) -> list[str]:
    if not row.tracking_number:
        return [_("A posted card needs PTT's tracking number.")]
    try:
        validate_tracking_number(row.tracking_number)
    except ValidationError as exc:
        return list(exc.messages)
    if row.tracking_number in tracking_in_file:
        return [
            _("The tracking number is already on row %(row)s.")
            % {"row": tracking_in_file[row.tracking_number]}
        ]
    tracking_in_file[row.tracking_number] = row.number
    if taken.get(row.tracking_number, card.pk) != card.pk:
        return [
            _("The tracking number %(number)s is already on another card.")
            % {"number": row.tracking_number}
        ]
    return []


def card_import_preview(*, text: str) -> Preview:
    """Each row with what is wrong with it; nothing is written."""
    return _check(text)


# --- carrying the file from the preview to the apply -------------------------------------------


def payload_sign(*, text: str, actor: Any) -> str:
    return signing.dumps({"text": text, "by": actor.pk}, salt=SIGNING_SALT, compress=True)


def payload_text(*, payload: str, actor: Any) -> str:
    """The previewed file, if the form is the one this officer was given, and recent."""
    try:
        value = signing.loads(payload, salt=SIGNING_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ImportRejected(
            _("The preview is more than an hour old: upload the file again.")
        ) from exc
    except signing.BadSignature as exc:
        raise ImportRejected(_("The preview could not be read: upload the file again.")) from exc
    if value.get("by") != actor.pk:
        raise ImportRejected(_("The preview could not be read: upload the file again."))
    return str(value["text"])


# --- applying ----------------------------------------------------------------------------------


class ImportChanged(WorkflowError):
    """Cards moved between the preview and the apply; ``preview`` says which rows now fail."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(
            _("Some cards changed since the preview, so nothing was written: see the rows below.")
        )
        self.preview = preview


def card_import_apply(*, text: str, actor: Any) -> Summary:
    """Apply every row of a previewed file, in order, in one transaction: all or nothing."""
    require_officer(actor)
    try:
        with transaction.atomic():
            preview = _check(text, lock=True)
            if not preview.ok:
                raise ImportChanged(preview)
            for row in preview.rows:
                _apply(row, preview=preview, actor=actor)
    except IntegrityError as exc:
        # Another card took one of the file's tracking numbers after the check.
        raise ImportRejected(
            _(
                "A tracking number of the file was given to another card meanwhile, so nothing "
                "was written: upload the file again to see which."
            )
        ) from exc
    counts = Counter(row.status for row in preview.rows)
    return Summary(
        applied=len(preview.rows),
        by_status=[(str(CardStatus(s).label), counts[s]) for s in MOVES if counts[s]],
    )


def _apply(row: Row, *, preview: Preview, actor: Any) -> None:
    card = preview.cards.get(row.card_id) if row.card_id is not None else None
    if card is None or row.day is None:  # an OK row has both
        raise ImportChanged(preview)
    try:
        card_move_locked(
            card,
            actor=actor,
            to_status=row.status,
            on=row.day,
            tracking_number=row.tracking_number,
            source="import",
            tracking_checked=True,
        )
    except WorkflowError as exc:
        # Leaving the transaction undoes the rows already applied.
        row.errors.append(exc.message)
        raise ImportChanged(preview) from exc
