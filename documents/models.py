"""Uploaded files of a case, kept in private storage; replaced ones stay as evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rules import eligibility

from .storage import private_storage


class Document(models.Model):
    """An uploaded file. Replaced documents are kept (``is_current=False``) as evidence."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Not reviewed yet")
        ACCEPTED = "accepted", _("Accepted")
        NEEDS_REPLACEMENT = "needs_replacement", _("Needs replacement")

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    # The kinds and their labels come from the rule engine's checklist: one source of truth.
    kind = models.CharField(_("kind"), max_length=32, choices=eligibility.DOCUMENT_KINDS)
    file = models.FileField(_("file"), storage=private_storage, upload_to="documents/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    is_current = models.BooleanField(_("current"), default=True)
    review = models.CharField(
        _("review"), max_length=20, choices=Review.choices, default=Review.PENDING
    )
    review_reason = models.TextField(_("reason given to the applicant"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_document"
        ordering = ["application", "kind", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(is_current=True) & ~Q(kind="other"),
                name="document_one_current_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
