"""Real services for the outbox tests: an SMTP sink and a Celery worker on a real broker.

``smtp_sink`` runs aiosmtpd in this process on a free port and points Django's SMTP backend at
it; every message it accepts is kept, parsed. ``celery_worker`` starts a real worker (solo pool,
in a thread of this process), with eager mode switched off for the test; ``celery_worker.tasks``
records every task the worker finishes, so a test waits for a task instead of sleeping.

The worker runs once per broker (``broker_url``, ids ``redis`` and ``rabbitmq``): Redis database
15 and RabbitMQ's default vhost (``TEST_REDIS_BROKER_URL`` / ``TEST_RABBITMQ_BROKER_URL`` point
a run elsewhere, e.g. to another Redis database when two runs share a machine). The broker's
queues are emptied before and after each test. An unreachable RabbitMQ skips its half, or fails
it when ``CI`` is set.

Everything is polled with a deadline (``wait_until``); nothing sleeps a fixed time.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import pytest

BROKER_URLS = {
    "redis": os.environ.get("TEST_REDIS_BROKER_URL") or "redis://127.0.0.1:6379/15",
    "rabbitmq": os.environ.get("TEST_RABBITMQ_BROKER_URL") or "amqp://guest:guest@127.0.0.1:5672//",
}
# Nothing listens on port 1: connecting is refused at once.
UNREACHABLE_BROKER_URLS = {
    "redis": "redis://127.0.0.1:1/0",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:1//",
}
# What portal/settings.py chooses for each scheme (test_rabbitmq.py checks that they agree).
TRANSPORT_OPTIONS: dict[str, dict[str, Any]] = {
    "redis": {"visibility_timeout": 3600},
    "rabbitmq": {"confirm_publish": True},
}
DEFAULT_QUEUE = "celery"
WAIT_SECONDS = 10.0

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], *, timeout: float = WAIT_SECONDS, what: str = "the condition"
) -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"Waited {timeout:g} s for {what}; it did not happen.")
        time.sleep(0.05)


def free_port() -> int:
    """A TCP port nothing listens on right now (also usable as a closed port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(name="wait_until")
def _wait_until() -> Callable[..., Any]:
    """``wait_until(predicate, timeout=10, what=...)``, for tests (this folder is no package)."""
    return wait_until


@pytest.fixture
def closed_port() -> int:
    """A local TCP port with nothing listening: connecting is refused."""
    return free_port()


# --- SMTP sink -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class SmtpSink:
    """An aiosmtpd handler that accepts every message and keeps it."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port: int | None = None
        self._lock = threading.Lock()
        self._received: list[ReceivedEmail] = []
        # After hold_next(), the next message's DATA is held open until ``release`` is set,
        # then refused (a sender killed meanwhile never gets the answer).
        self._hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    def hold_next(self) -> None:
        self._hold.set()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        if self._hold.is_set():
            self._hold.clear()
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Held, then aborted"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self._received.append(
                ReceivedEmail(envelope.mail_from, tuple(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[ReceivedEmail]:
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, *, timeout: float = WAIT_SECONDS) -> list[ReceivedEmail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        wait_until(
            lambda: len(self.messages) >= count,
            timeout=timeout,
            what=f"{count} email(s) in the SMTP sink (got {len(self.messages)})",
        )
        return self.messages


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """An SMTP server in this process; Django's SMTP backend sends to it for the test."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    # aiosmtpd 1.4 cannot listen on port 0: pick a free port, retry if someone took it meanwhile.
    for attempt in range(5):
        port = free_port()
        controller = Controller(sink, hostname=sink.host, port=port)
        try:
            controller.start()
        except OSError:
            if attempt == 4:
                raise
            continue
        break
    sink.port = port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        sink.release.set()
        controller.stop()


# --- Celery worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRun:
    task_id: str
    name: str
    state: str
    retval: Any
    redelivered: bool  # the broker had handed this message out before


class TaskLog:
    """Tasks the worker finished, from Celery's ``task_postrun`` signal (sent in its thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, TaskRun] = {}

    def on_postrun(self, sender=None, task_id=None, retval=None, state=None, **kwargs) -> None:
        if getattr(sender.request, "is_eager", False):
            return
        redelivered = bool((sender.request.delivery_info or {}).get("redelivered"))
        with self._lock:
            self._runs[task_id] = TaskRun(task_id, sender.name, state, retval, redelivered)

    def runs(self, name: str | None = None) -> list[TaskRun]:
        with self._lock:
            return [run for run in self._runs.values() if name is None or run.name == name]

    def wait_for(self, task_id: str, *, timeout: float = WAIT_SECONDS) -> TaskRun:
        def finished() -> TaskRun | None:
            with self._lock:
                return self._runs.get(task_id)

        return wait_until(finished, timeout=timeout, what=f"task {task_id} to finish")


def _reset_producer_pools(app) -> None:
    """Forget the cached broker connections, so the next publish uses the current conf."""
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def conf_overrides(conf, **values: Any) -> Iterator[None]:
    """Set Celery configuration keys, then restore exactly what was there (or nothing)."""
    missing = object()
    saved = {key: conf.changes.get(key, missing) for key in values}
    for key, value in values.items():
        conf[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is missing:
                conf.changes.pop(key, None)
            else:
                conf.changes[key] = value


# --- Brokers ---------------------------------------------------------------------------------


def broker_kind(url: str) -> str:
    """``rabbitmq`` for an AMQP URL, ``redis`` otherwise (the keys of ``BROKER_URLS``)."""
    return "rabbitmq" if urlsplit(url).scheme in ("amqp", "amqps", "pyamqp") else "redis"


class BrokerQueues(Protocol):
    """The test broker seen from outside the worker."""

    def queued(self, name: str = DEFAULT_QUEUE) -> int: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class RedisQueues:
    """The test's Redis database: a queue is a list; clearing flushes the whole database, the
    messages taken but not yet acknowledged (which Redis keeps aside) included."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def queued(self, name: str = DEFAULT_QUEUE) -> int:
        return int(self.client.llen(name))

    def clear(self) -> None:
        self.client.flushdb()

    def close(self) -> None:
        self.client.close()


class RabbitQueues:
    """The app's queues on RabbitMQ: counted with a passive declare, emptied with a purge. A
    queue never declared holds nothing (the server answers 404 and closes that channel)."""

    def __init__(self, url: str, names: Iterable[str]) -> None:
        from kombu import Connection

        self.connection = Connection(url, connect_timeout=2)
        self.names = tuple(dict.fromkeys(names))

    @contextlib.contextmanager
    def _channel(self) -> Iterator[Any]:
        from amqp.exceptions import NotFound

        channel = self.connection.channel()
        try:
            yield channel
        except NotFound:
            pass
        finally:
            with contextlib.suppress(Exception):  # already closed by the server's 404
                channel.close()

    def queued(self, name: str = DEFAULT_QUEUE) -> int:
        count = 0
        with self._channel() as channel:
            count = channel.queue_declare(queue=name, passive=True).message_count
        return count

    def clear(self) -> None:
        for name in self.names:
            with self._channel() as channel:
                channel.queue_purge(queue=name)

    def close(self) -> None:
        self.connection.release()


def broker_queues(url: str) -> BrokerQueues:
    if broker_kind(url) == "rabbitmq":
        from portal.celery import app

        return RabbitQueues(url, names=[DEFAULT_QUEUE, *app.amqp.queues])
    return RedisQueues(url)


_REACHABLE: dict[tuple[str, int], bool] = {}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_broker(url: str) -> None:
    """RabbitMQ must answer (one quick connect per run): else skip, or fail under CI."""
    if broker_kind(url) != "rabbitmq":
        return  # Redis is required by the whole suite, as before
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 5672)
    if address not in _REACHABLE:
        try:
            with socket.create_connection(address, timeout=0.5):
                _REACHABLE[address] = True
        except OSError:
            _REACHABLE[address] = False
    if _REACHABLE[address]:
        return
    reason = (
        f"RabbitMQ does not answer at {address[0]}:{address[1]}: start it (or point "
        "TEST_RABBITMQ_BROKER_URL at one) to run the outbox tests on it"
    )
    if _in_ci():
        pytest.fail(f"{reason}; CI must run them.")
    pytest.skip(reason)


