"""What a university's international office says about a student's enrolment.

Asked when the student hands an application (first or extension) in; answered by the office:
the level, field and programme dates it holds (the same as the student's, or corrected), or a
refusal with a reason. The rule engine uses the confirmed facts where there are some
(``workflow.application_rule_input``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rules.models import Field, Level
from universities.models import University

from .case import Application


class EnrolmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the university")
    CONFIRMED = "confirmed", _("Confirmed by the university")
    DECLINED = "declined", _("Not confirmed by the university")
    # The application was withdrawn or decided before the university answered.
    CANCELLED = "cancelled", _("No longer needed")


# The facts a confirmation holds, named as on the application (compared field by field).
CONFIRMED_FIELDS = ("level", "field", "programme_start", "programme_end")


class EnrolmentConfirmation(models.Model):
    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="enrolment",
        verbose_name=_("application"),
    )
    university = models.ForeignKey(
        University,
        on_delete=models.PROTECT,
        related_name="enrolment_confirmations",
        verbose_name=_("university"),
    )
    # Given from the row's id right after the insert; shown on the application and the review.
    number = models.CharField(_("confirmation number"), max_length=20, unique=True, null=True)  # noqa: DJ001
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.REQUESTED,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The engine's case protocol; a confirmation is never assigned.
    assignee = None

    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    field = models.CharField(_("field"), max_length=16, choices=Field.choices, blank=True)
    programme_start = models.DateField(_("programme start"), null=True, blank=True)
    programme_end = models.DateField(_("expected end"), null=True, blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)

    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("enrolment confirmation")
        verbose_name_plural = _("enrolment confirmations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(programme_start__isnull=False) & ~Q(level=""),
                name="enrolment_confirmed_has_facts",
            ),
            models.CheckConstraint(
                condition=Q(programme_end__isnull=True)
                | Q(programme_start__isnull=True)
                | Q(programme_end__gt=F("programme_start")),
                name="enrolment_end_after_start",
            ),
        ]
        indexes = [
            # A university's pending list and the reminder sweep.
            models.Index(
                fields=["university", "requested_at"],
                condition=Q(status="requested"),
                name="enrolment_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == EnrolmentStatus.CONFIRMED

    def differences(self) -> frozenset[str]:
        """The facts the university corrected: where its answer differs from the student's."""
        if not self.is_confirmed:
            return frozenset()
        return self.differences_from_entries()

    def differences_from_entries(self) -> frozenset[str]:
        """Where the facts on this row differ from the student's, whatever its status (the
        answer being recorded, before it is confirmed)."""
        return frozenset(
            name
            for name in CONFIRMED_FIELDS
            if (getattr(self, name) or None) != (getattr(self.application, name) or None)
        )
