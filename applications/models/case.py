"""The application itself: its statuses, its reference counter and the case row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField, identifier_hash, mask
from core.search import fold
from core.validators import fin_validator, latin_name_validator, passport_number_validator
from rules.models import Field, Level, PolicyVersion
from universities.models import Province, University

from .statuses import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    PRECHECK_STATUSES,
    Kind,
    Status,
)


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year (see ``references.py``)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(models.Model):
    """A student's application for the full-programme student residence permit.

    Mirrors the e-İkamet student application; the rule engine's outcome is stored together with
    the policy version it came from, so the decision can always be explained later.
    """

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Single")
        MARRIED = "married", _("Married")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.FIRST, editable=False
    )
    # An extension names the permit it extends (LFIP Art. 24); a first application none.
    extends = models.ForeignKey(
        "permits.Permit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extensions",
        verbose_name=_("permit extended"),
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned officer"),
    )
    # Optimistic concurrency: every change increments it; a form carrying an older value is stale.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # Personal data, as in the passport.
    surname = models.CharField(
        _("surname"), max_length=80, blank=True, validators=[latin_name_validator]
    )
    given_names = models.CharField(
        _("given names"), max_length=120, blank=True, validators=[latin_name_validator]
    )
    father_name = models.CharField(
        _("father's name"), max_length=80, blank=True, validators=[latin_name_validator]
    )
    mother_name = models.CharField(
        _("mother's name"), max_length=80, blank=True, validators=[latin_name_validator]
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    place_of_birth = models.CharField(_("place of birth"), max_length=120, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=16, choices=MaritalStatus.choices, blank=True
    )
    nationality = models.CharField(_("nationality"), max_length=3, default="AZE", editable=False)
    # Encrypted at rest; found by exact match through ``fin_hash`` (see ``core/crypto.py``).
    fin = EncryptedTextField(
        _("FIN (personal identification number)"),
        max_length=7,
        blank=True,
        validators=[fin_validator],
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    # Passport and entry.
    # Encrypted at rest; found by exact match through ``passport_number_hash``.
    passport_number = EncryptedTextField(
        _("passport number"), max_length=12, blank=True, validators=[passport_number_validator]
    )
    passport_issue_date = models.DateField(_("passport issue date"), null=True, blank=True)
    passport_expiry_date = models.DateField(_("passport expiry date"), null=True, blank=True)
    passport_issuing_authority = models.CharField(
        _("passport issued by"), max_length=120, blank=True
    )
    entry_date = models.DateField(_("date of entry to Türkiye"), null=True, blank=True)

    # Study.
    university = models.ForeignKey(
        University,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("university"),
    )
    faculty = models.CharField(_("faculty or institute"), max_length=160, blank=True)
    department = models.CharField(_("programme (department)"), max_length=160, blank=True)
    student_number = models.CharField(_("student number"), max_length=32, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    field = models.CharField(
        _("field"), max_length=16, choices=Field.choices, default=Field.GENERAL
    )
    programme_start = models.DateField(_("programme start"), null=True, blank=True)
    programme_end = models.DateField(
        _("programme end"),
        null=True,
        blank=True,
        help_text=_("As on your student certificate; leave empty if it shows none."),
    )
    prep_year = models.BooleanField(_("preparatory (language) year"), default=False)

    # Address in Türkiye.
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("province"),
    )
    district = models.CharField(_("district"), max_length=80, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=120, blank=True)
    address_line = models.CharField(_("street, building and flat"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A Turkish postal code has 5 digits."))],
    )

    # The rule engine's outcome, with the policy version it came from.
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("policy version"),
    )
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    eligibility_outcome = models.JSONField(_("rule outcome"), null=True, blank=True)
    # Copied from the outcome at submission so the nightly passport sweep is an indexed query.
    passport_required_until = models.DateField(
        _("passport required until"), null=True, blank=True, editable=False
    )
    declaration_accepted_at = models.DateTimeField(_("declaration accepted"), null=True, blank=True)

    # Derived from the fields officers search by (see ``save``); never edited directly.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    # Keyed hashes of the encrypted identifiers, for exact-match search (see ``save``).
    passport_number_hash = models.CharField(
        _("passport number hash"), max_length=64, blank=True, editable=False
    )
    fin_hash = models.CharField(_("FIN hash"), max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # When the application became complete: LFIP Art. 21(5)'s 90 days run from here. Set when
    # it reaches the officers, or for a kind that needs a visit when the visit is recorded
    # (completeness.py); empty while the visit is awaited.
    complete_at = models.DateTimeField(_("complete"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Set when the retention period after the decision ended and personal data was removed.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    # The notices about this application (the review page's delivery log); they go with it.
    notifications = GenericRelation(
        "notifications.Notification",
        content_type_field="about_type",
        object_id_field="about_id",
        related_query_name="application",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="application_one_active_per_applicant",
                violation_error_message=_("You already have an application in progress."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="application_status_valid"
            ),
            # An extension and only an extension names the permit it extends.
            models.CheckConstraint(
                condition=Q(kind=Kind.FIRST, extends__isnull=True)
                | Q(kind=Kind.EXTENSION, extends__isnull=False),
                name="application_extension_names_its_permit",
            ),
            # At most one extension of a permit in progress: two submissions racing for the
            # same permit make one case.
            models.UniqueConstraint(
                fields=["extends"],
                condition=Q(status__in=ACTIVE_STATUSES, kind=Kind.EXTENSION),
                name="application_one_open_extension_per_permit",
                violation_error_message=_("An extension of this permit is already in progress."),
            ),
            models.CheckConstraint(
                condition=Q(programme_end__isnull=True)
                | Q(programme_start__isnull=True)
                | Q(programme_end__gt=F("programme_start")),
                name="application_programme_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(passport_issue_date__isnull=True)
                | Q(passport_expiry_date__isnull=True)
                | Q(passport_expiry_date__gt=F("passport_issue_date")),
                name="application_passport_expiry_after_issue",
            ),
            # A reference is given when the student hands the application in; only a draft (or
            # a draft withdrawn before it was ever handed in) has none. ``submitted_at`` is the
            # day it reached the migration office (the legal deadline counts from it): after
            # the university's document check, where there is one.
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT)
                | Q(status=Status.WITHDRAWN, submitted_at__isnull=True)
                | Q(status__in=PRECHECK_STATUSES, reference__isnull=False)
                | Q(reference__isnull=False, submitted_at__isnull=False),
                name="application_reference_once_submitted",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="application_queue_idx"),
            # The deadline counts (dashboard, digest, "past the target" filter), index-only.
            models.Index(fields=["status", "complete_at", "id"], name="application_clock_idx"),
            models.Index(fields=["assignee", "status"], name="application_assignee_idx"),
            # Exact-match search by passport number or FIN.
            models.Index(fields=["passport_number_hash"], name="application_pp_hash_idx"),
            models.Index(fields=["fin_hash"], name="application_fin_hash_idx"),
            # The inactive-draft sweep: never-submitted rows by last change.
            models.Index(fields=["status", "updated_at"], name="application_inactive_idx"),
            # The passport sweeps: active applications whose passport is too short, and
            # permit holders by passport expiry.
            models.Index(
                fields=["passport_expiry_date"],
                condition=Q(status__in=OPEN_STATUSES)
                & Q(passport_expiry_date__lt=F("passport_required_until")),
                name="application_pp_short_idx",
            ),
            models.Index(
                fields=["passport_expiry_date"],
                condition=Q(status="approved"),
                name="application_holder_pp_idx",
            ),
            # Each kind's tab of the queue (first applications and extensions share the table):
            # its status counts from the index alone, and its open work read in order, one
            # page at a time. The two without ``kind`` below serve what spans every kind (the
            # digest, the sweeps).
            models.Index(
                fields=["kind", "status", "submitted_at"], name="application_kind_queue_idx"
            ),
            models.Index(
                fields=["kind", "submitted_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="application_kind_open_idx",
            ),
            # The queue filtered by province or university (with a level or not): its status
            # tabs counted from the index alone, instead of a heap read of every matching row,
            # and a status's page read in order and stopped after 50 rows, instead of sorting
            # every matching row (BENCHMARKS.md).
            models.Index(
                fields=["kind", "province", "status", "level", "submitted_at", "id"],
                name="application_prov_list_idx",
            ),
            models.Index(
                fields=["kind", "university", "status", "level", "submitted_at", "id"],
                name="application_uni_list_idx",
            ),
            # The officer queue's default view (open work, oldest first): read in order and
            # stopped after one page, instead of sorting every open application.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="application_open_queue_idx",
            ),
            # Search by any part of a name or reference (LIKE '%word%'): a trigram index,
            # PostgreSQL only (migration 0010 skips it elsewhere).
            GinIndex(
                fields=["search_text"],
                opclasses=["gin_trgm_ops"],
                name="application_search_trgm_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft application #%(pk)s") % {"pk": self.pk}

    # Searched by any part (folded); the encrypted identifiers only by their exact hash.
    SEARCHED_FIELDS = ("reference", "surname", "given_names")
    HASHED_FIELDS = {"passport_number": "passport_number_hash", "fin": "fin_hash"}

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived data, kept here so no code path that saves an application can forget it. Only
        # what is being saved is derived again (a deferred field is not loaded for nothing).
        update_fields = kwargs.get("update_fields")
        saving = None if update_fields is None else set(update_fields)
        derived: set[str] = set()
        if saving is None or saving & set(self.SEARCHED_FIELDS):
            self.search_text = fold(
                " ".join(str(getattr(self, name) or "") for name in self.SEARCHED_FIELDS)
            )
            derived.add("search_text")
        for name, hash_name in self.HASHED_FIELDS.items():
            if saving is None or name in saving:
                setattr(self, hash_name, identifier_hash(getattr(self, name) or "", purpose=name))
                derived.add(hash_name)
        if saving is not None and derived:
            kwargs["update_fields"] = saving | derived
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("application-detail", kwargs={"pk": self.pk})

    @property
    def is_extension(self) -> bool:
        return self.kind == Kind.EXTENSION

    @property
    def new_permit_start(self) -> date | None:
        """For an extension, the day its permit starts: the day after the current one ends."""
        if self.extends is None:
            return None
        return self.extends.valid_to + timedelta(days=1)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.surname) if part)

    # For lists and exports; the full values only where an officer has opened the application.
    @property
    def passport_number_masked(self) -> str:
        # The series letter stays: it is shared by every passport of its series.
        return mask(self.passport_number, keep_start=1)

    @property
    def fin_masked(self) -> str:
        return mask(self.fin)
