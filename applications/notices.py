"""The notices about an application: what each says, and the rules that send them.

Each kind is registered with the outbox (``notifications.kinds``) together with its sentences;
the functions below write the notices inside the transaction of the change that causes them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from notifications.kinds import NoticeKind, register
from notifications.services import notify_user
from rules.models import PolicyVersion

from .models import Application, ApplicationEvent, Status

SUBMITTED = register(
    NoticeKind(
        code="submitted",
        label=_("Application received"),
        subject=_("We received your application %(reference)s"),
        what_happened=_(
            "Your application was submitted on %(date)s. Your reference number is %(reference)s."
        ),
        next_step=_("You do not need to do anything now; we will write when something changes."),
    )
)


UNDER_REVIEW = register(
    NoticeKind(
        code="under_review",
        label=_("Review started"),
        subject=_("An officer is reviewing your application %(reference)s"),
        what_happened=_("A migration officer has started reviewing your application."),
        next_step=_("You do not need to do anything now."),
    )
)


INFO_REQUESTED = register(
    NoticeKind(
        code="info_requested",
        label=_("Information requested"),
        subject=_("Action needed on your application %(reference)s"),
        what_happened=_(
            "The officer needs more information from you, by %(due_date)s: %(message)s"
        ),
        next_step=_("Upload the documents and send your answer on the application page."),
        sms=_("Action needed on your application %(reference)s:"),
        sms_by_default=True,
    )
)


INFO_PROVIDED = register(
    NoticeKind(
        code="info_provided",
        label=_("Response received"),
        subject=_("We received your answer for %(reference)s"),
        what_happened=_("Your answer reached the officer, who will continue the review."),
        next_step=_("You do not need to do anything now."),
    )
)


APPROVED = register(
    NoticeKind(
        code="approved",
        label=_("Application approved"),
        subject=_("Your residence permit is granted (%(reference)s)"),
        what_happened=_(
            "Your student residence permit %(permit)s is granted, valid from %(valid_from)s to "
            "%(valid_to)s."
        ),
        next_step=_(
            "Download your decision letter from the application page. Apply for an extension "
            "from 60 days before the permit ends."
        ),
        sms=_("Decision on your application %(reference)s:"),
        sms_by_default=True,
    )
)


REJECTED = register(
    NoticeKind(
        code="rejected",
        label=_("Application refused"),
        subject=_("Decision on your application %(reference)s"),
        what_happened=_("Your application was refused. The reasons are on your application page."),
        next_step=_(
            "You can appeal to the administrative court within 60 days of being notified; the "
            "application page explains how."
        ),
        sms=_("Decision on your application %(reference)s:"),
        sms_by_default=True,
    )
)


WITHDRAWN = register(
    NoticeKind(
        code="withdrawn",
        label=_("Application withdrawn"),
        subject=_("Your application %(reference)s was withdrawn"),
        what_happened=_("Your application was withdrawn."),
        next_step=_("You can start a new application at any time."),
    )
)


MESSAGE = register(
    NoticeKind(
        code="message",
        label=_("New message"),
        subject=_("New message about application %(reference)s"),
        what_happened=_("You have a new message about this application."),
        next_step=_("Read and answer it on the application page."),
    )
)


DRAFT_REMINDER = register(
    NoticeKind(
        code="draft_reminder",
        label=_("Draft about to be deleted"),
        subject=_("Your draft application will be deleted on %(delete_on)s"),
        what_happened=_(
            "You have not changed your draft application since %(updated)s. Drafts are deleted "
            "after %(days)s days without changes, so yours will be deleted on %(delete_on)s."
        ),
        next_step=_("Sign in and complete or submit it to keep it."),
    )
)


PASSPORT_TOO_SHORT = register(
    NoticeKind(
        code="passport_short",
        label=_("Passport not valid long enough"),
        subject=_("Your passport is not valid long enough (%(reference)s)"),
        what_happened=_(
            "Your passport expires on %(passport_expiry)s. For a permit that covers your whole "
            "programme, it must be valid until at least %(required_until)s."
        ),
        next_step=_(
            "Renew your passport and enter the new passport's details on your application page. "
            "Otherwise only a shorter permit can be granted, ending %(margin_days)s days before "
            "your passport expires."
        ),
        sms=_("Your passport is not valid long enough for %(reference)s:"),
        sms_by_default=True,
    )
)


PASSPORT_EXPIRING = register(
    NoticeKind(
        code="passport_expiring",
        label=_("Passport expiring"),
        subject=_("Your passport expires on %(passport_expiry)s"),
        what_happened=ngettext_lazy(
            "Your passport expires tomorrow, on %(passport_expiry)s. A residence permit is valid "
            "only together with a valid passport, and a new or extended permit needs one too.",
            "Your passport expires in %(days)s days, on %(passport_expiry)s. A residence permit is "
            "valid only together with a valid passport, and a new or extended permit needs one "
            "too.",
            "days",
        ),
        next_step=_(
            "Renew your passport in time, and report the new passport to the migration office "
            "within 20 days of receiving it."
        ),
        sms=_("Your passport expires soon (%(reference)s):"),
        sms_by_default=True,
    )
)


INFO_DUE = register(
    NoticeKind(
        code="info_due",
        label=_("Information request due"),
        subject=_("Reminder: your answer for %(reference)s is due on %(due_date)s"),
        what_happened=ngettext_lazy(
            "The officer is waiting for your answer by tomorrow, %(due_date)s: %(message)s",
            "The officer is waiting for your answer within %(days)s days, by %(due_date)s: "
            "%(message)s",
            "days",
        ),
        next_step=_("Upload the documents and send your answer on the application page."),
        sms=_("Reminder: your answer for %(reference)s is due soon:"),
        sms_by_default=True,
    )
)


INFO_OVERDUE = register(
    NoticeKind(
        code="info_overdue",
        label=_("Information request overdue"),
        subject=_("No answer to the information request for %(reference)s"),
        what_happened=_(
            "The applicant has not answered the information request that was due on %(due_date)s."
        ),
        next_step=_(
            "Decide how to continue: write to the applicant, or decide on the evidence you have."
        ),
        link_label=_("Open the application in the officer workspace"),
    )
)


EXTENSION_SUBMITTED = register(
    NoticeKind(
        code="extension_submitted",
        label=_("Extension application received"),
        subject=_("We received your extension application %(reference)s"),
        what_happened=_(
            "Your application to extend the residence permit %(permit)s was submitted on "
            "%(date)s. Your reference number is %(reference)s."
        ),
        next_step=_(
            "Download the receipt from the application page and keep it with your permit: it "
            "shows that the extension is being decided. We will write when something changes."
        ),
    )
)


def notify_applicant(
    *, application: Application, kind: str, context: dict[str, Any], dedupe_key: str
) -> bool:
    """A notice to the application's student, in their language; True when it is new."""
    return notify_user(
        user=application.applicant,
        kind=kind,
        about=application,
        context=context,
        dedupe_key=dedupe_key,
    )


