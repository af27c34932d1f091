"""The application case and what hangs off it: its history, information requests, messages
and officers' notes.

Behaviour lives in services (``workflow.py``, ``decisions.py``, ``references.py``) and
selectors; models hold data, constraints and small derived properties only. ``status`` is
assigned only by the shared transition engine (``cases.engine``), through ``flow.py``.
"""

from .case import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    PRECHECK_STATUSES,
    Application,
    Kind,
    ReferenceCounter,
    Status,
)
from .correspondence import InfoRequest, InternalNote, Message
from .enrolment import CONFIRMED_FIELDS, EnrolmentConfirmation, EnrolmentStatus
from .history import AppendOnlyError, ApplicationEvent
from .precheck import PrecheckRound

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
