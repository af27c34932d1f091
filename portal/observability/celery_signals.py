"""The request id in Celery: the task messages a request publishes carry it in their headers,
and the worker runs the task with it as the current id, so the worker's log lines name the
request that caused them (and the tasks a task enqueues carry it on).

The worker's logging is Celery's own (``--loglevel``, ``--logfile``); these handlers add the id
to it and, with ``LOG_FORMAT=json``, the portal's JSON lines.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import signals
from django.conf import settings

from .logs import JSONFormatter, TextFormatter
from .request_id import (
    RequestIdFilter,
    current_request_id,
    reset_request_id,
    set_request_id,
    valid_request_id,
)

HEADER = "request_id"

# task id -> the token that restores the context the task started in.
_tokens: dict[str, Any] = {}


def put_request_id_in_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``before_task_publish``: Celery publishes this very dict as the message's headers."""
    request_id = current_request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _incoming_request_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    # A worker puts the message's headers on the request; some paths keep them apart.
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    # The message may come from anywhere that can write to the broker: checked like a header.
    return valid_request_id(value)


def start_task_context(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """``task_prerun``: the task's log lines carry the id of the request that enqueued it.

    An eager task runs inside the request that called it and already has its id; a task with
    no id (from beat) keeps the context it has.
    """
    if task is None or task_id is None or getattr(task.request, "is_eager", False):
        return
    request_id = _incoming_request_id(task)
    if request_id is not None:
        _tokens[task_id] = set_request_id(request_id)


def end_task_context(task_id: str | None = None, **kwargs: Any) -> None:
    """``task_postrun`` (after success and failure alike): the next task starts clean."""
    token = _tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        reset_request_id(token)


# Celery's own text formats with the request id added.
WORKER_TEXT_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] %(message)s"
TASK_TEXT_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] "
    "%(task_name)s[%(task_id)s]: %(message)s"
)


class TaskFilter(logging.Filter):
    """Adds the running task's id and name, as Celery's task format does ("???" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from celery import current_task

        if not hasattr(record, "task_id"):
            running = bool(current_task and current_task.request.id)
            record.task_id = current_task.request.id if running else "???"
            record.task_name = current_task.name if running else "???"
        return True


def _adopt(logger: logging.Logger | None, *, task: bool) -> None:
    if logger is None:
        return
    for handler in logger.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if task and not any(isinstance(f, TaskFilter) for f in handler.filters):
            handler.addFilter(TaskFilter())
        if settings.LOG_FORMAT == "json":
            handler.setFormatter(JSONFormatter())
        else:
            handler.setFormatter(TextFormatter(TASK_TEXT_FORMAT if task else WORKER_TEXT_FORMAT))


def adopt_worker_handlers(logger: logging.Logger | None = None, **kwargs: Any) -> None:
    """``after_setup_logger``: Celery's handlers get the request id (and JSON when the portal
    logs JSON)."""
    _adopt(logger, task=False)


def adopt_task_handlers(logger: logging.Logger | None = None, **kwargs: Any) -> None:
    """``after_setup_task_logger``: the same for the task logger, with the task's id and name."""
    _adopt(logger, task=True)


def connect_signals() -> None:
    """Called once by portal/celery.py; ``weak=False``: the receivers are module functions,
    and ``dispatch_uid`` keeps a second call from connecting them twice."""
    signals.before_task_publish.connect(
        put_request_id_in_headers, weak=False, dispatch_uid="portal-request-id-publish"
    )
    signals.task_prerun.connect(
        start_task_context, weak=False, dispatch_uid="portal-request-id-prerun"
    )
    signals.task_postrun.connect(
        end_task_context, weak=False, dispatch_uid="portal-request-id-postrun"
    )
    signals.after_setup_logger.connect(
        adopt_worker_handlers, weak=False, dispatch_uid="portal-logging-worker"
    )
    signals.after_setup_task_logger.connect(
        adopt_task_handlers, weak=False, dispatch_uid="portal-logging-task"
    )
