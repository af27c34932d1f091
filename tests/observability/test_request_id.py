"""The request id: taken from a proxy when it is plain, made otherwise, answered in
``X-Request-ID``, on every log line of the request, and carried into its Celery tasks."""

from __future__ import annotations

import json
import logging
import sys
import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path, reverse

from portal.celery import app as celery_app
from portal.observability import celery_signals
from portal.observability.logs import JSONFormatter, TextFormatter
from portal.observability.request_id import (
    RequestIdFilter,
    RequestIdMiddleware,
    current_request_id,
    reset_request_id,
    set_request_id,
)

from .conftest import REDIS_BROKER

LIVEZ = reverse("livez")
logger = logging.getLogger("tests.observability")


@pytest.fixture
def log_records(caplog):
    """caplog's handler with the filter the portal's handlers have (settings.LOGGING)."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


# --- the header ------------------------------------------------------------------------------


def test_a_plain_incoming_id_is_kept_and_echoed(client):
    response = client.get(LIVEZ, headers={"X-Request-ID": "lb-1a2B.3_c-4"})
    assert response["X-Request-ID"] == "lb-1a2B.3_c-4"


def test_without_one_an_id_is_made(client):
    first = client.get(LIVEZ)["X-Request-ID"]
    second = client.get(LIVEZ)["X-Request-ID"]

    assert len(first) == 32
    int(first, 16)  # a uuid4's hex
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    ["", "x" * 65, "has space", "semi;colon", "new\nline", "ünicode", "<script>", "a/b"],
)
def test_anything_else_is_replaced(client, incoming):
    response = client.get(LIVEZ, headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_the_longest_plain_id_is_kept(client):
    incoming = "a" * 64
    assert client.get(LIVEZ, headers={"X-Request-ID": incoming})["X-Request-ID"] == incoming


def test_even_an_error_page_carries_it(client):
    response = client.get("/no/such/page/", headers={"X-Request-ID": "lost-1"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lost-1"


# --- log lines -------------------------------------------------------------------------------


def _logging_view(request):
    logger.info("inside the view")
    return HttpResponse("ok")


urlpatterns = [path("log/", _logging_view, name="log-test")]


@override_settings(ROOT_URLCONF=__name__)
def test_every_log_line_of_a_request_carries_its_id(client, log_records):
    client.get("/log/", headers={"X-Request-ID": "req-42"})
    client.get("/log/", headers={"X-Request-ID": "req-43"})

    lines = [r for r in log_records.records if r.getMessage() == "inside the view"]
    assert [r.request_id for r in lines] == ["req-42", "req-43"]
    # Outside a request there is none.
    logger.info("after")
    assert log_records.records[-1].request_id is None
    assert current_request_id() is None


def test_the_context_is_reset_when_the_view_fails():
    def broken(request):
        raise RuntimeError("boom")

    middleware = RequestIdMiddleware(broken)
    with pytest.raises(RuntimeError):
        middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="failing-1"))
    assert current_request_id() is None


def test_the_portals_handlers_have_the_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["request_id"]
    assert settings.LOGGING["filters"]["request_id"]["()"].endswith("RequestIdFilter")
    assert handler["formatter"] == settings.LOG_FORMAT


def _record(message: str = "hello %s", *args, **extra) -> logging.LogRecord:
    record = logger.makeRecord(logger.name, logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    RequestIdFilter().filter(record)
    return record


def test_json_lines():
    token = set_request_id("json-1")
    try:
        record = _record("hello %s", "world", application_id=7)
    finally:
        reset_request_id(token)

    line = json.loads(JSONFormatter().format(record))

    assert line["message"] == "hello world"
    assert (line["level"], line["logger"], line["request_id"]) == (
        "WARNING",
        "tests.observability",
        "json-1",
    )
    assert line["application_id"] == 7  # what ``extra=`` gave is a field of its own
    assert line["time"].endswith("+00:00")


def test_json_lines_carry_the_exception():
    try:
        raise ValueError("bad")
    except ValueError:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "failed", (), exc_info=sys.exc_info()
        )
    line = json.loads(JSONFormatter().format(record))
    assert "ValueError: bad" in line["exception"]
    assert line["request_id"] is None


def test_text_lines_show_the_id_or_a_dash():
    token = set_request_id("text-1")
    try:
        with_id = TextFormatter().format(_record("with"))
    finally:
        reset_request_id(token)
    without = TextFormatter().format(_record("without"))

    assert "[text-1] with" in with_id
    assert "[-] without" in without


# --- Celery ----------------------------------------------------------------------------------


def test_publishing_puts_the_id_in_the_message_headers():
    headers: dict = {}
    celery_signals.put_request_id_in_headers(headers=headers)
    assert headers == {}  # outside a request: nothing

    token = set_request_id("pub-1")
    try:
        celery_signals.put_request_id_in_headers(headers=headers)
    finally:
        reset_request_id(token)
    assert headers == {"request_id": "pub-1"}


class _Task:
    def __init__(self, **request):
        self.request = type("Request", (), {"is_eager": False, **request})()


def test_the_worker_runs_the_task_with_the_id_and_then_forgets_it():
    celery_signals.start_task_context(task_id="t1", task=_Task(request_id="pub-2"))
    assert current_request_id() == "pub-2"
    celery_signals.end_task_context(task_id="t1")
    assert current_request_id() is None


def test_an_invalid_or_missing_id_in_a_message_is_ignored():
    for task in (_Task(request_id="bad id\n"), _Task()):
        celery_signals.start_task_context(task_id="t2", task=task)
        assert current_request_id() is None
        celery_signals.end_task_context(task_id="t2")


def test_an_eager_task_keeps_the_requests_id():
    token = set_request_id("outer-1")
    try:
        eager = _Task(request_id="other", is_eager=True)
        celery_signals.start_task_context(task_id="t3", task=eager)
        assert current_request_id() == "outer-1"
        celery_signals.end_task_context(task_id="t3")
        assert current_request_id() == "outer-1"
    finally:
        reset_request_id(token)


seen: dict[str, tuple[str | None, bool, str]] = {}
seen_lock = threading.Lock()


@celery_app.task(name="tests.observability.record_request_id", bind=True)
def record_request_id(self, key: str) -> None:
    logger.info("inside the task")
    with seen_lock:
        seen[key] = (
            current_request_id(),
            bool(self.request.is_eager),
            threading.current_thread().name,
        )


@pytest.fixture
def redis_queue(broker, monkeypatch):
    """Publishing to Redis db 12 with no worker: the messages stay in the list to be read."""
    import redis

    broker(REDIS_BROKER)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    client = redis.Redis.from_url(REDIS_BROKER)
    client.delete("celery")
    yield client
    client.delete("celery")
    client.close()


def test_apply_async_in_a_request_sends_the_id_in_the_message(redis_queue):
    token = set_request_id("in-headers-1")
    try:
        record_request_id.apply_async(args=["never-run"])
    finally:
        reset_request_id(token)
    record_request_id.apply_async(args=["never-run-either"])

    headers = [json.loads(raw)["headers"] for raw in redis_queue.lrange("celery", 0, -1)]
    by_task = {h["argsrepr"]: h.get("request_id") for h in headers}
    assert by_task == {"['never-run']": "in-headers-1", "['never-run-either']": None}


def _leave_logging_alone(**kwargs) -> None:
    """A ``setup_logging`` receiver: the embedded worker must not reconfigure pytest's logging."""


