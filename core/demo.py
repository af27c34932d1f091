"""Demo data of parts of the portal that ``seed_demo`` (in the applications app) cannot import:
each registers a step from its app's ``ready()``; the command runs them after its own."""

from __future__ import annotations

from collections.abc import Callable

DemoStep = Callable[[], list[str]]

_STEPS: dict[str, DemoStep] = {}


def register_demo_step(name: str, step: DemoStep) -> None:
    """``step()`` makes its demo data (idempotently) and returns lines for the printed logins."""
    _STEPS[name] = step


def demo_steps() -> list[DemoStep]:
    return list(_STEPS.values())
