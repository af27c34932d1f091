"""Turning a notification row into words (for the email and the in-app list), in a language."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation

from .content import DEFAULT_LINK_LABEL, LINK_LABELS, NEXT_STEP, SUBJECTS, WHAT_HAPPENED
from .models import Notification

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Blank(dict):
    """Missing context values render as empty text instead of failing the whole notice."""

    def __missing__(self, key):
        return ""


def _localized(value: Any) -> Any:
    # Dates travel in the context as ISO strings; people read them in their own language.
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def notice_texts(notification: Notification) -> dict[str, Any]:
    """Subject, what happened, what to do next and the link, in the active language."""
    params = _Blank({key: _localized(value) for key, value in notification.context.items()})
    kind = notification.kind
    path = params["path"]
    return {
        "subject": str(SUBJECTS[kind] % params),
        "what_happened": str(WHAT_HAPPENED[kind] % params),
        "next_step": str(NEXT_STEP[kind] % params),
        "reference": params["reference"],
        "path": path,
        "link": f"{settings.PUBLIC_BASE_URL}{path}" if path else "",
        "link_label": str(LINK_LABELS.get(kind, DEFAULT_LINK_LABEL)),
        "items": [
            {key: _localized(value) for key, value in item.items()}
            for item in notification.context.get("items", [])
        ],
        "more_items": notification.context.get("more_items", 0),
    }


def build_email(notification: Notification) -> EmailMultiAlternatives:
    if notification.kind == Notification.Kind.ACCOUNT:
        # Account emails (verification, password reset) arrive rendered by allauth.
        context = notification.context
        message = EmailMultiAlternatives(
            subject=context.get("subject", ""),
            body=context.get("text", ""),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_email],
        )
        if context.get("html"):
            message.attach_alternative(context["html"], "text/html")
        return message
    with translation.override(notification.language):
        context = notice_texts(notification) | {"language": notification.language}
        text = render_to_string("emails/notice.txt", context)
        html = render_to_string("emails/notice.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
    )
    message.attach_alternative(html, "text/html")
    return message
