"""gunicorn settings for multiprocess metrics: ``gunicorn -c python:portal.observability.gunicorn``.

With ``PROMETHEUS_MULTIPROC_DIR`` set, each worker writes its counts to files in that folder;
a worker that exits leaves its files, whose counts stay in the sum (counters must not go down),
and this hook tells prometheus_client the worker is gone so its live gauges are dropped.
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
