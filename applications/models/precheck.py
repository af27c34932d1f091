"""A university's document check before an application reaches the migration office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from universities.models import University

from .case import Application


class PrecheckRound(models.Model):
    """One pass of the international office over a student's documents: open while the case
    waits for it, then passed (on to the queue) or returned with a reason per document."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for the university")
        PASSED = "passed", _("Documents accepted by the university")
        RETURNED = "returned", _("Returned to the student")
        CANCELLED = "cancelled", _("Cancelled")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="precheck_rounds",
        verbose_name=_("application"),
    )
    university = models.ForeignKey(
        University, on_delete=models.PROTECT, related_name="+", verbose_name=_("university")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    # {document kind: the reason the student is given}, for a returned round.
    returned_documents = models.JSONField(_("documents returned"), default=dict, blank=True)
    note = models.TextField(_("note to the student"), blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document check by the university")
        verbose_name_plural = _("document checks by universities")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(state="open"),
                name="precheck_one_open_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} ({self.get_state_display()})"
