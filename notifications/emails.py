"""Turning a notification row into words (for the email and the in-app list), in a language."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils import translation

from .content import notice_texts
from .kinds import ACCOUNT
from .models import Notification


def message_id(notification: Notification) -> str:
    """The same Message-ID for every attempt at one row and for no other row: a resend after a
    failure whose outcome was unknown is recognisably the same message (mail software folds
    duplicates by it), and a count of distinct ids in a sink is a count of rows."""
    digest = hashlib.sha256(f"{notification.pk}:{notification.dedupe_key}".encode()).hexdigest()
    return f"<notification.{notification.pk}.{digest[:16]}@{DNS_NAME}>"


def build_email(notification: Notification) -> EmailMultiAlternatives:
    message = _build(notification)
    if notification.pk is not None:  # a row not yet saved gets Django's random id
        message.extra_headers["Message-ID"] = message_id(notification)
    return message


def _build(notification: Notification) -> EmailMultiAlternatives:
    if notification.kind == ACCOUNT:
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
