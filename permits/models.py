"""The residence permit granted on approval, with the code that verifies it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from documents.storage import private_storage

# The status of the case that granted a permit. A permit stands only while its case keeps it
# (the applications app's ``Status.APPROVED``, pinned by a test: permits cannot import it).
GRANTED = "approved"
# The statuses of an extension waiting for a decision (the applications app's open statuses,
# pinned by the same test).
PENDING = ("submitted", "under_review", "info_requested")


def new_verification_code() -> str:
    # 10 characters from an alphabet without look-alikes (0/O, 1/I/L): typed from a paper letter.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Permit(models.Model):
    """The residence permit granted on approval."""

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="permit",
        verbose_name=_("application"),
    )
    # The permit this one extends (its validity starts the day after that one ends).
    extends = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extended_by",
        verbose_name=_("extends permit"),
    )
    number = models.CharField(_("permit number"), max_length=24, unique=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_verification_code
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    # Set when an accepted report (a renewed passport, a later programme end) lets the record
    # carry a longer permit: the extension opens from this day, before the usual window.
    early_extension_from = models.DateField(
        _("extension possible early from"), null=True, blank=True
    )
    letter = models.FileField(
        _("decision letter"), storage=private_storage, upload_to="letters/%Y/", blank=True
    )

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_permit"
        ordering = ["-issued_at"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="permit_valid_to_after_from"
            ),
        ]
        indexes = [models.Index(fields=["valid_to"], name="permit_valid_to_idx")]

    def __str__(self) -> str:
        return self.number
