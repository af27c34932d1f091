"""The notices about an enrolment confirmation: the answer, to the student and to the officer
who has the case; the reminder of an unanswered request, to the university's office."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
)
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import bulk
from notifications.kinds import NoticeKind, register
from notifications.services import notify_user
from rules.policies import policy_version_in_force
from universities.models import UniversityStaff

from .models import ApplicationEvent, EnrolmentConfirmation, EnrolmentStatus
from .notices import applicant_context, notify_applicant

ENROLMENT_CONFIRMED = register(
    NoticeKind(
        code="enrolment_confirmed",
        label=_("Enrolment confirmed"),
        subject=_("Your university confirmed your enrolment (%(reference)s)"),
        what_happened=_(
            "Your university's international office confirmed your enrolment for application "
            "%(reference)s. Confirmation number: %(number)s."
        ),
        next_step=_("You do not need to do anything now."),
    )
)

ENROLMENT_DECLINED = register(
    NoticeKind(
        code="enrolment_declined",
        label=_("Enrolment not confirmed"),
        subject=_("Your university did not confirm your enrolment (%(reference)s)"),
        what_happened=_(
            "Your university's international office did not confirm your enrolment, for this "
            "reason: %(message)s"
        ),
        next_step=_(
            "Contact your university's international office; the officer will decide your "
            "application with what the university said."
        ),
    )
)

ENROLMENT_ANSWERED_OFFICER = register(
    NoticeKind(
        code="enrolment_answered_officer",
        label=_("University answered"),
        subject=_("The university answered on %(reference)s"),
        what_happened=_("The university's answer on enrolment for %(reference)s: %(status)s."),
        next_step=_("Open the review to compare it with what the student entered."),
        link_label=_("Open the review"),
    )
)

ENROLMENT_REMINDER = register(
    NoticeKind(
        code="enrolment_reminder",
        label=_("Enrolment confirmations waiting"),
        subject=_("%(count)s enrolment confirmations are waiting for your office"),
        what_happened=_(
            "%(count)s students' enrolment confirmations have waited %(days)s days or more; the "
            "oldest is %(oldest)s."
        ),
        next_step=_("Confirm or decline them on your office's page, or upload them as a CSV file."),
        link_label=_("Open the pending confirmations"),
    )
)


def notify_enrolment_answered(
    *, confirmation: EnrolmentConfirmation, event: ApplicationEvent
) -> None:
    """The student, and the officer who has the case, learn the answer when it arrives."""
    if confirmation.status not in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.DECLINED):
        return
    application = confirmation.application
    kind = (
        ENROLMENT_CONFIRMED
        if confirmation.status == EnrolmentStatus.CONFIRMED
        else ENROLMENT_DECLINED
    )
    notify_applicant(
        application=application,
        kind=kind,
        context=applicant_context(application)
        | {"number": confirmation.number or "", "message": confirmation.decline_reason},
        dedupe_key=f"enrolment:{confirmation.pk}:{confirmation.status}",
    )
    if application.assignee is not None:
        notify_user(
            user=application.assignee,
            kind=ENROLMENT_ANSWERED_OFFICER,
            about=application,
            context={
                "reference": application.reference or "",
                "status": str(EnrolmentStatus(confirmation.status).label),
                "path": reverse("officer-review", args=[application.pk]),
            },
            dedupe_key=f"enrolment-officer:{confirmation.pk}:{confirmation.status}",
        )


def sweep_enrolment_reminders(*, today: date | None = None) -> dict[str, int]:
    """Daily: each university with requests unanswered for the policy's days gets one reminder
    per active staff account, again each time as many days pass (idempotent per period).

    One statement for all the reminders (``notifications.bulk``): each staff account's row
    carries its university's count and oldest request, from subqueries over the waiting ones.
    """
    today = today or timezone.localdate()
    days = policy_version_in_force(on=today).enrolment_reminder_days
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.max))
    waiting = EnrolmentConfirmation.objects.filter(
        status=EnrolmentStatus.REQUESTED, requested_at__lte=cutoff
    )
    universities = waiting.values("university_id").distinct().count()
    if not universities:
        return {"reminded": 0, "universities": 0}
    of_university = waiting.filter(university_id=OuterRef("university_id"))
    oldest = of_university.order_by("requested_at", "pk")

    def of_oldest(field: str, output: Any) -> Subquery:
        return Subquery(oldest.values(field)[:1], output_field=output)

    count = Subquery(
        of_university.order_by().values("university_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )
    staff = UniversityStaff.objects.filter(
        deactivated_at__isnull=True, user__is_active=True
    ).annotate(
        n_count=count,
        n_oldest=of_oldest("pk", BigIntegerField()),
        n_oldest_number=of_oldest("number", CharField()),
        n_oldest_at=of_oldest("requested_at", DateTimeField()),
    )
    period = bulk.whole_periods(
        bulk.days_between(today, bulk.local_date(F("n_oldest_at"))), max(days, 1)
    )
    rows = bulk.notice_rows(
        staff.filter(n_count__gt=0),
        recipient="user",
        context=JSONObject(
            count=F("n_count"),
            days=bulk.const(days),
            oldest=bulk.or_empty(F("n_oldest_number")),
            path=bulk.const(reverse("university-confirmations")),
        ),
        dedupe_key=bulk.text(
            "enrolment-reminder:",
            F("university_id"),
            ":",
            F("user_id"),
            ":",
            F("n_oldest"),
            ":",
            period,
        ),
    )
    return {
        "reminded": bulk.notify_many(kind=ENROLMENT_REMINDER, rows=rows),
        "universities": universities,
    }
