"""Log lines as JSON objects, one a line, for a log collector to parse without a pattern.

A formatter of our own rather than a library: what a line holds is a dozen lines of code, and
it has to carry the portal's own fields (``request_id``, and a Celery task's id and name).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; whatever else a record carries was given as ``extra=`` (or by
# a filter) and goes into the line as a field of its own.
_STANDARD = frozenset(
    set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
    | {"message", "asctime", "request_id", "taskName"}
)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # default=str: an ``extra`` value that JSON cannot hold still reaches the log, as text.
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The human-readable line of ``make run``; a record that did not pass the request-id
    filter (a handler configured by someone else) still formats."""

    def __init__(self, fmt: str = TEXT_FORMAT, *args: Any, **kwargs: Any) -> None:
        super().__init__(fmt, *args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        # "-" for no id, shown on this line only: another handler sees the record unchanged.
        record.request_id = request_id or "-"
        try:
            return super().format(record)
        finally:
            record.request_id = request_id


def formatter_for(log_format: str) -> logging.Formatter:
    return JSONFormatter() if log_format == "json" else TextFormatter()
