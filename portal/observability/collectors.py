"""Gauges read from the database and the broker when Prometheus scrapes: the outbox backlog,
the cases past their legal deadline, the Celery queue.

Computed at scrape time rather than kept up to date by the code that changes them: the numbers
are the database's, the same in every process, so any web process answers them alike (and in
multiprocess mode only the scraped one computes them). A few aggregate queries per scrape, each
using an index: one for the outbox, one per kind of case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from cases.deadlines import LEGAL_DECISION_DAYS
from notifications.models import Notification
from officers.dashboard import breaches_by_kind
from portal.celery import app as celery_app

logger = logging.getLogger(__name__)

# Every state but "sent", which only grows and says nothing about the backlog.
OUTBOX_STATES = (
    Notification.State.PENDING,
    Notification.State.SENDING,
    Notification.State.FAILED,
)


def outbox_gauges(*, now: datetime) -> Iterator[GaugeMetricFamily]:
    State = Notification.State
    row = Notification.objects.filter(state__in=OUTBOX_STATES).aggregate(
        pending=Count("pk", filter=Q(state=State.PENDING)),
        sending=Count("pk", filter=Q(state=State.SENDING)),
        failed=Count("pk", filter=Q(state=State.FAILED)),
        oldest_pending=Min("created_at", filter=Q(state=State.PENDING)),
    )
    notices = GaugeMetricFamily(
        "portal_outbox_notifications",
        "Notices of the outbox not sent, by state (failed: given up after the last attempt).",
        labels=["state"],
    )
    for state in ("pending", "sending", "failed"):
        notices.add_metric([state], row[state])
    yield notices
    oldest = row["oldest_pending"]
    yield GaugeMetricFamily(
        "portal_outbox_oldest_pending_age_seconds",
        "Age of the oldest notice waiting to be sent (0 when none waits).",
        value=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
    )


def case_gauges(*, now: datetime) -> Iterator[GaugeMetricFamily]:
    # The supervisor dashboard's own counts, so the numbers agree.
    open_cases = GaugeMetricFamily(
        "portal_cases_open", "Open cases (submitted, not decided), by kind.", labels=["kind"]
    )
    late = GaugeMetricFamily(
        "portal_cases_past_legal_deadline",
        f"Open cases whose clock started more than {LEGAL_DECISION_DAYS} days ago, by kind.",
        labels=["kind"],
    )
    for code, row in breaches_by_kind(now=now).items():
        open_cases.add_metric([code], row["open"])
        late.add_metric([code], row["past_legal"])
    yield open_cases
    yield late


def queue_length(broker_url: str, queue: str) -> int:
    """Messages waiting in ``queue``: Redis keeps a queue as a list; RabbitMQ answers a passive
    declaration with the count (and a queue no worker has declared yet holds nothing)."""
    if broker_url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(broker_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return int(client.llen(queue))
        finally:
            client.close()
    from amqp.exceptions import NotFound

    with celery_app.connection_for_read(url=broker_url, connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        try:
            _, count, _ = conn.default_channel.queue_declare(queue=queue, passive=True)
        except NotFound:
            return 0
        return int(count)


def broker_gauges() -> Iterator[GaugeMetricFamily]:
    eager = bool(settings.CELERY_TASK_ALWAYS_EAGER)
    yield GaugeMetricFamily(
        "portal_celery_eager",
        "1 when no broker is configured and tasks run inside the web process.",
        value=int(eager),
    )
    if eager:
        return
    queue = celery_app.conf.task_default_queue or "celery"
    up = GaugeMetricFamily(
        "portal_celery_broker_up", "1 when the broker answered this scrape's question."
    )
    try:
        length = queue_length(settings.CELERY_BROKER_URL, queue)
    except Exception:
        logger.warning("The broker did not answer the queue length.", exc_info=True)
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up
    queue_family = GaugeMetricFamily(
        "portal_celery_queue_length",
        "Task messages waiting in the queue for a worker.",
        labels=["queue"],
    )
    queue_family.add_metric([queue], length)
    yield queue_family


class PortalCollector(Collector):
    """The gauges above. A source that fails leaves its gauges out and says so in
    ``portal_collector_up``, so that a database outage does not take the request metrics
    (which tell how the outage looks to users) down with it."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        up = GaugeMetricFamily(
            "portal_collector_up",
            "1 when the source of these gauges answered this scrape.",
            labels=["source"],
        )
        sources: tuple[tuple[str, Callable[..., Iterator[GaugeMetricFamily]]], ...] = (
            ("outbox", outbox_gauges),
            ("cases", case_gauges),
        )
        for source, gauges in sources:
            try:
                families = list(gauges(now=now))
            except Exception:
                logger.exception("Metrics of the %s could not be read.", source)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up
        yield from broker_gauges()
