"""Progress of a bench run, on stderr: stdout carries only the JSON document."""

from __future__ import annotations

import sys


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
