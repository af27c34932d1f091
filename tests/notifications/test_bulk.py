"""The set-based outbox writer of the sweeps: the rows notify_user would write, in one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F, JSONField, Value
from django.utils import timezone

from accounts.mobile import verified_mobile_of
from accounts.models import Profile, User
from applications import notices as app_notices
from notifications import bulk
from notifications.models import ChannelPreference, Notification
from notifications.services import notify_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"reference": "AZTR-2026-000001", "path": "/applications/1/", "days": 7}
SMS_KIND = app_notices.APPROVED  # an SMS text, by e-mail and SMS by default
EMAIL_KIND = app_notices.MESSAGE  # no SMS text


def verify(user: User, number: str) -> None:
    Profile.objects.filter(user=user).update(mobile=number, mobile_verified_at=timezone.now())


def rows_for(users, *, prefix: str, kind: str = SMS_KIND, key=None):
    return bulk.notice_rows(
        User.objects.filter(pk__in=[user.pk for user in users]),
        recipient="",
        phone=verified_mobile_of("pk") if bulk.may_go_by_sms(kind) else None,
        context=Value(CONTEXT, JSONField()),
        dedupe_key=key if key is not None else bulk.text(f"{prefix}:", F("pk")),
        about=User,
        about_id=F("pk"),
    )


@pytest.fixture
def people():
    """No number; a verified number (the kind's default: both); SMS only; e-mail only; a
    number entered but not verified."""
    plain, both, sms_only, email_only, unverified = UserFactory.create_batch(5)
    verify(both, "+905321234567")
    verify(sms_only, "+905321234568")
    verify(email_only, "+905321234569")
    Profile.objects.filter(user=unverified).update(mobile="+905321234570")
    ChannelPreference.objects.create(user=sms_only, kind=SMS_KIND, channels="sms")
    ChannelPreference.objects.create(user=email_only, kind=SMS_KIND, channels="email")
    return {
        "plain": plain,
        "both": both,
        "sms_only": sms_only,
        "email_only": email_only,
        "unverified": unverified,
    }


COMPARED = [
    field.name
    for field in Notification._meta.concrete_fields
    if field.name not in ("id", "dedupe_key", "created_at", "next_attempt_at")
]


def columns(notification: Notification) -> dict:
    return {name: getattr(notification, name) for name in COMPARED}


@pytest.mark.parametrize("kind", [SMS_KIND, EMAIL_KIND])
def test_the_rows_are_those_notify_user_writes_column_by_column(people, kind):
    users = list(people.values())
    before = timezone.now()
    for user in users:
        assert notify_user(
            user=user, kind=kind, context=CONTEXT, dedupe_key=f"one:{user.pk}", about=user
        )
    assert bulk.notify_many(kind=kind, rows=rows_for(users, prefix="many", kind=kind)) == 5

    one = Notification.objects.filter(dedupe_key__startswith="one:")
    many = Notification.objects.filter(dedupe_key__startswith="many:")
    assert one.count() == many.count()
    for row in one:
        twin = many.get(dedupe_key=row.dedupe_key.replace("one:", "many:", 1))
        assert columns(twin) == columns(row)
        assert before <= twin.created_at <= timezone.now()
        assert twin.next_attempt_at == twin.created_at
    if kind == EMAIL_KIND:
        assert not many.filter(channel="sms").exists()


def test_sms_only_to_verified_numbers_on_the_chosen_channels(people):
    written = bulk.notify_many(kind=SMS_KIND, rows=rows_for(people.values(), prefix="k"))
    assert written == 5  # a notice by e-mail and SMS counts once
    rows = {
        (row.recipient_id, row.channel): row
        for row in Notification.objects.filter(dedupe_key__startswith="k:")
    }
    channels = {
        name: sorted(channel for (pk, channel) in rows if pk == user.pk)
        for name, user in people.items()
    }
    assert channels == {
        "plain": ["email"],
        "both": ["email", "sms"],
        "sms_only": ["sms"],
        "email_only": ["email"],
        "unverified": ["email"],
    }
    # One notice in the inbox each: the SMS row only when it goes by SMS alone.
    both, sms_only = people["both"].pk, people["sms_only"].pk
    assert rows[(both, "email")].in_inbox
    assert not rows[(both, "sms")].in_inbox
    assert rows[(sms_only, "sms")].in_inbox
    assert rows[(sms_only, "sms")].dedupe_key == f"k:{sms_only}:sms"
    assert rows[(sms_only, "sms")].to_phone == "+905321234568"
    assert rows[(sms_only, "sms")].to_email == ""


def test_a_second_call_writes_nothing(people):
    users = list(people.values())
    assert bulk.notify_many(kind=SMS_KIND, rows=rows_for(users, prefix="k")) == 5
    count = Notification.objects.count()
    assert bulk.notify_many(kind=SMS_KIND, rows=rows_for(users, prefix="k")) == 0
    assert Notification.objects.count() == count


def test_a_notice_written_on_either_channel_is_not_written_again(people):
    plain, sms_only = people["plain"], people["sms_only"]
    notify_user(user=sms_only, kind=SMS_KIND, context=CONTEXT, dedupe_key=f"k:{sms_only.pk}")
    assert Notification.objects.get(recipient=sms_only).dedupe_key == f"k:{sms_only.pk}:sms"
    # Now e-mail only: notify_user would not send the notice again, nor does notify_many.
    ChannelPreference.objects.filter(user=sms_only).update(channels="email")
    assert bulk.notify_many(kind=SMS_KIND, rows=rows_for([plain, sms_only], prefix="k")) == 1
    assert Notification.objects.filter(recipient=sms_only).count() == 1


def test_rows_sharing_a_key_write_it_once_for_the_first(people):
    users = sorted(people.values(), key=lambda user: user.pk)
    assert (
        bulk.notify_many(kind=EMAIL_KIND, rows=rows_for(users, prefix="", key=Value("same"))) == 1
    )
    assert Notification.objects.get(dedupe_key="same").recipient == users[0]


def test_a_kind_that_may_go_by_sms_needs_the_numbers(people):
    rows = bulk.notice_rows(
        User.objects.all(),
        recipient="",
        context=Value(CONTEXT, JSONField()),
        dedupe_key=bulk.text("x:", F("pk")),
    )
    with pytest.raises(ValueError, match="verified numbers"):
        bulk.notify_many(kind=SMS_KIND, rows=rows)


def test_the_sends_are_queued_after_the_commit(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[list[int]] = []
    monkeypatch.setattr(bulk, "enqueue_many", lambda ids: queued.append(list(ids)))
    with django_capture_on_commit_callbacks() as callbacks:
        bulk.notify_many(kind=SMS_KIND, rows=rows_for(people.values(), prefix="k"))
        assert queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    new = sorted(
        Notification.objects.filter(dedupe_key__startswith="k:").values_list("pk", flat=True)
    )
    assert queued == [new]


def test_nothing_new_nothing_queued(people, django_capture_on_commit_callbacks):
    bulk.notify_many(kind=EMAIL_KIND, rows=rows_for(people.values(), prefix="k", kind=EMAIL_KIND))
    with django_capture_on_commit_callbacks() as callbacks:
        bulk.notify_many(
            kind=EMAIL_KIND, rows=rows_for(people.values(), prefix="k", kind=EMAIL_KIND)
        )
    assert callbacks == []


def test_a_broker_failure_leaves_the_rest_pending_for_the_minute_sweep(people, monkeypatch):
    from notifications import tasks

    bulk.notify_many(kind=EMAIL_KIND, rows=rows_for(people.values(), prefix="k", kind=EMAIL_KIND))
    ids = list(Notification.objects.values_list("pk", flat=True))

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_notifications, "delay", broker_down)
    assert bulk.enqueue_many(ids) == 0
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}
    due = Notification.objects.filter(next_attempt_at__lte=timezone.now() + timedelta(seconds=1))
    assert due.count() == len(ids)


def test_the_sends_go_through_send_notification(people, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bulk.notify_many(kind=EMAIL_KIND, rows=rows_for(people.values(), prefix="k", kind=EMAIL_KIND))
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert bulk.enqueue_many(ids) == len(ids)  # eager in the tests: sent at once
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    assert len(mailoutbox) == len(ids)
