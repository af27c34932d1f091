"""The run's log lines and what ends up in summary.json: findings, errors, per-tool results.

The scans run in threads of their own (scan_run.scans), so every record is taken under a lock.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field


def log(message: str) -> None:
    print(f"[security {dt.datetime.now():%H:%M:%S}] {message}", flush=True)


@dataclass
class Summary:
    findings: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tools: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def finding(self, tool: str, what: str, where: str = "", **detail) -> None:
        with self.lock:
            self.findings.append({"tool": tool, "what": what, "where": where, **detail})

    def error(self, message: str) -> None:
        """The scan itself went wrong (a tool failed, a session was lost): not a clean pass."""
        log(f"ERROR: {message}")
        with self.lock:
            self.errors.append(message)

    def result(self, tool: str, values: dict) -> None:
        with self.lock:
            self.results[tool] = values
        log(f"{tool}: {json.dumps(values, ensure_ascii=False)[:600]}")
