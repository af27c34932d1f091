"""The append-only history of an application (the database refuses changes too: 0004)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.append_only import AppendOnlyError, AppendOnlyModel  # noqa: F401 (the error is re-exported)

from .case import Application
from .statuses import Status


class ApplicationEvent(AppendOnlyModel):
    """The append-only history of an application: who did what, when, from which status."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Application started")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        RELEASED = "released", _("Released")
        DOCUMENT_UPLOADED = "document_uploaded", _("Document uploaded")
        DOCUMENT_REVIEWED = "document_reviewed", _("Document reviewed")
        INFO_REQUESTED = "info_requested", _("Information requested")
        INFO_PROVIDED = "info_provided", _("Information provided")
        MESSAGE = "message", _("Message")
        EVALUATED = "evaluated", _("Rules evaluated")
        # The access log: every time an officer opens an application or one of its documents.
        VIEWED = "viewed", _("Opened by an officer")
        DOCUMENT_VIEWED = "document_viewed", _("Document opened by an officer")
        PASSPORT_UPDATED = "passport_updated", _("Passport details updated")
        # A permit holder's accepted report (address, passport, university) changed the record.
        RECORD_UPDATED = "record_updated", _("Record updated from an accepted report")
        # The university's international office: its enrolment confirmation and its check of
        # the documents before the case reached the migration office.
        ENROLMENT = "enrolment", _("Enrolment confirmation")
        PRECHECK = "precheck", _("Document check by the university")
        # The visit to the provincial office, as the appointments app reports its steps.
        APPOINTMENT = "appointment", _("Visit to the provincial office")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="events", verbose_name=_("application")
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
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
