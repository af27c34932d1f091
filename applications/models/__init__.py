"""The application case and what hangs off it: its statuses, its history, information
requests, messages and officers' notes, the university's confirmation and document check.

Behaviour lives in services (``workflow.py``, ``decisions.py``, ``references.py``) and
selectors; models hold data, constraints and small derived properties only. ``status`` is
assigned only by the shared transition engine (``cases.engine``), through ``flow.py``.
"""

from .case import Application, ReferenceCounter
from .correspondence import InfoRequest, InternalNote, Message
from .enrolment import CONFIRMED_FIELDS, EnrolmentConfirmation, EnrolmentStatus
from .history import AppendOnlyError, ApplicationEvent
from .precheck import PrecheckRound
from .statuses import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    PRECHECK_STATUSES,
    Kind,
    Status,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CONFIRMED_FIELDS",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "PRECHECK_STATUSES",
    "AppendOnlyError",
    "Application",
    "ApplicationEvent",
    "EnrolmentConfirmation",
    "EnrolmentStatus",
    "InfoRequest",
    "InternalNote",
    "Kind",
    "Message",
    "PrecheckRound",
    "ReferenceCounter",
    "Status",
]
