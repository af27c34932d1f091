"""The notices about a permit, registered with the outbox with what they say."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from notifications.kinds import NoticeKind, register

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
    )
)
