"""A CSV file an international office uploaded: its rows as read, what the check found in each,
and what applying it did.

The file itself is not kept: its rows are (the cells as text, by column), so the preview, the
apply and the result file all work from exactly what was checked. Nothing about a student is
written until the whole file is applied, in one transaction (``university_office.bulk.apply``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BulkKind(models.TextChoices):
    CONFIRMATIONS = "confirmations", _("Enrolment confirmations")
    REPORTS = "reports", _("Ends of studies")


class BulkState(models.TextChoices):
    # Every row passed the check; nothing is written until someone applies the file.
    VALIDATED = "validated", _("Checked, ready to apply")
    # At least one row has a problem: the file cannot be applied; nothing was written.
    INVALID = "invalid", _("Rows to correct")
    APPLYING = "applying", _("Being applied")
    APPLIED = "applied", _("Applied")
    # Applying stopped at a row (answered meanwhile, ...): everything was rolled back.
    FAILED = "failed", _("Not applied")


class BulkUpload(models.Model):
    university = models.ForeignKey(
        "universities.University",
        on_delete=models.PROTECT,
        related_name="bulk_uploads",
        verbose_name=_("university"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BulkKind.choices)
    # A label only, as the office's computer named the file.
    original_name = models.CharField(_("file name"), max_length=255)
    # The file's delimiter, so the result file opens the same way in the office's spreadsheet.
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    # The column names as in the file (normalised to lower case), in the file's order.
    columns = models.JSONField(_("columns"), default=list)
    # [{"row": 2, "cells": {"reference": "EC-2026-000123", ...}}, ...]; "row" is the row number
    # a spreadsheet shows (the column names are row 1).
    rows = models.JSONField(_("rows"), default=list)
    state = models.CharField(_("state"), max_length=16, choices=BulkState.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    invalid_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    applied_count = models.PositiveIntegerField(_("rows applied"), default=0)
    # One entry per row, in the order of ``rows``: {"row": 2, "problems": [{"column": ...,
    # "message": ...}], "outcome": "confirmed" | "declined" | "reported" | "", "created": "..."}.
    results = models.JSONField(_("results"), default=list)
    # Why applying stopped (the row's number and message), when it did.
    failure_message = models.TextField(_("why it was not applied"), blank=True)
    failed_row = models.PositiveIntegerField(_("row that stopped it"), null=True, blank=True)
    result_csv = models.TextField(_("result file"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    apply_started_at = models.DateTimeField(_("applying started"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("CSV upload")
        verbose_name_plural = _("CSV uploads")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=BulkState.values), name="bulkupload_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=BulkKind.values), name="bulkupload_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["university", "-created_at"], name="bulkupload_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def can_apply(self) -> bool:
        return self.state == BulkState.VALIDATED

    @property
    def is_settled(self) -> bool:
        """Checked or applied for good: the result file is final."""
        return self.state != BulkState.APPLYING
