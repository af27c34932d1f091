"""Reading an uploaded CSV file into rows, or saying in plain words why it cannot be read.

* **Size.** At most ``UNIVERSITY_BULK_MAX_BYTES`` (2 MB) are accepted and at most one byte more
  is read; at most ``UNIVERSITY_BULK_MAX_ROWS`` (2,000) rows, so a file is applied well within
  a worker's time limit. Both are read from settings on every call.
* **Text.** UTF-8, with or without the byte-order mark Excel writes. A workbook (``.xlsx``,
  ``.xls``), a PDF, UTF-16 text ("Unicode text") or another encoding is refused with what to
  do instead.
* **Delimiter.** A comma, or a semicolon as Excel writes CSV in Türkiye (and elsewhere where
  the comma is the decimal sign), or a tab: the one the first row uses most.
* **Columns.** The first row names them, in any order, without regard to case or spaces; a
  missing or unknown column, or one named twice, refuses the file. The result file's columns
  are ignored, so a corrected result file can be uploaded again.
* **Rows.** Empty rows (a spreadsheet's trailing ``;;;;``) are skipped. A row's number is the
  one a spreadsheet shows: the column names are row 1.

Nothing here looks at the database: ``validation.py`` checks each row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .formats import RESULT_COLUMNS, format_for

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_ROWS = 2000
READ_CHUNK = 64 * 1024


class CsvRejected(Exception):
    """The file as a whole cannot be used; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedFile:
    kind: str
    delimiter: str
    # Normalised column names in the file's order (without ignored result columns).
    columns: list[str]
    # [{"row": 2, "cells": {"reference": "...", ...}, "extra": False}, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "UNIVERSITY_BULK_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "UNIVERSITY_BULK_MAX_ROWS", DEFAULT_MAX_ROWS))


def _save_as_csv() -> str:
    return _(
        "In Excel choose File → Save As and the type “CSV UTF-8 (Comma delimited) (*.csv)”, "
        "then upload that file."
    )


def read_upload(upload: UploadedFile) -> bytes:
    """The file's bytes, refused when larger than the limit (one byte more is read at most)."""
    limit = max_bytes()
    data = bytearray()
    upload.seek(0)
    while len(data) <= limit:
        chunk = upload.read(min(READ_CHUNK, limit + 1 - len(data)))
        if not chunk:
            break
        data.extend(chunk)
    if len(data) > limit:
        raise CsvRejected(
            _("The file is larger than %(size)s; split it into smaller files.")
            % {"size": _size(limit)}
        )
    return bytes(data)


def _size(limit: int) -> str:
    return str(filesizeformat(limit))


def decode(data: bytes) -> str:
    """The file as text, or why it is not a UTF-8 CSV file."""
    if not data.strip():
        raise CsvRejected(_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvRejected(_("This is an Excel workbook, not a CSV file.") + " " + _save_as_csv())
    if data.startswith(b"%PDF-"):
        raise CsvRejected(_("This is a PDF document, not a CSV file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRejected(
            _("This file is saved as “Unicode text” (UTF-16), not as UTF-8.") + " " + _save_as_csv()
        )
    if b"\x00" in data:
        raise CsvRejected(_("This is not a text file, so it cannot be a CSV file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRejected(
            _("The file is not saved as UTF-8, so letters like ş, ğ and ə would be lost.")
            + " "
            + _save_as_csv()
        ) from exc


def sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def normalise_column(name: str) -> str:
    """``" Programme Start "`` → ``programme_start``."""
    name = name.replace("\ufeff", "").strip().lower()
    return "_".join(name.replace("-", " ").replace("_", " ").split())


def _clean_cell(value: str) -> str:
    return value.replace("\u00a0", " ").strip()


def parse_text(text: str, *, kind: str) -> ParsedFile:
    spec = format_for(kind)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header_cells = next(reader, None)
        if header_cells is None:
            raise CsvRejected(_("The file is empty."))
        header = [normalise_column(cell) for cell in header_cells]
        positions = _check_header(header, spec.names, spec.required_names)
        limit = max_rows()
        parsed = ParsedFile(kind=kind, delimiter=delimiter, columns=list(positions))
        used = set(positions.values()) | _ignored_positions(header)
        for number, record in enumerate(reader, start=2):
            cells = [_clean_cell(cell) for cell in record]
            if not any(cells):
                continue
            if len(parsed.rows) >= limit:
                raise CsvRejected(
                    ngettext(
                        "The file has more than %(limit)s row; split it into smaller files.",
                        "The file has more than %(limit)s rows; split it into smaller files.",
                        limit,
                    )
                    % {"limit": limit}
                )
            named = {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}
            extra = any(value for i, value in enumerate(cells) if i not in used)
            parsed.rows.append({"row": number, "cells": named, "extra": extra})
    except csv.Error as exc:
        raise CsvRejected(
            _(
                "The file could not be read as CSV at row %(row)s (%(error)s). Save it from "
                "your spreadsheet again as CSV."
            )
            % {"row": reader.line_num, "error": exc}
        ) from exc
    if not parsed.rows:
        raise CsvRejected(_("The file has the column names but no rows."))
    return parsed


def _ignored_positions(header: list[str]) -> set[int]:
    return {i for i, name in enumerate(header) if name in RESULT_COLUMNS}


def _check_header(
    header: list[str], names: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, int]:
    """Column name → position in the row, or why the first row is not usable."""
    expected = ", ".join(names)
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name or name in RESULT_COLUMNS:
            continue
        if name not in names:
            raise CsvRejected(
                _(
                    "The file has a column “%(column)s” that this kind of file does not have. "
                    "The first row must name the columns: %(columns)s."
                )
                % {"column": name, "columns": expected}
            )
        if name in positions:
            raise CsvRejected(
                _("The column “%(column)s” is named twice in the first row.") % {"column": name}
            )
        positions[name] = i
    missing = [name for name in required if name not in positions]
    if missing:
        raise CsvRejected(
            ngettext(
                "The file has no column “%(missing)s”. The first row must name the columns: "
                "%(columns)s.",
                "The file has no columns “%(missing)s”. The first row must name the columns: "
                "%(columns)s.",
                len(missing),
            )
            % {"missing": "”, “".join(missing), "columns": expected}
        )
    return positions


def parse_upload(upload: UploadedFile, *, kind: str) -> ParsedFile:
    """The upload's rows, or ``CsvRejected`` with what is wrong with the file as a whole."""
    return parse_text(decode(read_upload(upload)), kind=kind)
