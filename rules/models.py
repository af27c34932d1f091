"""The permit policy in force on a date: every number the rule engine uses, as data.

The engine itself (``eligibility.py``) never touches these models; ``policies.py`` turns a
version into the engine's plain ``Policy``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import eligibility


class Level(models.TextChoices):
    ASSOCIATE = "associate", _("Associate degree (ön lisans)")
    BACHELOR = "bachelor", _("Bachelor's (lisans)")
    MASTER = "master", _("Master's (yüksek lisans)")
    DOCTORAL = "doctoral", _("Doctoral (doktora)")


class Field(models.TextChoices):
    GENERAL = "general", _("General (any other field)")
    MEDICINE = "medicine", _("Medicine")
    DENTISTRY = "dentistry", _("Dentistry")
    PHARMACY = "pharmacy", _("Pharmacy")
    VETERINARY = "veterinary", _("Veterinary medicine")


class LengthField(models.TextChoices):
    """A programme-length row applies to one field, or to every field of its level."""

    ANY = eligibility.ANY_FIELD, _("Any field")
    GENERAL = Field.GENERAL.value, Field.GENERAL.label
    MEDICINE = Field.MEDICINE.value, Field.MEDICINE.label
    DENTISTRY = Field.DENTISTRY.value, Field.DENTISTRY.label
    PHARMACY = Field.PHARMACY.value, Field.PHARMACY.label
    VETERINARY = Field.VETERINARY.value, Field.VETERINARY.label


def default_extension_documents() -> list[str]:
    """What an extension asks for by default (e-İkamet practice): the passport as it is now, a
    recent photo, a current student certificate and insurance for the new period."""
    return ["passport_identity_page", "photo", "student_certificate", "health_insurance"]


class PolicyVersion(models.Model):
    """Every number the rule engine uses, with the date from which it is in force.

    The agreement's detailed text is not yet published, so officers put a new version into force
    without a release. A version that has been used for an evaluation is a legal record and is no
    longer edited: a change is a new version.
    """

    number = models.PositiveIntegerField(_("version number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(
        _("in force from"),
        unique=True,
        help_text=_("Evaluations made on or after this date use this version."),
    )
    covered_levels = models.JSONField(
        _("levels covered by the concession"),
        default=list,
        help_text=_("Study levels that get one permit for the whole programme."),
    )
    prep_year_years = models.PositiveSmallIntegerField(
        _("years added by a preparatory class"), default=1
    )
    passport_margin_days = models.PositiveSmallIntegerField(
        _("passport margin (days)"),
        default=60,
        help_text=_("How many days the passport must stay valid after the permit ends."),
    )
    legal_stay_days = models.PositiveSmallIntegerField(
        _("legal (visa-free) stay (days)"), default=90
    )
    decision_days = models.PositiveSmallIntegerField(
        _("days to decide a complete application"), default=90
    )
    info_request_days = models.PositiveSmallIntegerField(
        _("days to answer an information request"), default=30
    )
    extension_window_days = models.PositiveSmallIntegerField(
        _("extension window (days)"),
        default=60,
        help_text=_("How many days before the permit ends an extension can be applied for."),
    )
    extension_document_kinds = models.JSONField(
        _("documents for an extension"),
        default=default_extension_documents,
        help_text=_("The document kinds an extension application must include."),
    )
    # Change-of-circumstances reports (university guidance, RULES.md "Deadlines").
    address_report_days = models.PositiveSmallIntegerField(
        _("days to report a new address"),
        default=20,
        help_text=_("Counted from the day the student moved, within the same province."),
    )
    province_report_days = models.PositiveSmallIntegerField(
        _("days to report a move to another province"), default=10
    )
    passport_report_days = models.PositiveSmallIntegerField(
        _("days to report a renewed passport"), default=20
    )
    study_report_days = models.PositiveSmallIntegerField(
        _("days to report a change of university or programme"), default=20
    )
    end_of_studies_days = models.PositiveSmallIntegerField(
        _("days to apply for another permit after the studies end"),
        default=10,
        help_text=_("After a graduation, withdrawal or transfer is confirmed."),
    )
    early_extension_after_passport = models.BooleanField(
        _("extension before the window after a renewed passport"),
        default=True,
        help_text=_(
            "A permit cut short by the old passport can be extended as soon as the renewed "
            "passport is accepted, before the usual window opens."
        ),
    )
    # Universities as a party (enrolment confirmation by the international office).
    enrolment_reminder_days = models.PositiveSmallIntegerField(
        _("days before an unanswered enrolment confirmation is reminded"),
        default=5,
        help_text=_(
            "The university's international office is reminded after this many days, and again "
            "each time as many days pass."
        ),
    )
    # The visit to the provincial office (biometrics, original documents) and the permit card.
    visit_required_first = models.BooleanField(
        _("first applications need a visit to the provincial office"), default=True
    )
    visit_required_extension = models.BooleanField(
        _("extensions need a visit to the provincial office"), default=False
    )
    appointment_cutoff_hours = models.PositiveSmallIntegerField(
        _("hours before an appointment it can no longer be moved or cancelled"), default=24
    )
    card_fee = models.DecimalField(
        _("residence permit card fee (TRY)"),
        max_digits=8,
        decimal_places=2,
        # The 2026 document fee (belge bedeli) as goc.gov.tr publishes it; revalued every year.
        default=964,
        help_text=_(
            "Students of universities pay only the card fee; the amount is revalued each year."
        ),
    )
    source_notes = models.TextField(_("sources and notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_policyversion"
        ordering = ["-effective_from"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(passport_margin_days__gte=0) & Q(legal_stay_days__gt=0),
                name="policyversion_positive_days",
            ),
        ]

    def __str__(self) -> str:
        return _("Policy %(number)s (from %(date)s)") % {
            "number": self.number,
            "date": self.effective_from.isoformat(),
        }

    def clean(self) -> None:
        unknown = set(self.covered_levels or []) - set(Level.values)
        if unknown:
            raise ValidationError(
                {"covered_levels": _("Unknown level: %(levels)s") % {"levels": sorted(unknown)}}
            )
        kinds = {code for code, _label in eligibility.DOCUMENT_KINDS}
        unknown_documents = set(self.extension_document_kinds or []) - kinds
        if unknown_documents:
            raise ValidationError(
                {
                    "extension_document_kinds": _("Unknown document kind: %(kinds)s")
                    % {"kinds": sorted(unknown_documents)}
                }
            )


class ProgrammeLength(models.Model):
    """Standard and maximum length of a level (and field) under one policy version."""

    policy = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="lengths", verbose_name=_("policy")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    field = models.CharField(_("field"), max_length=16, choices=LengthField.choices)
    standard_years = models.PositiveSmallIntegerField(
        _("standard length (years)"), validators=[MinValueValidator(1)]
    )
    maximum_years = models.PositiveSmallIntegerField(
        _("maximum length (years)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_programmelength"
        ordering = ["policy", "level", "field"]
        verbose_name = _("programme length")
        verbose_name_plural = _("programme lengths")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "level", "field"], name="programmelength_unique_per_policy"
            ),
            models.CheckConstraint(
                condition=Q(standard_years__gte=1) & Q(maximum_years__gte=F("standard_years")),
                name="programmelength_max_not_below_standard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} / {self.get_field_display()}"

    def clean(self) -> None:
        if (
            self.standard_years is not None
            and self.maximum_years is not None
            and self.maximum_years < self.standard_years
        ):
            raise ValidationError(
                {"maximum_years": _("The maximum cannot be shorter than the standard length.")}
            )
