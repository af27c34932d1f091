"""The daily reminder sweeps: each threshold produces its notice once, however often they run.

Every test freezes the clock with time-machine and runs the sweep twice on each day it looks at.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from applications import decisions, services, workflow
from applications import notices as app_notices
from applications.models import Application, InfoRequest, Status
from applications.sweeps import (
    sweep_info_requests,
    sweep_passports,
)
from notifications.models import Notification
from notifications.tasks import deliver
from officers import notices as officer_notices
from officers.sweeps import sweep_supervisor_digest
from permits import notices as permit_notices
from permits.sweeps import sweep_permits
from tests.factories import OfficerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
SUBMITTED_ON = date(2025, 10, 1)
# Bachelor's from 2024-09-16: the permit runs to 2028-09-15, the passport is needed until
# 2028-11-14 (RULES.md's worked example); this passport is too short.
SHORT_PASSPORT = date(2028, 6, 30)


def at(day: date, hour: int = 10):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=ISTANBUL), tick=False
    )


def twice(sweep, day: date) -> dict[str, int]:
    """Run a sweep twice on one day; the second run must create nothing."""
    with at(day, hour=3):
        first = sweep()
        second = sweep()
    assert all(value == 0 for key, value in second.items() if key != "past_target"), second
    return first


def notices(kind: str, **filters) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, **filters).order_by("created_at", "pk"))


@pytest.fixture
def short_passport_application(application_in):
    with at(SUBMITTED_ON):
        return application_in(Status.UNDER_REVIEW, passport_expiry_date=SHORT_PASSPORT)


class TestPassportTooShort:
    KIND = app_notices.PASSPORT_TOO_SHORT

    def test_the_student_is_told_at_submission(self, short_passport_application):
        application = short_passport_application
        (notice,) = notices(self.KIND)
        assert notice.recipient == application.applicant
        assert notice.context["passport_expiry"] == "2028-06-30"
        assert notice.context["required_until"] == "2028-11-14"
        assert application.passport_required_until == date(2028, 11, 14)

    def test_then_every_30_days_and_never_twice_in_a_period(self, short_passport_application):
        assert twice(sweep_passports, SUBMITTED_ON)["too_short"] == 0  # sent at submission
        assert twice(sweep_passports, SUBMITTED_ON + timedelta(days=29))["too_short"] == 0
        assert twice(sweep_passports, SUBMITTED_ON + timedelta(days=30))["too_short"] == 1
        assert twice(sweep_passports, SUBMITTED_ON + timedelta(days=45))["too_short"] == 0
        assert twice(sweep_passports, SUBMITTED_ON + timedelta(days=60))["too_short"] == 1
        assert len(notices(self.KIND)) == 3

    def test_a_long_enough_passport_gets_no_notice(self, application_in):
        with at(SUBMITTED_ON):
            application_in(Status.UNDER_REVIEW)
        assert twice(sweep_passports, SUBMITTED_ON + timedelta(days=30)) == {
            "too_short": 0,
            "holders": 0,
        }
        assert notices(self.KIND) == []

    def test_a_renewed_passport_stops_the_notices(self, short_passport_application, make_upload):
        application = short_passport_application
        with at(SUBMITTED_ON + timedelta(days=10)):
            updated = services.application_passport_update(
                application_id=application.pk,
                actor=application.applicant,
                expected_version=application.version,
                passport_number="C98765432",
                issue_date=SUBMITTED_ON + timedelta(days=5),
                expiry_date=date(2035, 10, 5),
                identity_page=make_upload("new-passport.png"),
            )
        assert updated.eligibility_outcome["passport_ok"] is True
        twice(sweep_passports, SUBMITTED_ON + timedelta(days=30))
        twice(sweep_passports, SUBMITTED_ON + timedelta(days=60))
        assert len(notices(self.KIND)) == 1

    def test_a_renewed_passport_still_too_short_is_reported_at_once(
        self, short_passport_application, make_upload
    ):
        application = short_passport_application
        with at(SUBMITTED_ON + timedelta(days=10)):
            services.application_passport_update(
                application_id=application.pk,
                actor=application.applicant,
                expected_version=application.version,
                passport_number="C98765432",
                issue_date=SUBMITTED_ON + timedelta(days=5),
                expiry_date=date(2028, 8, 1),
                identity_page=make_upload("new-passport.png"),
            )
        assert [n.context["passport_expiry"] for n in notices(self.KIND)] == [
            "2028-06-30",
            "2028-08-01",
        ]

    def test_a_decided_application_is_not_chased(self, short_passport_application):
        application = short_passport_application
        with at(SUBMITTED_ON + timedelta(days=5)):
            decisions.application_reject(
                application_id=application.pk,
                actor=application.assignee,
                expected_version=application.version,
                reason_codes=["conditions_not_met"],
                explanation="The passport is too short.",
            )
        assert twice(sweep_passports, SUBMITTED_ON + timedelta(days=30))["too_short"] == 0


class TestHolderPassport:
    KIND = app_notices.PASSPORT_EXPIRING

    @pytest.fixture
    def holder(self, application_in):
        # Granted a shorter permit (to 2028-05-01) because the passport ends on 2028-06-30.
        with at(SUBMITTED_ON):
            return application_in(Status.APPROVED, passport_expiry_date=SHORT_PASSPORT)

    @pytest.mark.parametrize(
        ("day", "threshold"),
        [(date(2028, 1, 2), 180), (date(2028, 4, 1), 90), (date(2028, 5, 31), 30)],
    )
    def test_each_threshold_once(self, holder, day, threshold):
        assert (SHORT_PASSPORT - day).days == threshold
        assert twice(sweep_passports, day)["holders"] == 1
        assert twice(sweep_passports, day + timedelta(days=1))["holders"] == 0
        (notice,) = notices(self.KIND)
        assert notice.context["days"] == threshold
        assert notice.dedupe_key.endswith(f":{threshold}")

    def test_the_three_reminders_over_time(self, holder):
        for day in (date(2027, 12, 1), date(2028, 1, 2), date(2028, 2, 1), date(2028, 4, 1)):
            twice(sweep_passports, day)
        twice(sweep_passports, date(2028, 5, 31))
        twice(sweep_passports, date(2028, 6, 30))  # the expiry day itself: nothing more
        assert [n.context["days"] for n in notices(self.KIND)] == [180, 90, 30]

    def test_the_email_names_the_date_in_the_students_language(self, holder, settings, mailoutbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        holder.applicant.preferred_language = "tr"
        holder.applicant.save()
        twice(sweep_passports, date(2028, 4, 1))
        (notice,) = notices(self.KIND)
        with at(date(2028, 4, 1)):
            assert deliver(notice.pk)
        assert "30 Haziran 2028" in mailoutbox[0].subject
        assert "90" in mailoutbox[0].body


class TestPermitExpiry:
    KIND = permit_notices.PERMIT_EXPIRING

    @pytest.fixture
    def permit(self, application_in):
        with at(SUBMITTED_ON):
            return application_in(Status.APPROVED).permit

    def test_60_30_and_7_days_before_once_each(self, permit):
        end = permit.valid_to
        assert end == date(2028, 9, 15)
        for days_before in (61, 60, 59, 45, 30, 29, 8, 7, 3, 0):
            twice(sweep_permits, end - timedelta(days=days_before))
        sent = notices(self.KIND)
        assert [n.context["days"] for n in sent] == [60, 30, 7]
        assert sent[0].context["window_opens"] == "2028-07-17"
        assert {n.recipient for n in sent} == {permit.application.applicant}

    def test_a_missed_night_is_caught_up_the_next_day(self, permit):
        twice(sweep_permits, permit.valid_to - timedelta(days=59))
        assert [n.context["days"] for n in notices(self.KIND)] == [59]


class TestInfoRequests:
    @pytest.fixture
    def request_(self, application_in):
        with at(SUBMITTED_ON):
            application = application_in(Status.INFO_REQUESTED)
        return InfoRequest.objects.get(application=application)

    def test_the_student_is_reminded_7_and_2_days_before(self, request_):
        due = request_.due_date
        assert due == SUBMITTED_ON + timedelta(days=30)
        for days_before in (8, 7, 6, 3, 2, 1):
            twice(sweep_info_requests, due - timedelta(days=days_before))
        sent = notices(app_notices.INFO_DUE)
        assert [n.context["days"] for n in sent] == [7, 2]
        assert {n.recipient for n in sent} == {request_.application.applicant}
        assert sent[0].context["message"] == "Please upload a clearer photo."

    def test_the_officer_is_told_the_day_after_the_deadline(self, request_):
        due = request_.due_date
        twice(sweep_info_requests, due)
        assert notices(app_notices.INFO_OVERDUE) == []
        assert twice(sweep_info_requests, due + timedelta(days=1))["overdue"] == 1
        assert twice(sweep_info_requests, due + timedelta(days=2))["overdue"] == 0
        (note,) = notices(app_notices.INFO_OVERDUE)
        assert note.recipient == request_.application.assignee
        assert note.context["path"] == f"/officers/applications/{request_.application_id}/"

    def test_an_answered_request_is_not_chased(self, request_, make_upload):
        application = request_.application
        with at(SUBMITTED_ON + timedelta(days=3)):
            services.document_upload(
                application_id=application.pk,
                actor=application.applicant,
                kind="photo",
                uploaded=make_upload("photo.png"),
            )
            workflow.application_provide_info(
                application_id=application.pk,
                actor=application.applicant,
                expected_version=Application.objects.get(pk=application.pk).version,
            )
        for days_after in (23, 28, 31):
            twice(sweep_info_requests, SUBMITTED_ON + timedelta(days=days_after))
        assert notices(app_notices.INFO_DUE) == []
        assert notices(app_notices.INFO_OVERDUE) == []


@pytest.mark.usefixtures("complete_at_hand_in")  # the age counts from the hand-in here
class TestSupervisorDigest:
    KIND = officer_notices.SUPERVISOR_DIGEST

    def test_late_applications_are_listed_once_a_day(self, application_in, settings):
        settings.OFFICER_SLA_TARGET_DAYS = 30
        supervisors = [SupervisorFactory(), SupervisorFactory()]
        officer = OfficerFactory(first_name="Elif", last_name="Kaya")
        with at(SUBMITTED_ON):
            oldest = application_in(Status.UNDER_REVIEW, officer=officer)
        with at(SUBMITTED_ON + timedelta(days=40)):
            recent = application_in(Status.SUBMITTED)
        with at(SUBMITTED_ON + timedelta(days=60)):
            application_in(Status.SUBMITTED)  # within the target
            application_in(Status.APPROVED)  # decided: not late

        # Day 80 of the oldest: within 10 days of the legal limit; the second is 40 days old.
        result = twice(sweep_supervisor_digest, SUBMITTED_ON + timedelta(days=80))
        assert result == {"supervisors": 2, "past_target": 2}
        sent = notices(self.KIND)
        assert {n.recipient for n in sent} == set(supervisors)
        context = sent[0].context
        assert (context["past_target"], context["near_limit"]) == (2, 1)
        assert [item["reference"] for item in context["items"]] == [
            oldest.reference,
            recent.reference,
        ]
        assert context["items"][0] == {
            "reference": oldest.reference,
            "days": 80,
            "officer": "Elif Kaya",
        }
        # A new day, a new digest.
        assert twice(sweep_supervisor_digest, SUBMITTED_ON + timedelta(days=81))["supervisors"] == 2

    def test_day_79_is_not_yet_near_the_limit(self, application_in):
        SupervisorFactory()
        with at(SUBMITTED_ON):
            application_in(Status.SUBMITTED)
        twice(sweep_supervisor_digest, SUBMITTED_ON + timedelta(days=79))
        (digest,) = notices(self.KIND)
        assert (digest.context["past_target"], digest.context["near_limit"]) == (1, 0)

    def test_nothing_late_nothing_sent(self, application_in):
        SupervisorFactory()
        with at(SUBMITTED_ON):
            application_in(Status.SUBMITTED)
        assert twice(sweep_supervisor_digest, SUBMITTED_ON + timedelta(days=30)) == {
            "supervisors": 0,
            "past_target": 0,
        }

    def test_the_digest_email_lists_the_applications(self, application_in, settings, mailoutbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        supervisor = SupervisorFactory(preferred_language="en")
        with at(SUBMITTED_ON):
            late = application_in(Status.SUBMITTED)
        twice(sweep_supervisor_digest, SUBMITTED_ON + timedelta(days=85))
        (digest,) = notices(self.KIND, recipient=supervisor)
        with at(SUBMITTED_ON + timedelta(days=85)):
            assert deliver(digest.pk)
        body = mailoutbox[0].body
        assert f"{late.reference}: 85 days open" in body
        assert "/officers/dashboard/" in body
        assert mailoutbox[0].subject == "Late applications on 25 Dec 2025"


def test_the_sweeps_use_indexed_conditions(django_assert_max_num_queries, application_in):
    """However many rows match, each sweep is a few queries plus one write per new notice."""
    with at(SUBMITTED_ON):
        for _ in range(3):
            application_in(Status.UNDER_REVIEW, passport_expiry_date=SHORT_PASSPORT)
    day = SUBMITTED_ON + timedelta(days=30)
    with at(day, hour=3), django_assert_max_num_queries(3 + 3 * 4):
        assert sweep_passports()["too_short"] == 3
    with at(day, hour=4), django_assert_max_num_queries(3 + 3):
        assert sweep_passports()["too_short"] == 0
