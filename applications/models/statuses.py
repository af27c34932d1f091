"""An application's statuses and kinds, and the groups of statuses the queries name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # With a university that checks its students' documents first (University.precheck_enabled).
    PRECHECK = "precheck", _("Document check by the university")
    RETURNED = "returned", _("Returned by the university")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An application is "active" until it is decided or withdrawn; a student has at most one.
ACTIVE_STATUSES = (
    Status.DRAFT,
    Status.PRECHECK,
    Status.RETURNED,
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.INFO_REQUESTED,
)
# Submitted and not yet decided: what officers work on.
OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
# Handed in by the student but still with the university's international office.
PRECHECK_STATUSES = (Status.PRECHECK, Status.RETURNED)
FINAL_STATUSES = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)


class Kind(models.TextChoices):
    """Which case an application is: the first permit, or the extension of one."""

    FIRST = "first", _("First application")
    EXTENSION = "extension", _("Extension application")
