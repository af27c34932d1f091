"""What a notice says: subject, what happened and what to do next, in the active language.

The sentences belong to the kind's registration (``kinds.py``, filled by the app that sends it);
here they are filled in with the reference and dates from the notification's context. The
templates in ``templates/emails/`` lay them out as text and HTML.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import formats

from .kinds import DEFAULT_LINK_LABEL, kind_label, notice_kind
from .models import Notification

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Blank(dict[str, Any]):
    """Missing context values render as empty text instead of failing the whole notice."""

    def __missing__(self, key: str) -> str:
        return ""


def _localized(value: Any) -> Any:
    # Dates travel in the context as ISO strings; people read them in their own language.
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def _fill(template: Any, params: _Blank) -> str:
    """``template % params`` on the lazy string itself: a lazy plural (``ngettext_lazy(...,
    "days")``) chooses its form from ``params``. A plural whose count is missing, or a
    translation with a stray "%", gives the unfilled text rather than a lost notice."""
    if template is None:
        return ""
    try:
        return str(template % params)
    except (TypeError, ValueError, KeyError):
        return str(template)


def notice_texts(notification: Notification) -> dict[str, Any]:
    """Subject, what happened, what to do next and the link, in the ACTIVE language."""
    context = notification.context or {}
    params = _Blank({key: _localized(value) for key, value in context.items()})
    kind = notice_kind(notification.kind)
    path = params["path"]
    return {
        "subject": (_fill(kind.subject, params) if kind else "") or kind_label(notification.kind),
        "what_happened": _fill(kind.what_happened, params) if kind else "",
        "next_step": _fill(kind.next_step, params) if kind else "",
        "reference": params["reference"],
        "path": path,
        "link": f"{settings.PUBLIC_BASE_URL}{path}" if path else "",
        "link_label": str((kind and kind.link_label) or DEFAULT_LINK_LABEL),
        "items": [
            {key: _localized(value) for key, value in item.items()}
            for item in context.get("items", [])
        ],
        "more_items": context.get("more_items", 0),
    }
