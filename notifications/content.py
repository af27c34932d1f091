"""What each notice says: subject, headline, what happened and what to do next.

Plain sentences with the reference and dates filled in from the notification's context; the
templates in ``templates/emails/`` lay them out as text and HTML.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .models import Notification

K = Notification.Kind

SUBJECTS = {
    K.SUBMITTED: _("We received your application %(reference)s"),
    K.UNDER_REVIEW: _("An officer is reviewing your application %(reference)s"),
    K.INFO_REQUESTED: _("Action needed on your application %(reference)s"),
    K.INFO_PROVIDED: _("We received your answer for %(reference)s"),
    K.APPROVED: _("Your residence permit is granted (%(reference)s)"),
    K.REJECTED: _("Decision on your application %(reference)s"),
    K.WITHDRAWN: _("Your application %(reference)s was withdrawn"),
    K.MESSAGE: _("New message about application %(reference)s"),
    K.DRAFT_REMINDER: _("Your draft application will be deleted on %(delete_on)s"),
    K.PASSPORT_TOO_SHORT: _("Your passport is not valid long enough (%(reference)s)"),
    K.PASSPORT_EXPIRING: _("Your passport expires on %(passport_expiry)s"),
    K.PERMIT_EXPIRING: _("Your residence permit ends on %(valid_to)s"),
    K.INFO_DUE: _("Reminder: your answer for %(reference)s is due on %(due_date)s"),
    K.INFO_OVERDUE: _("No answer to the information request for %(reference)s"),
    K.SUPERVISOR_DIGEST: _("Late applications on %(date)s"),
}

WHAT_HAPPENED = {
    K.SUBMITTED: _(
        "Your application was submitted on %(date)s. Your reference number is %(reference)s."
    ),
    K.UNDER_REVIEW: _("A migration officer has started reviewing your application."),
    K.INFO_REQUESTED: _(
        "The officer needs more information from you, by %(due_date)s: %(message)s"
    ),
    K.INFO_PROVIDED: _("Your answer reached the officer, who will continue the review."),
    K.APPROVED: _(
        "Your student residence permit %(permit)s is granted, valid from %(valid_from)s to "
        "%(valid_to)s."
    ),
    K.REJECTED: _("Your application was refused. The reasons are on your application page."),
    K.WITHDRAWN: _("Your application was withdrawn."),
    K.MESSAGE: _("You have a new message about this application."),
    K.DRAFT_REMINDER: _(
        "You have not changed your draft application since %(updated)s. Drafts are deleted "
        "after %(days)s days without changes, so yours will be deleted on %(delete_on)s."
    ),
    K.PASSPORT_TOO_SHORT: _(
        "Your passport expires on %(passport_expiry)s. For a permit that covers your whole "
        "programme, it must be valid until at least %(required_until)s."
    ),
    K.PASSPORT_EXPIRING: ngettext_lazy(
        "Your passport expires tomorrow, on %(passport_expiry)s. A residence permit is valid "
        "only together with a valid passport, and a new or extended permit needs one too.",
        "Your passport expires in %(days)s days, on %(passport_expiry)s. A residence permit is "
        "valid only together with a valid passport, and a new or extended permit needs one too.",
        "days",
    ),
    K.PERMIT_EXPIRING: ngettext_lazy(
        "Your student residence permit %(permit)s ends tomorrow, on %(valid_to)s.",
        "Your student residence permit %(permit)s ends in %(days)s days, on %(valid_to)s. "
        "You can apply for an extension from %(window_opens)s.",
        "days",
    ),
    K.INFO_DUE: ngettext_lazy(
        "The officer is waiting for your answer by tomorrow, %(due_date)s: %(message)s",
        "The officer is waiting for your answer within %(days)s days, by %(due_date)s: %(message)s",
        "days",
    ),
    K.INFO_OVERDUE: _(
        "The applicant has not answered the information request that was due on %(due_date)s."
    ),
    K.SUPERVISOR_DIGEST: _(
        "Open applications past the internal target of %(target_days)s days: %(past_target)s. "
        "Of these, within 10 days of the 90-day legal limit or past it: %(near_limit)s."
    ),
}

NEXT_STEP = {
    K.SUBMITTED: _("You do not need to do anything now; we will write when something changes."),
    K.UNDER_REVIEW: _("You do not need to do anything now."),
    K.INFO_REQUESTED: _("Upload the documents and send your answer on the application page."),
    K.INFO_PROVIDED: _("You do not need to do anything now."),
    K.APPROVED: _(
        "Download your decision letter from the application page. Apply for an extension "
        "from 60 days before the permit ends."
    ),
    K.REJECTED: _(
        "You can appeal to the administrative court within 60 days of being notified; the "
        "application page explains how."
    ),
    K.WITHDRAWN: _("You can start a new application at any time."),
    K.MESSAGE: _("Read and answer it on the application page."),
    K.DRAFT_REMINDER: _("Sign in and complete or submit it to keep it."),
    K.PASSPORT_TOO_SHORT: _(
        "Renew your passport and enter the new passport's details on your application page. "
        "Otherwise only a shorter permit can be granted, ending %(margin_days)s days before "
        "your passport expires."
    ),
    K.PASSPORT_EXPIRING: _(
        "Renew your passport in time, and report the new passport to the migration office "
        "within 20 days of receiving it."
    ),
    K.PERMIT_EXPIRING: _(
        "If your studies continue, apply for an extension before the permit ends. If you have "
        "graduated or left your programme, apply for another permit within 10 days."
    ),
    K.INFO_DUE: _("Upload the documents and send your answer on the application page."),
    K.INFO_OVERDUE: _(
        "Decide how to continue: write to the applicant, or decide on the evidence you have."
    ),
    K.SUPERVISOR_DIGEST: _(
        "Open the supervisor dashboard to follow these applications up or reassign them."
    ),
}

# The link's words; a notice for staff opens the workspace, not "your application".
LINK_LABELS = {
    K.INFO_OVERDUE: _("Open the application in the officer workspace"),
    K.SUPERVISOR_DIGEST: _("Open the supervisor dashboard"),
}
DEFAULT_LINK_LABEL = _("Open your application")


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Blank(dict):
    """Missing context values render as empty text instead of failing the whole notice."""

    def __missing__(self, key: str) -> str:
        return ""


def _localized(value: Any) -> Any:
    # Dates travel in the context as ISO strings; people read them in their own language.
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def _fill(template: Any, params: _Blank) -> str:
    """``template % params`` on the lazy string itself: a lazy plural (``ngettext_lazy(...,
    "days")``) chooses its form from ``params``. A plural whose count is missing, or a
    translation with a stray "%", gives the unfilled text rather than a lost notice."""
    if template is None:
        return ""
    try:
        return str(template % params)
    except (TypeError, ValueError, KeyError):
        return str(template)


def notice_texts(notification: Notification) -> dict[str, Any]:
    """Subject, what happened, what to do next and the link, in the ACTIVE language."""
    context = notification.context or {}
    params = _Blank({key: _localized(value) for key, value in context.items()})
    kind = notification.kind
    path = params["path"]
    return {
        "subject": _fill(SUBJECTS.get(kind), params) or str(notification.get_kind_display()),
        "what_happened": _fill(WHAT_HAPPENED.get(kind), params),
        "next_step": _fill(NEXT_STEP.get(kind), params),
        "reference": params["reference"],
        "path": path,
        "link": f"{settings.PUBLIC_BASE_URL}{path}" if path else "",
        "link_label": str(LINK_LABELS.get(kind, DEFAULT_LINK_LABEL)),
        "items": [
            {key: _localized(value) for key, value in item.items()}
            for item in context.get("items", [])
        ],
        "more_items": context.get("more_items", 0),
    }
