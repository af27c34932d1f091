"""What a university's international office keeps here: the changes it reported about its
students, and the API tokens of its own systems."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.models import EndReason


class Channel(models.TextChoices):
    PAGE = "page", _("Portal page")
    CSV = "csv", _("CSV upload")
    API = "api", _("API")


class StudyEndReport(models.Model):
    """A graduation, withdrawal, suspension or transfer reported by the international office.

    It opens the end-of-studies case (a ``reports.Report``) for the student's permit; this row
    keeps who reported it, how, and when.
    """

    university = models.ForeignKey(
        "universities.University",
        on_delete=models.PROTECT,
        related_name="study_end_reports",
        verbose_name=_("university"),
    )
    permit = models.ForeignKey(
        "permits.Permit",
        on_delete=models.PROTECT,
        related_name="study_end_reports",
        verbose_name=_("permit"),
    )
    report = models.OneToOneField(
        "reports.Report",
        on_delete=models.PROTECT,
        related_name="study_end_report",
        verbose_name=_("end-of-studies case"),
    )
    reason = models.CharField(_("what happened"), max_length=16, choices=EndReason.choices)
    effective_on = models.DateField(_("date"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    channel = models.CharField(_("sent through"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("end of studies reported by a university")
        verbose_name_plural = _("ends of studies reported by universities")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.effective_on:%Y-%m-%d}"


class ApiToken(models.Model):
    """A key for one university's own systems. Shown once when made; only its hash is kept."""

    university = models.ForeignKey(
        "universities.University",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("university"),
    )
    name = models.CharField(_("name"), max_length=80)
    # The first characters of the key, shown in lists so a token can be told apart; the key
    # itself is never stored.
    prefix = models.CharField(_("starts with"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [
            models.Index(
                fields=["university", "created_at"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
