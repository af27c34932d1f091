"""The notices to officers and supervisors, registered with the outbox with what they say."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import NoticeKind, register

SUPERVISOR_DIGEST = register(
    NoticeKind(
        code="supervisor_digest",
        label=_("Daily digest of late applications"),
        subject=_("Late applications on %(date)s"),
        what_happened=_(
            "Open applications past the internal target of %(target_days)s days: %(past_target)s. "
            "Of these, within 10 days of the 90-day legal limit or past it: %(near_limit)s."
        ),
        next_step=_(
            "Open the supervisor dashboard to follow these applications up or reassign them."
        ),
        link_label=_("Open the supervisor dashboard"),
    )
)
