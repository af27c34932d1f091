"""Reference data: Türkiye's provinces and its universities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """One of Türkiye's 81 provinces, identified by its licence-plate code."""

    code = models.PositiveSmallIntegerField(_("plate code"), unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_province"
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class University(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", _("State university")
        FOUNDATION = "foundation", _("Foundation university")

    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="universities", verbose_name=_("province")
    )
    # As many international offices do today: they check a student's documents before the
    # file goes to the provincial migration office. Off, cases go straight to the queue.
    precheck_enabled = models.BooleanField(
        _("international office pre-checks documents"),
        default=False,
        help_text=_(
            "When on, the university's staff check the documents of their students' cases "
            "before the cases reach the officers' queue."
        ),
    )

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_university"
        ordering = ["name"]
        verbose_name = _("university")
        verbose_name_plural = _("universities")

    def __str__(self) -> str:
        return self.name


class UniversityStaff(models.Model):
    """An account of a university's international office: the one university it acts for.

    Created and deactivated by supervisors (the account's ``is_active``); the account signs in
    with a password and an authenticator code, like officers.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="university_membership",
        verbose_name=_("account"),
    )
    university = models.ForeignKey(
        University, on_delete=models.PROTECT, related_name="staff", verbose_name=_("university")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        ordering = ["university__name", "user__email"]
        verbose_name = _("university staff account")
        verbose_name_plural = _("university staff accounts")

    def __str__(self) -> str:
        return f"{self.user} ({self.university})"
