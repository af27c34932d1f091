"""Taking a file in: read it, check every row, keep the rows and what the check found.

Nothing about a student is written here; the upload is kept as ``validated`` (every row can be
applied) or ``invalid`` (some rows must be corrected first).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from accounts.models import User
from universities.models import University

from ..models import BulkKind, BulkState, BulkUpload
from .parsing import CsvRejected, ParsedFile, parse_upload
from .results import result_csv
from .row_checks import CheckedRow
from .validation import check_rows

MAX_NAME_LENGTH = 255

__all__ = ["CsvRejected", "upload_create", "upload_from_parsed"]


def results_of(checked: list[CheckedRow]) -> list[dict[str, Any]]:
    return [
        {
            "row": row.row,
            "problems": [problem.to_dict() for problem in row.problems],
            "outcome": "",
            "created": "",
        }
        for row in checked
    ]


def _clean_name(name: str) -> str:
    name = "".join(ch for ch in (name or "") if ch.isprintable()).strip()
    return name[-MAX_NAME_LENGTH:] or "upload.csv"


def upload_from_parsed(
    *,
    actor: User,
    university: University,
    parsed: ParsedFile,
    original_name: str,
    today: date | None = None,
) -> BulkUpload:
    checked = check_rows(parsed.kind, university, parsed.rows, today=today or timezone.localdate())
    invalid = sum(1 for row in checked if not row.ok)
    upload = BulkUpload(
        university=university,
        uploaded_by=actor,
        kind=parsed.kind,
        original_name=_clean_name(original_name),
        delimiter=parsed.delimiter,
        columns=parsed.columns,
        rows=parsed.rows,
        state=BulkState.INVALID if invalid else BulkState.VALIDATED,
        row_count=len(parsed.rows),
        invalid_count=invalid,
        results=results_of(checked),
    )
    upload.result_csv = result_csv(upload)
    upload.save()
    return upload


def upload_create(
    *, actor: User, university: University, kind: str, file: UploadedFile
) -> BulkUpload:
    """The checked upload; ``CsvRejected`` when the file as a whole cannot be read."""
    if kind not in BulkKind.values:
        raise ValueError(kind)
    parsed = parse_upload(file, kind=kind)
    return upload_from_parsed(
        actor=actor, university=university, parsed=parsed, original_name=file.name or ""
    )