PRECHECK_STARTED = register(
    NoticeKind(
        code="precheck_started",
        label=_("Application with your university"),
        subject=_("Your university is checking your application %(reference)s"),
        what_happened=_(
            "Your application %(reference)s was handed in on %(date)s. Your university's "
            "international office checks your documents before it goes to the migration office."
        ),
        next_step=_(
            "You do not need to do anything now; we will write when the university has checked "
            "your documents."
        ),
    )
)

PRECHECK_PASSED = register(
    NoticeKind(
        code="precheck_passed",
        label=_("Application sent to the migration office"),
        subject=_("Your application %(reference)s is with the migration office"),
        what_happened=_(
            "Your university's international office checked your documents on %(date)s and sent "
            "your application %(reference)s to the migration office."
        ),
        next_step=_("You do not need to do anything now; we will write when something changes."),
    )
)

PRECHECK_RETURNED = register(
    NoticeKind(
        code="precheck_returned",
        label=_("Application returned by your university"),
        subject=_("Action needed: your university returned your application %(reference)s"),
        what_happened=_(
            "Your university's international office found documents to correct before your "
            "application can go to the migration office. %(message)s"
        ),
        next_step=_(
            "Open your application to see the reason for each document, upload new ones and "
            "hand it in again."
        ),
    )
)

