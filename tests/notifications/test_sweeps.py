"""The inactive-draft sweep: one reminder per period of inactivity, deletion at the end of it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from applications import notices as app_notices
from applications.models import Application
from applications.sweeps import sweep_inactive_drafts
from notifications.models import Notification
from notifications.tasks import deliver
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
LAST_CHANGE = datetime(2025, 3, 3, 15, 0, tzinfo=ISTANBUL)


@pytest.fixture
def draft(settings):
    settings.DRAFT_REMINDER_DAYS = 53
    settings.DRAFT_RETENTION_DAYS = 60
    with time_machine.travel(LAST_CHANGE, tick=False):
        return ApplicationFactory()


def sweep_on(days_after: int) -> dict[str, int]:
    with time_machine.travel(LAST_CHANGE + timedelta(days=days_after), tick=False):
        return sweep_inactive_drafts()


def reminders(application: Application) -> int:
    return Notification.objects.filter(
        application=application, kind=app_notices.DRAFT_REMINDER
    ).count()


def test_no_reminder_before_the_reminder_day(draft):
    assert sweep_on(52) == {"reminded": 0, "deleted": 0}
    assert reminders(draft) == 0


def test_one_reminder_on_the_reminder_day_even_when_run_twice(draft):
    assert sweep_on(53)["reminded"] == 1
    sweep_on(53)
    sweep_on(55)  # still inactive: the same period, so no second reminder
    assert reminders(draft) == 1
    notice = Notification.objects.get(application=draft)
    assert notice.to_email == draft.applicant.email
    assert notice.context["delete_on"] == "2025-05-02"


def test_the_reminder_says_when_the_draft_goes(draft, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    draft.applicant.preferred_language = "en"
    draft.applicant.save()
    sweep_on(53)
    notice = Notification.objects.get(application=draft)
    with time_machine.travel(LAST_CHANGE + timedelta(days=53), tick=False):
        assert deliver(notice.pk)
    assert mailoutbox[0].subject == "Your draft application will be deleted on 2 May 2025"
    assert "3 Mar 2025" in mailoutbox[0].body


def test_a_change_starts_a_new_period(draft):
    sweep_on(53)
    with time_machine.travel(LAST_CHANGE + timedelta(days=54), tick=False):
        draft.save()  # the student came back and changed something
    assert sweep_on(60)["deleted"] == 0
    assert sweep_on(54 + 53)["reminded"] == 1
    assert reminders(draft) == 2


def test_the_draft_is_deleted_at_the_end_of_the_retention_period(draft):
    sweep_on(53)
    assert sweep_on(60)["deleted"] == 1
    assert not Application.objects.filter(pk=draft.pk).exists()