@pytest.fixture
def worker(broker, monkeypatch):
    """A real worker (solo pool, in a thread of this process) on Redis db 12."""
    import redis
    from celery import signals
    from celery.contrib.testing.worker import start_worker

    broker(REDIS_BROKER)
    client = redis.Redis.from_url(REDIS_BROKER)
    client.delete("celery")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "result_backend", None)
    signals.setup_logging.connect(_leave_logging_alone, weak=False, dispatch_uid="obs.logging")
    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
        ):
            yield client
    finally:
        signals.setup_logging.disconnect(dispatch_uid="obs.logging")
        client.delete("celery")
        client.close()


def _wait_for(key: str) -> str | None:
    """The id the task saw, once a worker (not the caller, eagerly) has run it."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with seen_lock:
            if key in seen:
                request_id, eager, thread = seen[key]
                assert not eager
                assert thread != threading.current_thread().name
                return request_id
        time.sleep(0.05)
    raise AssertionError(f"The task {key} did not run within 10 s.")


def test_a_task_published_in_a_request_runs_in_the_worker_with_its_id(worker, log_records):
    token = set_request_id("from-request-7")
    try:
        record_request_id.apply_async(args=["with-id"])
    finally:
        reset_request_id(token)
    record_request_id.apply_async(args=["without-id"])

    assert _wait_for("with-id") == "from-request-7"
    assert _wait_for("without-id") is None
    task_lines = [r for r in log_records.records if r.getMessage() == "inside the task"]
    assert "from-request-7" in [r.request_id for r in task_lines]
