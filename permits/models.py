"""The residence permit granted on approval, with the code that verifies it."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.append_only import AppendOnlyError, AppendOnlyModel  # noqa: F401 (the error is re-exported)
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


class PermitStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    # Graduation, withdrawal or transfer confirmed by an officer.
    ENDED = "ended", _("Ended (studies ended)")
    # By an officer, on the grounds of LFIP Art. 40.
    CANCELLED = "cancelled", _("Cancelled")


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

    # A permit's own life after it is granted: every change through permits.flow (the engine).
    status = models.CharField(
        _("status"), max_length=12, choices=PermitStatus.choices, default=PermitStatus.VALID
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended (recorded)"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_grounds = models.JSONField(_("grounds (LFIP Art. 40)"), default=list, blank=True)
    end_note = models.TextField(_("reasons"), blank=True)
    cancellation_letter = models.FileField(
        _("cancellation letter"), storage=private_storage, upload_to="letters/%Y/", blank=True
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

    @property
    def is_valid(self) -> bool:
        return self.status == PermitStatus.VALID

    # The engine's Case protocol: permits are never assigned to an officer.
    assignee = None


class PermitEvent(AppendOnlyModel):
    """The append-only history of a permit after its grant (the database refuses changes too)."""

    class Kind(models.TextChoices):
        STATUS_CHANGED = "status_changed", _("Status changed")
        SHORTENED = "shortened", _("Permit shortened")

    permit = models.ForeignKey(
        Permit, on_delete=models.PROTECT, related_name="events", verbose_name=_("permit")
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
        _("from"), max_length=12, choices=PermitStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=PermitStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")

    def __str__(self) -> str:
        return f"{self.permit} {self.kind}"


# --- The permit card (issue 16) ----------------------------------------------------------------
from .card import (  # noqa: E402 (the card's rules are plain functions, kept with the card)
    DATE_FIELDS,
    CardStatus,
    collection_office,
    tracking_url,
    validate_tracking_number,
)


class PermitCard(models.Model):
    """The residence permit card produced after approval, and whether its fee was paid.

    Its status changes only through ``permits.card_services`` (the engine, ``card_flow``)."""

    permit = models.OneToOneField(
        Permit, on_delete=models.PROTECT, related_name="card", verbose_name=_("permit")
    )
    status = models.CharField(
        _("card status"), max_length=24, choices=CardStatus.choices, default=CardStatus.ORDERED
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    ordered_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    printed_on = models.DateField(_("printed on"), null=True, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    tracking_number = models.CharField(
        _("PTT tracking number"),
        max_length=13,
        blank=True,
        validators=[validate_tracking_number],
    )
    # Where a returned card waits: the holder's province when PTT brought it back.
    collection_province = models.ForeignKey(
        "universities.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waits at the office of"),
    )
    # The policy's card fee on the day the card was ordered (the fee is revalued every year).
    fee_amount = models.DecimalField(_("card fee (TRY)"), max_digits=8, decimal_places=2)
    fee_paid_at = models.DateTimeField(_("fee paid (recorded)"), null=True, blank=True)
    fee_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fee payment recorded by"),
    )

    class Meta:
        ordering = ["ordered_at", "pk"]
        verbose_name = _("permit card")
        verbose_name_plural = _("permit cards")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[CardStatus.ORDERED, CardStatus.PRINTED])
                | ~Q(tracking_number=""),
                name="card_posted_has_tracking_number",
            ),
            models.UniqueConstraint(
                fields=["tracking_number"],
                condition=~Q(tracking_number=""),
                name="card_tracking_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(fee_paid_at__isnull=True, fee_paid_by__isnull=True)
                | Q(fee_paid_at__isnull=False, fee_paid_by__isnull=False),
                name="card_fee_paid_with_whom",
            ),
        ]
        indexes = [models.Index(fields=["status", "ordered_at"], name="card_status_idx")]

    def __str__(self) -> str:
        return f"{self.permit} ({self.status})"

    @property
    def fee_paid(self) -> bool:
        return self.fee_paid_at is not None

    @property
    def status_since(self) -> date:
        """The day the card reached its current state."""
        field = DATE_FIELDS.get(self.status)
        day = getattr(self, field) if field else None
        return day or timezone.localtime(self.ordered_at).date()

    @property
    def tracking_url(self) -> str:
        """PTT's tracking page of the card's item, or "" before it is posted."""
        return tracking_url(self.tracking_number) if self.tracking_number else ""

    @property
    def collection_office_name(self) -> str:
        """Where a returned card waits, in the active language."""
        province = self.collection_province
        return collection_office(province.name if province else None)

    # The engine's Case protocol: cards are never assigned to an officer.
    assignee = None


class CardEvent(AppendOnlyModel):
    """The append-only history of a card (the database refuses changes too)."""

    class Kind(models.TextChoices):
        ORDERED = "ordered", _("Card ordered")
        STATUS_CHANGED = "status_changed", _("Status changed")
        FEE_PAID = "fee_paid", _("Card fee paid")

    card = models.ForeignKey(
        PermitCard, on_delete=models.PROTECT, related_name="events", verbose_name=_("card")
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
    from_status = models.CharField(_("from"), max_length=24, choices=CardStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=CardStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("card event")
        verbose_name_plural = _("card events")

    def __str__(self) -> str:
        return f"{self.card} {self.kind}"
