"""The in-app copy of the notices: the bell's unread count, the list, and marking as read.

Every notice written to the outbox for a user is also that user's in-app notice; ``read_at``
records when it was read. A notice sent by e-mail and SMS is two rows and one notice: only the
row marked ``in_inbox`` (the e-mail's, or the SMS's when it goes by SMS only) is listed.
Account emails (verification, password reset) are not notices about the user's applications
and stay out of the inbox.

The texts come from ``content.py``, the same sentences as the emails, but rendered in the
language of the page being shown rather than the recipient's email language: someone who reads
the portal in Turkish sees the Turkish notice even if their emails go out in Azerbaijani.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .content import notice_texts
from .kinds import kinds_outside_inbox
from .models import Notification

# --- selectors -----------------------------------------------------------------------------


def inbox_for(user: Any) -> QuerySet[Notification]:
    """The user's notices, newest first; account emails are not part of the inbox."""
    # ``user`` is an instance of settings.AUTH_USER_MODEL, which the outbox may not import (the
    # ``recipient`` lookup accepts only that model, not AbstractBaseUser).
    return (
        Notification.objects.filter(recipient=user, in_inbox=True)
        .exclude(kind__in=kinds_outside_inbox())
        .order_by("-created_at", "-pk")
    )


def unread_count(user: AbstractBaseUser) -> int:
    """One COUNT over the partial index ``notification_unread_idx`` (recipient, unread only)."""
    return inbox_for(user).filter(read_at__isnull=True).count()


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, notification_id: int) -> Notification:
    """Mark one of the user's own notices read; anyone else's id is not found (Http404).

    Looking the row up through ``inbox_for`` means another user's notice is indistinguishable
    from one that does not exist, and nothing is changed. Reading a notice twice keeps the
    first reading time.
    """
    notification = get_object_or_404(inbox_for(user), pk=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Conditional, so a concurrent "mark all" or second tab does not move the time.
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    """Mark every unread notice of the user read; returns how many changed."""
    return inbox_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())


# --- display -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    notification: Notification
    subject: str
    what_happened: str
    next_step: str

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None


def inbox_item(notification: Notification) -> InboxItem:
    """A notice's subject, what happened and next step, in the CURRENT language.

    The same sentences as the email (``content.py``), with dates in the page's language. A kind
    that ``content.py`` does not describe shows its label as the subject.
    """
    texts = notice_texts(notification)
    return InboxItem(
        notification=notification,
        subject=texts["subject"],
        what_happened=texts["what_happened"],
        next_step=texts["next_step"],
    )
