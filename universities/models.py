"""Reference data: Türkiye's provinces and its universities."""

from __future__ import annotations

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

    class Meta:
        # Moved from the applications app; the table keeps its name (and its rows).
        db_table = "applications_university"
        ordering = ["name"]
        verbose_name = _("university")
        verbose_name_plural = _("universities")

    def __str__(self) -> str:
        return self.name
