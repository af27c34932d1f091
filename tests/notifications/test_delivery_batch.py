"""Batched delivery: many rows per claim and per SMTP session, each row still sent once.

Transactional tests: the concurrent claimers and the worker thread have their own database
connections, so they only see committed rows. The SMTP server is a real aiosmtpd sink in this
process; this module's own sink also notes each message's connection, and can hang up on its
clients, as a server does with idle sessions.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from applications import notices as app_notices
from notifications import tasks
from notifications.emails import message_id
from notifications.models import Notification
from notifications.tasks import (
    STUCK_AFTER,
    claim_batch,
    deliver_batch,
    deliver_listed,
    requeue_due_notifications,
    send_notification,
    send_notifications,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)


class PeerSink:
    """Accepts every message, noting its Message-ID and the client's address (one per TCP
    connection); ``hang_up()`` closes every open session from the server's side."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, tuple[str, int]]] = []
        self.servers: list = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        found = MESSAGE_ID.search(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append((found.group(1).decode() if found else "", session.peer))
            self.servers.append(server)
        return "250 Message accepted for delivery"

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [mid for mid, _peer in self.received]

    @property
    def connections(self) -> int:
        with self.lock:
            return len({peer for _mid, peer in self.received})

    def hang_up(self) -> None:
        done = threading.Event()

        def close_all() -> None:
            for server in self.servers:
                if server.transport is not None:
                    server.transport.close()
            done.set()

        self.controller.loop.call_soon_threadsafe(close_all)
        assert done.wait(5)


@pytest.fixture
def sink(settings, closed_port) -> Iterator[PeerSink]:
    from aiosmtpd.controller import Controller

    handler = PeerSink()
    controller = Controller(handler, hostname="127.0.0.1", port=closed_port)
    controller.start()
    handler.controller = controller
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield handler
    finally:
        tasks.mail_close_all()  # no connection to this sink outlives it
        controller.stop()


def pending_rows(count: int, *, prefix: str = "batch") -> list[Notification]:
    """``count`` due e-mail rows, written directly: no task is enqueued for them."""
    user = UserFactory(preferred_language="en")
    return Notification.objects.bulk_create(
        Notification(
            kind=app_notices.SUBMITTED,
            recipient=user,
            to_email=user.email,
            language="en",
            context={"reference": f"AZTR-2026-{n:06d}", "path": "/"},
            dedupe_key=f"{prefix}:{n}",
        )
        for n in range(count)
    )


def states(rows: list[Notification]) -> Counter[str]:
    return Counter(
        Notification.objects.filter(pk__in=[row.pk for row in rows]).values_list("state", flat=True)
    )


def test_concurrent_batch_claims_never_hand_out_the_same_row():
    rows = pending_rows(120)
    barrier = threading.Barrier(3)
    claimed: list[list[int]] = [[], [], []]
    errors: list[BaseException] = []

    def claimer(mine: list[int]) -> None:
        try:
            barrier.wait(timeout=10)
            while batch := claim_batch(timezone.now(), limit=7):
                mine.extend(row.pk for row in batch)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    every = [pk for mine in claimed for pk in mine]
    assert len(every) == len(set(every)) == 120  # each row once, none left over
    assert sorted(every) == sorted(row.pk for row in rows)
    assert states(rows) == {Notification.State.SENDING: 120}
    assert set(Notification.objects.filter(pk__in=every).values_list("attempts", flat=True)) == {1}


def test_a_batch_claims_its_own_row_first_and_leaves_rows_not_due():
    rows = pending_rows(5)
    later = rows[0]
    Notification.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    batch = claim_batch(timezone.now(), limit=3, first=rows[3].pk)

    assert [row.pk for row in batch] == [rows[3].pk, rows[1].pk, rows[2].pk]
    assert Notification.objects.get(pk=later.pk).state == Notification.State.PENDING
    assert claim_batch(timezone.now(), limit=3, first=rows[3].pk) == [rows[4]]


def test_a_listed_claim_takes_only_its_due_rows():
    rows = pending_rows(6)
    Notification.objects.filter(pk=rows[1].pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    Notification.objects.filter(pk=rows[2].pk).update(state=Notification.State.SENT)

    batch = claim_batch(timezone.now(), limit=10, ids=[row.pk for row in rows[:4]])

    # Not the one not yet due, not the one already sent, and none of the rows not listed.
    assert [row.pk for row in batch] == [rows[0].pk, rows[3].pk]
    assert states(rows[4:]) == {Notification.State.PENDING: 2}
    assert claim_batch(timezone.now(), limit=10, ids=[]) == []


def test_a_list_is_sent_a_batch_at_a_time_each_row_once(sink, settings, monkeypatch):
    settings.NOTIFICATION_BATCH_SIZE = 3
    rows = pending_rows(8)
    claims = []
    real_claim = tasks.claim_batch

    def counted(*args, **kwargs):
        claims.append(kwargs.get("ids"))
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(tasks, "claim_batch", counted)
    ids = [row.pk for row in rows]

    assert deliver_listed(ids) == 8
    assert [len(listed) for listed in claims] == [3, 3, 2]
    assert sink.message_ids == [message_id(row) for row in rows]
    assert sink.connections == 1
    # Sent already: a redelivered message sends nothing.
    assert deliver_listed(ids) == 0
    assert len(sink.message_ids) == 8


def test_a_list_past_its_time_leaves_the_rest_pending(sink, settings, monkeypatch):
    settings.NOTIFICATION_BATCH_SIZE = 2
    rows = pending_rows(5)
    real_attempt = tasks._attempt

    def slow(row) -> bool:
        sent = real_attempt(row)
        if row.pk == rows[1].pk:  # the second send took the message's whole time
            monkeypatch.setattr(tasks, "BATCH_SECONDS", -1.0)
        return sent

    monkeypatch.setattr(tasks, "_attempt", slow)

    sent = deliver_listed([row.pk for row in rows])

    # The first batch went; the rest were never claimed, so they are due for the minute sweep.
    assert sent == 2
    assert [Notification.objects.get(pk=row.pk).state for row in rows] == [
        Notification.State.SENT,
        Notification.State.SENT,
        Notification.State.PENDING,
        Notification.State.PENDING,
        Notification.State.PENDING,
    ]
    assert [Notification.objects.get(pk=row.pk).attempts for row in rows[2:]] == [0, 0, 0]


def test_one_smtp_connection_carries_the_batch_and_is_reopened_after_a_hang_up(sink):
    first = pending_rows(5, prefix="first")

    assert deliver_batch(first[0].pk) is True

    assert sink.connections == 1
    assert sink.message_ids == [message_id(row) for row in first]

    # The server hangs up on the idle session; the next batch opens a new one and loses nothing.
    sink.hang_up()
    second = pending_rows(3, prefix="second")
    assert deliver_batch() is False  # no row of its own

    assert sink.connections == 2
    assert sink.message_ids[5:] == [message_id(row) for row in second]
    assert states(first + second) == {Notification.State.SENT: 8}
    assert set(
        Notification.objects.filter(pk__in=[r.pk for r in first + second]).values_list(
            "attempts", "last_error"
        )
    ) == {(1, "")}


def test_a_crash_mid_batch_sends_each_row_once(sink, monkeypatch):
    rows = pending_rows(6)
    real_send = tasks._send
    calls = []

    def dies_on_the_third(message) -> None:
        calls.append(message)
        if len(calls) == 3:
            raise SystemExit("the worker process is going down")
        real_send(message)

    monkeypatch.setattr(tasks, "_send", dies_on_the_third)
    with pytest.raises(SystemExit):
        deliver_batch(rows[0].pk)
    monkeypatch.setattr(tasks, "_send", real_send)

    # Two sent; the third, whose fate the dead process never recorded, stays "sending"; the
    # three it never reached went back to pending, their attempt not counted.
    assert sink.message_ids == [message_id(row) for row in rows[:2]]
    assert [Notification.objects.get(pk=row.pk).state for row in rows] == [
        Notification.State.SENT,
        Notification.State.SENT,
        Notification.State.SENDING,
        Notification.State.PENDING,
        Notification.State.PENDING,
        Notification.State.PENDING,
    ]
    assert [Notification.objects.get(pk=row.pk).attempts for row in rows[3:]] == [0, 0, 0]

    # Redelivered task: the rows given back are sent, the one in doubt is left alone.
    assert deliver_batch(rows[0].pk) is False
    assert sink.message_ids == [message_id(row) for row in (*rows[:2], *rows[3:])]
    # Until the minute sweep, once its claim is older than STUCK_AFTER, frees it.
    with time_machine.travel(timezone.now() + STUCK_AFTER + timedelta(minutes=1), tick=False):
        requeue_due_notifications()  # eager here: its send runs in this process
    assert sorted(sink.message_ids) == sorted(message_id(row) for row in rows)
    assert states(rows) == {Notification.State.SENT: 6}
    assert Notification.objects.get(pk=rows[2].pk).attempts == 2


def test_the_worker_sends_a_backlog_once_each_however_its_tasks_fall(
    settings, smtp_sink, celery_worker, wait_until
):
    settings.NOTIFICATION_BATCH_SIZE = 4
    rows = pending_rows(15)
    results = [send_notification.delay(row.pk) for row in rows]
    results.append(send_notification.delay(rows[0].pk))  # a redelivery of one of them

    runs = [celery_worker.tasks.wait_for(result.id, timeout=30) for result in results]

    received = smtp_sink.wait_for(15)
    ids = [str(email.message["Message-ID"]) for email in received]
    assert sorted(ids) == sorted(message_id(row) for row in rows)  # each row once
    assert states(rows) == {Notification.State.SENT: 15}
    # The first task sent its own row (and three more); each task takes up to four due rows,
    # so most find their own sent already; the redelivery sends nothing.
    assert runs[0].retval is True
    assert runs[-1].retval is False
    assert sum(run.retval is True for run in runs) < 15
    assert len(smtp_sink.messages) == 15


def test_the_worker_sends_listed_rows_once_each_from_overlapping_messages(
    settings, smtp_sink, celery_worker, wait_until
):
    settings.NOTIFICATION_BATCH_SIZE = 4
    rows = pending_rows(10)
    ids = [row.pk for row in rows]
    # Two messages that share rows (a sweep's message and a redelivery of part of it).
    first = send_notifications.delay(ids)
    second = send_notifications.delay(ids[3:7])

    runs = [celery_worker.tasks.wait_for(result.id, timeout=30) for result in (first, second)]

    received = smtp_sink.wait_for(10)
    assert sorted(str(email.message["Message-ID"]) for email in received) == sorted(
        message_id(row) for row in rows
    )
    assert sum(run.retval for run in runs) == 10
    assert states(rows) == {Notification.State.SENT: 10}
    assert len(smtp_sink.messages) == 10
