"""What a permit holder reports while the permit runs: a new address, a renewed passport, a
change of university or programme, the end of studies. Each report is a case of its own, with
its own table of statuses on the shared engine and its own append-only history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.append_only import AppendOnlyError, AppendOnlyModel  # noqa: F401 (the error is re-exported)
from core.crypto import EncryptedTextField
from core.validators import passport_number_validator
from documents.storage import private_storage


class ReportType(models.TextChoices):
    ADDRESS = "address", _("New address")
    PASSPORT = "passport", _("Renewed passport")
    STUDY = "study", _("Change of university or programme")
    END_OF_STUDIES = "end_of_studies", _("End of studies")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REPORT_STATUSES = (
    ReportStatus.SUBMITTED,
    ReportStatus.UNDER_REVIEW,
    ReportStatus.INFO_REQUESTED,
)


class EndReason(models.TextChoices):
    GRADUATION = "graduation", _("Graduation")
    WITHDRAWAL = "withdrawal", _("Withdrawal from the programme")
    SUSPENSION = "suspension", _("Suspension of studies")
    TRANSFER = "transfer", _("Transfer to another university")


class Report(models.Model):
    """One change reported about one permit."""

    # Given from the row's id right after the insert; NULL until then, as unique allows.
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True)  # noqa: DJ001
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("student"),
    )
    permit = models.ForeignKey(
        "permits.Permit",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("permit"),
    )
    type = models.CharField(_("what changed"), max_length=16, choices=ReportType.choices)
    # Who made the report when it was not the student: their university's international office
    # (a graduation, withdrawal, suspension or transfer it reports).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by the university's office"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("assigned officer"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # When the change happened, and what the policy in force then allowed for reporting it.
    changed_on = models.DateField(_("date of the change"))
    due_on = models.DateField(_("report due by"))
    late = models.BooleanField(_("reported late"), default=False)
    policy_version = models.ForeignKey(
        "rules.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("policy version"),
    )

    # What changed, by type (address fields, university and programme, end reason); the
    # passport number is kept apart, encrypted like every passport number.
    details = models.JSONField(_("details"), default=dict, blank=True)
    passport_number = EncryptedTextField(
        _("passport number"), max_length=12, blank=True, validators=[passport_number_validator]
    )
    # The evidence: the new identity page or student certificate, validated like any upload.
    attachment = models.FileField(
        _("attached document"), storage=private_storage, upload_to="reports/%Y/", blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_type = models.CharField(_("file type"), max_length=64, blank=True)
    attachment_size = models.PositiveIntegerField(_("file size"), default=0)
    attachment_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    info_due_on = models.DateField(_("information due by"), null=True, blank=True)
    decision_note = models.TextField(_("officer's reasons"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # With the application that granted the permit (applications/retention.py).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            # One open report of a kind per permit: a second would only race the first.
            models.UniqueConstraint(
                fields=["permit", "type"],
                condition=Q(status__in=["submitted", "under_review", "info_requested"]),
                name="report_one_open_per_type",
                violation_error_message=_("A report of this kind is already being considered."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="report_queue_idx"),
            models.Index(fields=["assignee", "status"], name="report_assignee_idx"),
            # The queue's default view (open reports, oldest first) read in order and stopped
            # after one page, instead of sorting every open report (30 ms at 110,000 reports).
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status__in=OPEN_REPORT_STATUSES),
                name="report_open_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("report-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES

    @property
    def passport_number_masked(self) -> str:
        from core.crypto import mask

        return mask(self.passport_number or "")


class ReportEvent(AppendOnlyModel):
    """The append-only history of a report (the database refuses changes too: 0002)."""

    class Kind(models.TextChoices):
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        RELEASED = "released", _("Released")
        INFO_PROVIDED = "info_provided", _("Information provided")
        VIEWED = "viewed", _("Opened by an officer")

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="events", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ReportStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ReportStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report} {self.kind}"