# The notice a student gets for each status change; a status without one sends nothing.
STATUS_NOTICES: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.SUBMITTED): SUBMITTED,
    (Status.DRAFT, Status.PRECHECK): PRECHECK_STARTED,
    (Status.PRECHECK, Status.SUBMITTED): PRECHECK_PASSED,
    (Status.PRECHECK, Status.RETURNED): PRECHECK_RETURNED,
    (Status.SUBMITTED, Status.UNDER_REVIEW): UNDER_REVIEW,
    (Status.UNDER_REVIEW, Status.INFO_REQUESTED): INFO_REQUESTED,
    (Status.INFO_REQUESTED, Status.UNDER_REVIEW): INFO_PROVIDED,
    (Status.UNDER_REVIEW, Status.APPROVED): APPROVED,
    (Status.UNDER_REVIEW, Status.REJECTED): REJECTED,
}


def applicant_context(application: Application) -> dict[str, Any]:
    """What every notice to the student names: the reference and the application's page."""
    return {
        "reference": application.reference or "",
        "path": reverse("application-detail", args=[application.pk]),
    }


def _dated_context(application: Application) -> dict[str, Any]:
    return applicant_context(application) | {"date": timezone.localdate().isoformat()}


def notify_status_change(*, application: Application, event: ApplicationEvent) -> None:
    kind = STATUS_NOTICES.get((event.from_status, event.to_status))
    if kind is None and event.to_status == Status.WITHDRAWN and application.reference:
        kind = WITHDRAWN
    if kind is None:
        return
    context = _dated_context(application) | {
        key: value for key, value in event.data.items() if isinstance(value, str | int)
    }
    if kind in (INFO_REQUESTED, PRECHECK_RETURNED):
        context["message"] = event.note
    if kind == PRECHECK_PASSED:
        notify_passport_too_short(application=application, today=timezone.localdate())
    if kind == SUBMITTED:
        notify_passport_too_short(application=application, today=timezone.localdate())
        if application.extends is not None:
            # Instead of the permit's expiry reminders, which stop now (permits.sweeps).
            kind = EXTENSION_SUBMITTED
            context["permit"] = application.extends.number
    notify_applicant(
        application=application, kind=kind, context=context, dedupe_key=f"event:{event.pk}"
    )


# After the first notice, a too-short passport is brought up again every this many days.
PASSPORT_REPEAT_DAYS = 30


def notify_passport_too_short(*, application: Application, today: date) -> bool:
    """Tell the student their passport is too short for the whole-programme permit.

    Once at submission (or when new passport details are still too short), then once per
    PASSPORT_REPEAT_DAYS counted from submission; the key carries the passport's expiry date, so
    updating the passport starts over and the same period never sends twice.
    """
    expiry, required = application.passport_expiry_date, application.passport_required_until
    if not (expiry and required and expiry < required and application.submitted_at):
        return False
    submitted = timezone.localdate(application.submitted_at)
    period = max((today - submitted).days, 0) // PASSPORT_REPEAT_DAYS
    # Every evaluation sets passport_required_until together with its (protected) policy version.
    policy = cast(PolicyVersion, application.policy_version)
    return notify_applicant(
        kind=PASSPORT_TOO_SHORT,
        application=application,
        context=_dated_context(application)
        | {
            "passport_expiry": expiry.isoformat(),
            "required_until": required.isoformat(),
            "margin_days": policy.passport_margin_days,
        },
        dedupe_key=f"passport-short:{application.pk}:{expiry.isoformat()}:{period}",
    )


def notify_message(*, application: Application, sender: AbstractBaseUser, message_id: int) -> None:
    """Tell the other side of the thread: the student, or the assigned officer."""
    if sender.pk == application.applicant_id:
        recipient = application.assignee
        path = reverse("officer-review", args=[application.pk])
    else:
        recipient = application.applicant
        path = reverse("application-detail", args=[application.pk])
    if recipient is None:
        return
    notify_user(
        user=recipient,
        kind=MESSAGE,
        about=application,
        context={"reference": application.reference or "", "path": path},
        dedupe_key=f"message:{message_id}",
    )
