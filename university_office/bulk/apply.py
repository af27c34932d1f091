"""Applying a checked file: every row through the same services as the office's pages, all in
ONE transaction, so a file is applied completely or not at all.

1. ``apply_claim`` moves the upload from ``validated`` to ``applying`` with one conditional
   UPDATE: two people pressing "Apply" at once (or twice) apply it once.
2. ``apply_upload`` opens the transaction, locks the upload row, checks every row again (the
   confirmations locked: a colleague may have answered one since the preview) and then calls
   ``enrolment_confirm`` / ``enrolment_decline`` / ``study_end_report`` with ``channel="csv"``
   for each row. The upload becomes ``applied`` in the same transaction as the rows' writes.
3. When a row fails (the check, or the service refusing it), the transaction is rolled back —
   nothing of the file stays — and the upload is marked ``failed`` with that row's message
   (after the rollback, so that mark is kept).

A task run twice (redelivered after a worker was lost) finds the upload ``applied`` and does
nothing, or still ``applying`` with everything rolled back, and applies it from the start.
Progress goes to the cache (``progress.py``) while the transaction is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.enrolment import enrolment_confirm, enrolment_decline
from cases.errors import WorkflowError

from ..models import BulkState, BulkUpload, Channel
from ..services import study_end_report
from .formats import CONFIRM, DECLINE
from .progress import progress_clear, progress_set
from .results import CONFIRMED, DECLINED, REPORTED, result_csv
from .row_checks import CheckedRow, describe
from .uploads import results_of
from .validation import REPORT, check_rows

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# The background task's hard time limit (``tasks.py``); an upload still "applying" well after
# it was started belongs to a run that was cut off (a killed worker, a request that timed out),
# whose transaction was rolled back.
APPLY_TIME_LIMIT = 600
STALE_AFTER = timedelta(seconds=APPLY_TIME_LIMIT + 300)


class RowFailed(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


def apply_claim(upload: BulkUpload, *, actor: User) -> bool:
    """Whether this caller may apply the upload now (it was ``validated``; it is ``applying``)."""
    claimed = BulkUpload.objects.filter(pk=upload.pk, state=BulkState.VALIDATED).update(
        state=BulkState.APPLYING, applied_by=actor, apply_started_at=timezone.now()
    )
    return bool(claimed)


def apply_release(upload: BulkUpload) -> None:
    """Back to ``validated`` (the background worker could not be reached; nothing ran)."""
    BulkUpload.objects.filter(pk=upload.pk, state=BulkState.APPLYING).update(
        state=BulkState.VALIDATED, applied_by=None, apply_started_at=None
    )


def apply_reap_stale(upload: BulkUpload) -> BulkUpload:
    """An upload left "applying" by a run that was cut off is marked failed: nothing of it
    was written (the upload would be "applied" in the same commit otherwise)."""
    if upload.state != BulkState.APPLYING or upload.apply_started_at is None:
        return upload
    if timezone.now() - upload.apply_started_at < STALE_AFTER:
        return upload
    with transaction.atomic():
        # A run that still holds the row is not cut off, only slow: leave it.
        locked = BulkUpload.objects.select_for_update(skip_locked=True).filter(pk=upload.pk)
        if locked.first() is None:
            return upload
        logger.warning("CSV upload %s was left applying; marked failed.", upload.pk)
        progress_clear(upload.pk)
        return _mark_failed(
            upload.pk,
            row=None,
            message=_(
                "Applying was interrupted before it finished. Nothing from this file was "
                "written; upload it again."
            ),
        )


def _apply_row(row: CheckedRow, *, actor: User, today: date) -> tuple[str, str]:
    """(outcome, reference created) of one row, written through the services."""
    values: dict[str, Any] = row.values
    if row.target_id is None:  # a checked row always has its target
        raise ValueError(row.row)
    if row.action == CONFIRM:
        confirmation = enrolment_confirm(
            confirmation_id=row.target_id,
            actor=actor,
            level=values["level"],
            field=values["field"],
            programme_start=date.fromisoformat(values["programme_start"]),
            programme_end=date.fromisoformat(values["programme_end"])
            if values["programme_end"]
            else None,
            channel=Channel.CSV,
        )
        return CONFIRMED, confirmation.number or ""
    if row.action == DECLINE:
        confirmation = enrolment_decline(
            confirmation_id=row.target_id, actor=actor, reason=values["reason"], channel=Channel.CSV
        )
        return DECLINED, confirmation.number or ""
    if row.action == REPORT:
        record = study_end_report(
            actor=actor,
            reference=row.reference,
            reason=values["reason"],
            effective_on=date.fromisoformat(values["effective_on"]),
            channel=Channel.CSV,
            today=today,
        )
        return REPORTED, record.report.reference or ""
    raise ValueError(row.action)


def _every(total: int) -> int:
    """Progress is written about a hundred times per file, not for every row."""
    return max(1, total // 100)


def apply_upload(
    upload_id: int, *, actor: User, progress: Progress | None = None, today: date | None = None
) -> BulkUpload:
    """Apply a claimed upload (``applying``) completely, or mark it ``failed``; the upload as
    it is afterwards. Any other state is left as it is."""
    today = today or timezone.localdate()
    current_row = 0
    try:
        with transaction.atomic():
            upload = BulkUpload.objects.select_for_update().get(pk=upload_id)
            if upload.state != BulkState.APPLYING:
                return upload
            total = len(upload.rows)
            if progress:
                progress(0, total)
            checked = check_rows(
                upload.kind, upload.university, upload.rows, today=today, lock=True
            )
            for row in checked:
                if row.problems:
                    raise RowFailed(row.row, describe(row.row, row.problems[0]))
            results = results_of(checked)
            step = _every(total)
            for done, (row, result) in enumerate(zip(checked, results, strict=True), start=1):
                current_row = row.row
                try:
                    result["outcome"], result["created"] = _apply_row(row, actor=actor, today=today)
                except WorkflowError as exc:
                    raise RowFailed(row.row, describe(row.row, {"message": exc.message})) from exc
                if progress and (done % step == 0 or done == total):
                    progress(done, total)
            upload.state = BulkState.APPLIED
            upload.results = results
            upload.applied_count = total
            upload.applied_at = timezone.now()
            upload.failure_message, upload.failed_row = "", None
            upload.result_csv = result_csv(upload)
            upload.save(
                update_fields=[
                    "state",
                    "results",
                    "applied_count",
                    "applied_at",
                    "failure_message",
                    "failed_row",
                    "result_csv",
                ]
            )
            return upload
    except RowFailed as failure:
        return _mark_failed(upload_id, row=failure.row, message=failure.message)
    except Exception:
        logger.exception("Applying CSV upload %s stopped at row %s.", upload_id, current_row)
        if current_row:
            message = _(
                "Applying stopped at row %(row)s because of an error on the portal. Nothing from "
                "this file was written; upload it again later."
            ) % {"row": current_row}
        else:
            message = _(
                "Applying stopped because of an error on the portal. Nothing from this file was "
                "written; upload it again later."
            )
        return _mark_failed(upload_id, row=current_row or None, message=message)
    finally:
        progress_clear(upload_id)


def _mark_failed(upload_id: int, *, row: int | None, message: str) -> BulkUpload:
    """After the rollback: the upload says why nothing was written."""
    with transaction.atomic():
        upload = BulkUpload.objects.select_for_update().get(pk=upload_id)
        if upload.state != BulkState.APPLYING:
            return upload
        upload.state = BulkState.FAILED
        upload.failed_row = row
        upload.failure_message = message
        upload.applied_count = 0
        upload.result_csv = result_csv(upload)
        upload.save(
            update_fields=["state", "failed_row", "failure_message", "applied_count", "result_csv"]
        )
        return upload


def apply_with_progress(upload_id: int, *, actor: User) -> BulkUpload:
    """``apply_upload`` writing its progress to the cache, for the status page."""

    def report(done: int, total: int) -> None:
        progress_set(upload_id, done, total)

    return apply_upload(upload_id, actor=actor, progress=report)
