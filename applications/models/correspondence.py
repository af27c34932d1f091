"""What passes between the applicant and the officers: information requests, messages, and the
officers' own notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Application


class InfoRequest(models.Model):
    """An officer's request for missing or replacement documents (LFIP Art. 21(3))."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CANCELLED = "cancelled", _("Cancelled")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="info_requests",
        verbose_name=_("application"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    document_kinds = models.JSONField(_("documents to provide"), default=list, blank=True)
    message = models.TextField(_("message to the applicant"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    response = models.TextField(_("applicant's response"), blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(state="open"),
                name="inforequest_one_open_per_application",
            ),
        ]
        # The information-request reminders: open requests by deadline.
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(state="open"),
                name="inforequest_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("Information request due %(date)s") % {"date": self.due_date.isoformat()}


class Message(models.Model):
    """A message in the thread between the applicant and the officers."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("application"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sender"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.sender}: {self.body[:40]}"


class InternalNote(models.Model):
    """An officer's note on an application. Students never see these."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="internal_notes",
        verbose_name=_("application"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"
