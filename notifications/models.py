"""The transactional outbox: a notice is a row written with the change that causes it.

The row is committed or rolled back with that change, so a notice is never sent for something
that did not happen and never lost for something that did; Celery only delivers rows.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Application received")
        UNDER_REVIEW = "under_review", _("Review started")
        INFO_REQUESTED = "info_requested", _("Information requested")
        INFO_PROVIDED = "info_provided", _("Response received")
        APPROVED = "approved", _("Application approved")
        REJECTED = "rejected", _("Application refused")
        WITHDRAWN = "withdrawn", _("Application withdrawn")
        MESSAGE = "message", _("New message")
        DRAFT_REMINDER = "draft_reminder", _("Draft about to be deleted")
        PASSPORT_TOO_SHORT = "passport_short", _("Passport not valid long enough")
        PASSPORT_EXPIRING = "passport_expiring", _("Passport expiring")
        PERMIT_EXPIRING = "permit_expiring", _("Permit expiring")
        INFO_DUE = "info_due", _("Information request due")
        INFO_OVERDUE = "info_overdue", _("Information request overdue")
        SUPERVISOR_DIGEST = "supervisor_digest", _("Daily digest of late applications")
        ACCOUNT = "account", _("Account email")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # Account emails may go to an address that is not (yet) a user's primary one.
    to_email = models.EmailField(_("address"))
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    context = models.JSONField(_("context"), default=dict, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The in-app copy: the bell counts the recipient's unread notices.
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due_idx"),
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email} ({self.get_state_display()})"
