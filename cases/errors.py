"""Why an action on a case cannot be done now. ``message`` is shown to the person who tried."""

from __future__ import annotations


class WorkflowError(Exception):
    """An action that cannot be done now; ``message`` is shown to the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    """The case's table has no arrow from its status to the one asked for."""


class StaleVersion(WorkflowError):
    """The page the person acted from showed an older version of the case."""


class NotPermitted(WorkflowError):
    """The person acting has no right to this action on this case."""