@contextlib.contextmanager
def _emptied(url: str) -> Iterator[str]:
    """The broker's queues empty before (nothing from an earlier run) and after the test."""
    require_broker(url)
    queues = broker_queues(url)
    queues.clear()
    try:
        yield url
    finally:
        queues.clear()
        queues.close()


@pytest.fixture(params=list(BROKER_URLS))
def broker_url(request) -> Iterator[str]:
    """Each broker in turn (ids ``redis``, ``rabbitmq``), its queues emptied around the test."""
    with _emptied(BROKER_URLS[request.param]) as url:
        yield url


@pytest.fixture
def rabbitmq_url() -> Iterator[str]:
    """RabbitMQ only, for what is specific to it; its queues emptied around the test."""
    with _emptied(BROKER_URLS["rabbitmq"]) as url:
        yield url


# --- Celery worker ---------------------------------------------------------------------------


@dataclass
class RunningWorker:
    app: Any
    tasks: TaskLog
    broker: BrokerQueues
    broker_url: str

    def queued(self) -> int:
        """Messages waiting in the default queue (not those a worker holds)."""
        return self.broker.queued(DEFAULT_QUEUE)

    @contextlib.contextmanager
    def broker_unreachable(self) -> Iterator[None]:
        """Publishing fails fast for the duration; the running worker keeps its connection."""
        with conf_overrides(
            self.app.conf,
            broker_url=UNREACHABLE_BROKER_URLS[broker_kind(self.broker_url)],
            broker_connection_timeout=1,
            broker_connection_retry=False,
            broker_connection_max_retries=0,
            broker_transport_options={"max_retries": 0},
            task_publish_retry=False,
        ):
            _reset_producer_pools(self.app)
            try:
                yield
            finally:
                _reset_producer_pools(self.app)


