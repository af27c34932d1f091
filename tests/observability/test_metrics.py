"""``/metrics``: who may read it, and whether its numbers are the portal's.

The request metrics are the process's own counters (they only grow), so each test compares a
scrape with one taken before the requests it makes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from applications import workflow
from cases.registry import case_kinds, kind_of
from notifications.models import Notification
from notifications.services import notification_create
from portal.celery import app as celery_app
from portal.observability import collectors
from tests.factories import ApplicationFactory, UserFactory, attach_required_documents

from .conftest import AMQP_BROKER, DEAD_PORT, REDIS_BROKER, TOKEN, parse

pytestmark = pytest.mark.django_db

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=ISTANBUL)
ROOT = Path(__file__).resolve().parents[2]


# --- access ----------------------------------------------------------------------------------


def test_without_a_token_configured_there_is_no_metrics_page(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer", f"Bearer {TOKEN[:-1]}"],
)
def test_a_missing_or_wrong_token_is_refused(client, metrics_token, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"portal_" not in response.content


def test_the_right_token_gets_the_text_exposition(client, metrics_token):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "# TYPE portal_http_requests_total counter" in response.content.decode()


def test_only_get(client, metrics_token):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/metrics", headers=headers).status_code == 405


# --- requests --------------------------------------------------------------------------------


def test_requests_are_counted_by_route_name_method_and_status_class(client, scrape):
    home = reverse("home")
    count = {"view": "home", "method": "GET", "status": "2xx"}
    before = scrape.value("portal_http_requests_total", **count) or 0
    timed_before = scrape.value(
        "portal_http_request_duration_seconds_count", view="home", method="GET"
    )

    client.get(home)
    client.get(home)
    client.get("/no/such/page/123/")

    samples = scrape()
    assert samples[("portal_http_requests_total", frozenset(count.items()))] == before + 2
    timed = samples[
        (
            "portal_http_request_duration_seconds_count",
            frozenset({"view": "home", "method": "GET"}.items()),
        )
    ]
    assert timed == (timed_before or 0) + 2
    # An unknown path is one series whatever the path: no label holds a path.
    not_found = frozenset({"view": "<unresolved>", "method": "GET", "status": "4xx"}.items())
    assert samples[("portal_http_requests_total", not_found)] >= 1
    assert not any("/no/such/page" in str(labels) for _, labels in samples)


def test_a_route_with_arguments_is_labelled_by_its_name(client, scrape):
    url = reverse("permit-verify", args=["NO-SUCH-CODE"])
    client.get(url)

    samples = scrape()
    views = {dict(labels).get("view") for name, labels in samples}
    assert "permit-verify" in views
    assert not any("NO-SUCH-CODE" in str(view) for view in views)


# --- the outbox ------------------------------------------------------------------------------


def _notice(key: str) -> Notification:
    user = UserFactory()
    notice, created = notification_create(
        kind="test", language="en", dedupe_key=key, to_email=user.email, recipient=user
    )
    assert created
    return notice


def test_outbox_counts_and_the_age_of_the_oldest_pending_notice(scrape):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False) as clock:
        _notice("oldest")
        clock.move_to(NOW - timedelta(minutes=5))
        _notice("newer")
        failed = _notice("failed")
        sending = _notice("sending")
        # The rows' states as delivery leaves them (the test's transaction never commits, so no
        # task runs).
        Notification.objects.filter(pk=failed.pk).update(state=Notification.State.FAILED)
        Notification.objects.filter(pk=sending.pk).update(state=Notification.State.SENDING)
        clock.move_to(NOW)

        samples = scrape()

    def state(name: str) -> float:
        return samples[("portal_outbox_notifications", frozenset({("state", name)}))]

    assert (state("pending"), state("sending"), state("failed")) == (2, 1, 1)
    assert samples[("portal_outbox_oldest_pending_age_seconds", frozenset())] == 2 * 3600
    assert samples[("portal_collector_up", frozenset({("source", "outbox")}))] == 1


def test_an_empty_outbox_has_no_age(scrape):
    assert scrape.value("portal_outbox_oldest_pending_age_seconds") == 0
    assert scrape.value("portal_outbox_notifications", state="pending") == 0


# --- cases past the legal deadline -----------------------------------------------------------


def _submitted(clock, when: datetime):
    clock.move_to(when)
    application = ApplicationFactory()
    attach_required_documents(application, on=timezone.localdate())
    return workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=application.version,
        accept_declaration=True,
    )


@pytest.mark.usefixtures("complete_at_hand_in")
def test_open_cases_past_the_legal_deadline_by_kind(scrape):
    with time_machine.travel(NOW, tick=False) as clock:
        late = _submitted(clock, NOW - timedelta(days=91))
        _submitted(clock, NOW - timedelta(days=90))  # on its last day: not late yet
        _submitted(clock, NOW - timedelta(days=3))
        clock.move_to(NOW)

        samples = scrape()

    code = kind_of(late).code
    for kind in case_kinds():
        labels = frozenset({("kind", kind.code)})
        assert samples[("portal_cases_past_legal_deadline", labels)] == (
            1 if kind.code == code else 0
        )
    assert samples[("portal_cases_open", frozenset({("kind", code)}))] == 3


def test_a_database_failure_leaves_the_request_metrics(scrape, monkeypatch):
    def broken(*, now):
        raise RuntimeError("database down")

    monkeypatch.setattr(collectors, "outbox_gauges", broken)

    samples = scrape()

    assert samples[("portal_collector_up", frozenset({("source", "outbox")}))] == 0
    assert samples[("portal_collector_up", frozenset({("source", "cases")}))] == 1
    assert not any(name.startswith("portal_outbox") for name, _ in samples)
    assert any(name == "portal_http_requests_total" for name, _ in samples)


# --- the Celery queue ------------------------------------------------------------------------


def test_eager_mode_reports_no_queue(scrape, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    samples = scrape()

    assert samples[("portal_celery_eager", frozenset())] == 1
    assert not any(name == "portal_celery_queue_length" for name, _ in samples)


def test_the_redis_queue_length(scrape, broker, monkeypatch):
    import redis

    broker(REDIS_BROKER)
    # A queue of this test's own: another suite may use the same Redis database meanwhile.
    queue = f"obs-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    client = redis.Redis.from_url(REDIS_BROKER)
    client.rpush(queue, b"one", b"two", b"three")
    try:
        samples = scrape()
    finally:
        client.delete(queue)
        client.close()

    assert samples[("portal_celery_eager", frozenset())] == 0
    assert samples[("portal_celery_broker_up", frozenset())] == 1
    assert samples[("portal_celery_queue_length", frozenset({("queue", queue)}))] == 3


def test_an_unreachable_broker_is_reported_not_raised(scrape, broker):
    broker(f"redis://127.0.0.1:{DEAD_PORT}/0")

    samples = scrape()

    assert samples[("portal_celery_broker_up", frozenset())] == 0
    assert not any(name == "portal_celery_queue_length" for name, _ in samples)


def test_the_rabbitmq_queue_length():
    from kombu import Connection

    queue = f"obs-test-{uuid.uuid4().hex}"
    with Connection(AMQP_BROKER, connect_timeout=2) as conn:
        channel = conn.channel()
        channel.queue_declare(queue=queue, durable=False, auto_delete=False)
        channel.queue_purge(queue)
        for body in (b"a", b"b"):
            channel.basic_publish(channel.prepare_message(body), exchange="", routing_key=queue)
        try:
            assert collectors.queue_length(AMQP_BROKER, queue) == 2
        finally:
            channel.queue_delete(queue)
    # A queue no worker has declared yet holds nothing.
    assert collectors.queue_length(AMQP_BROKER, f"{queue}-never-declared") == 0


# --- several gunicorn workers ----------------------------------------------------------------

_WORKER = """
import django
django.setup()
from django.test import Client
Client().get("/livez/")
"""


def test_multiprocess_mode_adds_up_every_workers_requests(tmp_path):
    """Two processes, as two gunicorn workers would, each answer a request; the counts are
    read from the shared folder as any worker's /metrics reads them."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    for _ in range(2):
        subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", _WORKER], cwd=ROOT, env=env, check=True, timeout=60
        )
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))

    from prometheus_client import generate_latest

    samples = parse(generate_latest(registry).decode())
    labels = frozenset({"view": "livez", "method": "GET", "status": "2xx"}.items())
    assert samples[("portal_http_requests_total", labels)] == 2
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
