"""Real services for the outbox tests: an SMTP sink and a Celery worker on Redis.

``smtp_sink`` runs aiosmtpd in this process on a free port and points Django's SMTP backend at
it; every message it accepts is kept, parsed. ``celery_worker`` starts a real worker (solo pool,
in a thread of this process) that consumes from Redis database 15, with eager mode switched off
for the test; ``celery_worker.tasks`` records every task the worker finishes, so a test waits for
a task instead of sleeping.

Everything is polled with a deadline (``wait_until``); nothing sleeps a fixed time.
"""

from __future__ import annotations

import contextlib
import email
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from typing import Any, TypeVar

import pytest

BROKER_URL = "redis://127.0.0.1:6379/15"
# Nothing listens on port 1: connecting is refused at once.
UNREACHABLE_BROKER_URL = "redis://127.0.0.1:1/0"
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

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
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
        controller.stop()


# --- Celery worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRun:
    task_id: str
    name: str
    state: str
    retval: Any


class TaskLog:
    """Tasks the worker finished, from Celery's ``task_postrun`` signal (sent in its thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, TaskRun] = {}

    def on_postrun(self, sender=None, task_id=None, retval=None, state=None, **kwargs) -> None:
        if getattr(sender.request, "is_eager", False):
            return
        with self._lock:
            self._runs[task_id] = TaskRun(task_id, sender.name, state, retval)

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


@dataclass
class RunningWorker:
    app: Any
    tasks: TaskLog
    broker: Any  # redis.Redis on the test database

    def queued(self) -> int:
        """Messages waiting in the default queue."""
        return self.broker.llen(DEFAULT_QUEUE)

    @contextlib.contextmanager
    def broker_unreachable(self) -> Iterator[None]:
        """Publishing fails fast for the duration; the running worker keeps its connection."""
        with conf_overrides(
            self.app.conf,
            broker_url=UNREACHABLE_BROKER_URL,
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


@pytest.fixture
def celery_worker(transactional_db, settings, smtp_sink, monkeypatch) -> Iterator[RunningWorker]:
    """A real Celery worker on Redis db 15, delivering to ``smtp_sink``.

    The worker runs in a thread of this process (``start_worker``, solo pool), so it uses the
    test database; the test must be transactional for the worker to see committed rows. It is
    stopped before the database is flushed (it depends on ``transactional_db``).
    """
    import redis
    from celery import signals
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    for variable in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(variable, raising=False)  # they would win over app.conf
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = BROKER_URL

    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()  # nothing left over from an earlier run
    log = TaskLog()
    signals.task_postrun.connect(log.on_postrun, weak=False, dispatch_uid="tests.task_log")
    signals.setup_logging.connect(
        _leave_logging_alone, weak=False, dispatch_uid="tests.leave_logging_alone"
    )
    try:
        with conf_overrides(
            app.conf,
            task_always_eager=False,
            broker_url=BROKER_URL,
            result_backend=None,
            worker_hijack_root_logger=False,
        ):
            _reset_producer_pools(app)
            try:
                with start_worker(
                    app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
                ):
                    yield RunningWorker(app=app, tasks=log, broker=broker)
            finally:
                _reset_producer_pools(app)
    finally:
        signals.task_postrun.disconnect(dispatch_uid="tests.task_log")
        signals.setup_logging.disconnect(dispatch_uid="tests.leave_logging_alone")
        broker.flushdb()
        broker.close()
