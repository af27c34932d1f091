"""Turning a notification row into an email, in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .content import NEXT_STEP, SUBJECTS, WHAT_HAPPENED
from .models import Notification


class _Blank(dict):
    """Missing context values render as empty text instead of failing the whole notice."""

    def __missing__(self, key):
        return ""


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
    params = _Blank(notification.context)
    with translation.override(notification.language):
        kind = notification.kind
        context = {
            "subject": str(SUBJECTS[kind]) % params,
            "what_happened": str(WHAT_HAPPENED[kind]) % params,
            "next_step": str(NEXT_STEP[kind]),
            "reference": params["reference"],
            "link": f"{settings.PUBLIC_BASE_URL}{params['path']}" if params["path"] else "",
            "language": notification.language,
        }
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