def _leave_logging_alone(**kwargs) -> None:
    """A ``setup_logging`` receiver: the embedded worker must not reconfigure pytest's logging."""


def _wake_to_stop(worker) -> None:
    """Ask the worker to stop, and wake its event loop to see it at once: otherwise the loop
    sleeps until its next timer, up to 10 s on RabbitMQ (Redis polls every second)."""
    from celery.worker import state

    state.should_terminate = 0  # what start_worker sets too, before it joins the thread
    hub = getattr(worker, "hub", None)
    if hub is not None:
        hub.call_soon(lambda: None)  # thread-safe: writes to the loop's waker


@contextlib.contextmanager
def running_worker(app, broker_url: str) -> Iterator[RunningWorker]:
    """A worker thread (solo pool) on ``broker_url``, with the broker's transport options as
    portal/settings.py chooses them; eager mode is off in the app meanwhile."""
    from celery import signals
    from celery.contrib.testing.worker import start_worker

    log = TaskLog()
    signals.task_postrun.connect(log.on_postrun, weak=False, dispatch_uid="tests.task_log")
    signals.setup_logging.connect(
        _leave_logging_alone, weak=False, dispatch_uid="tests.leave_logging_alone"
    )
    queues = broker_queues(broker_url)
    try:
        with conf_overrides(
            app.conf,
            task_always_eager=False,
            broker_url=broker_url,
            broker_transport_options=TRANSPORT_OPTIONS[broker_kind(broker_url)],
            result_backend=None,
            worker_hijack_root_logger=False,
        ):
            _reset_producer_pools(app)
            try:
                with start_worker(
                    app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
                ) as worker:
                    try:
                        yield RunningWorker(app, log, queues, broker_url)
                    finally:
                        _wake_to_stop(worker)
            finally:
                _reset_producer_pools(app)
    finally:
        signals.task_postrun.disconnect(dispatch_uid="tests.task_log")
        signals.setup_logging.disconnect(dispatch_uid="tests.leave_logging_alone")
        queues.close()


@pytest.fixture
def start_celery_worker(
    transactional_db, settings, smtp_sink, monkeypatch
) -> Callable[[str], contextlib.AbstractContextManager[RunningWorker]]:
    """``with start_celery_worker(url) as worker:`` a worker for part of a test only."""
    for variable in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(variable, raising=False)  # they would win over app.conf
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def start(broker_url: str) -> contextlib.AbstractContextManager[RunningWorker]:
        from portal.celery import app

        settings.CELERY_BROKER_URL = broker_url
        return running_worker(app, broker_url)

    return start


@pytest.fixture
def celery_worker(broker_url, start_celery_worker) -> Iterator[RunningWorker]:
    """A real Celery worker on each broker in turn, delivering to ``smtp_sink``.

    The worker runs in a thread of this process (``start_worker``, solo pool), so it uses the
    test database; the test must be transactional for the worker to see committed rows. It is
    stopped before the database is flushed and the broker's queues emptied (it depends on
    ``transactional_db`` and ``broker_url``).
    """
    with start_celery_worker(broker_url) as worker:
        yield worker
