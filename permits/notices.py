"""The notices about a permit, registered with the outbox with what they say."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from notifications.kinds import NoticeKind, register
from notifications.services import notify_user

from .grounds import ARTICLE_40_GROUNDS

if TYPE_CHECKING:
    from .models import Permit, PermitEvent

PERMIT_EXPIRING = register(
    NoticeKind(
        code="permit_expiring",
        label=_("Permit expiring"),
        subject=_("Your residence permit ends on %(valid_to)s"),
        what_happened=ngettext_lazy(
            "Your student residence permit %(permit)s ends tomorrow, on %(valid_to)s.",
            "Your student residence permit %(permit)s ends in %(days)s days, on %(valid_to)s. "
            "You can apply for an extension from %(window_opens)s.",
            "days",
        ),
        next_step=_(
            "If your studies continue, apply for an extension before the permit ends. If you have "
            "graduated or left your programme, apply for another permit within 10 days."
        ),
        sms=_("Your residence permit (%(reference)s) ends soon. Extend it:"),
        sms_by_default=True,
    )
)


PERMIT_CANCELLED = register(
    NoticeKind(
        code="permit_cancelled",
        label=_("Permit cancelled"),
        subject=_("Your residence permit %(permit)s is cancelled"),
        what_happened=_(
            "Your student residence permit %(permit)s was cancelled on %(ended_on)s, on the "
            "grounds of LFIP Art. 40: %(grounds)s %(message)s"
        ),
        next_step=_(
            "The decision letter on your dashboard states the reasons. You can challenge the "
            "decision before the administrative court within 60 days of being notified."
        ),
        link_label=_("Open your dashboard"),
    )
)

PERMIT_ENDED = register(
    NoticeKind(
        code="permit_ended",
        label=_("Permit ended"),
        subject=_("Your residence permit %(permit)s has ended"),
        what_happened=_(
            "The end of your studies was confirmed, so your student residence permit %(permit)s "
            "ended on %(ended_on)s."
        ),
        next_step=_(
            "If you are staying in Türkiye, apply for another residence permit by %(apply_by)s: "
            "a student permit for a new programme, or another kind of residence permit (for "
            "example short-term or family). Otherwise, leave Türkiye by that day."
        ),
        link_label=_("Open your dashboard"),
    )
)

PERMIT_SHORTENED = register(
    NoticeKind(
        code="permit_shortened",
        label=_("Permit shortened"),
        subject=_("Your residence permit %(permit)s now ends on %(valid_to)s"),
        what_happened=_(
            "Your residence permit %(permit)s now ends on %(valid_to)s instead of "
            "%(previous_valid_to)s, because your programme ends earlier: %(message)s"
        ),
        next_step=_(
            "You can challenge the decision before the administrative court within 60 days of "
            "being notified."
        ),
        link_label=_("Open your dashboard"),
    )
)


def notify_permit_change(*, permit: Permit, event: PermitEvent) -> None:
    """The holder's notice of a cancellation, an end or a shortening, from the event's data."""
    kind = {
        "cancelled": PERMIT_CANCELLED,
        "ended": PERMIT_ENDED,
    }.get(event.to_status, PERMIT_SHORTENED if event.kind == "shortened" else None)
    if kind is None:
        return
    holder = permit.application.applicant
    data = event.data
    context = {
        "reference": permit.application.reference or "",
        "permit": permit.number,
        "path": reverse("dashboard"),
        "message": event.note,
        **{key: value for key, value in data.items() if isinstance(value, str)},
    }
    if kind == PERMIT_CANCELLED:
        # The grounds in the holder's words: the notice is rendered later, from stored text.
        with translation.override(holder.preferred_language):
            context["grounds"] = " ".join(
                str(ARTICLE_40_GROUNDS[code]) for code in data.get("grounds", [])
            )
    notify_user(
        user=holder,
        kind=kind,
        about=permit,
        context=context,
        dedupe_key=f"permit:{permit.pk}:{event.pk}",
    )
