"""An SMS provider over HTTP: one JSON POST per message.

The request, to ``SMS_PROVIDER_URL`` with ``Authorization: Bearer <SMS_PROVIDER_KEY>``::

    {"to": "+905321234567", "from": "AZTR", "text": "...", "reference": "<idempotency key>",
     "status_callback": "<PUBLIC_BASE_URL>/notifications/sms/status/"}

with the same key in an ``Idempotency-Key`` header, so a retry after a time-out (the provider
may have accepted the first request) does not send the message twice. A 2xx answer carries the
message's id as ``{"id": "..."}`` (or ``"message_id"``); the provider later reports its fate to
the status callback (``notifications.callbacks``).

What failures mean for the outbox: a time-out, a connection error, 408, 429, any 5xx, and 401
or 403 (a wrong or expired key: retrying gives the operator time to fix it, and loses nothing)
are ``SmsError`` and retried with the outbox's backoff; any other 4xx (an invalid number, a
text refused) is ``SmsRefused``: the row fails at once.

The requests go through one ``requests.Session`` per process and thread, kept between sends:
its connection to the provider stays open (keep-alive), so a batch of SMS costs one TCP and TLS
handshake, not one per message. A connection the provider closed is replaced by the session's
pool on the next send; the sessions are closed at the worker's shutdown.
"""

from __future__ import annotations

import os
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from celery.signals import worker_process_shutdown, worker_shutdown
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .base import SmsBackend, SmsError, SmsMessage, SmsRefused

RETRYABLE_STATUS = {401, 403, 408, 425, 429}

_sessions: dict[tuple[int, int], requests.Session] = {}
_sessions_lock = threading.Lock()


def session() -> requests.Session:
    """This thread's session (a session's pool is not promised to be thread-safe)."""
    key = (os.getpid(), threading.get_ident())
    found = _sessions.get(key)
    if found is None:
        found = requests.Session()
        # Nothing the provider sets is sent back: each message stands alone.
        found.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        with _sessions_lock:
            _sessions[key] = found
    return found


def close_sessions(**_signal: Any) -> None:
    """Close this process's sessions (a forked child leaves its parent's alone)."""
    with _sessions_lock:
        mine = [key for key in _sessions if key[0] == os.getpid()]
        closing = [_sessions.pop(key) for key in mine]
    for item in closing:
        item.close()


worker_process_shutdown.connect(close_sessions, weak=False, dispatch_uid="notifications.sms.http")
worker_shutdown.connect(close_sessions, weak=False, dispatch_uid="notifications.sms.http.worker")


class HttpBackend(SmsBackend):
    def __init__(self) -> None:
        self.url = settings.SMS_PROVIDER_URL
        self.key = settings.SMS_PROVIDER_KEY
        self.timeout = settings.SMS_PROVIDER_TIMEOUT_SECONDS
        if not self.url or not self.key:
            raise ImproperlyConfigured(
                "SMS_BACKEND=http needs SMS_PROVIDER_URL and SMS_PROVIDER_KEY."
            )

    def request(self, message: SmsMessage) -> tuple[dict[str, str], dict[str, str]]:
        """The JSON body and the headers of the POST that sends ``message``."""
        payload = {
            "to": message.to,
            "from": message.sender,
            "text": message.text,
            "reference": message.idempotency_key,
            "status_callback": f"{settings.PUBLIC_BASE_URL}{reverse('sms-status-callback')}",
        }
        headers = {
            "Authorization": f"Bearer {self.key}",
            "Idempotency-Key": message.idempotency_key,
            "Accept": "application/json",
        }
        return payload, headers

    def send(self, message: SmsMessage) -> str:
        payload, headers = self.request(message)
        try:
            response = session().post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise SmsError(f"The SMS provider did not answer within {self.timeout:g} s.") from exc
        except requests.RequestException as exc:
            raise SmsError(f"The SMS provider could not be reached: {exc}") from exc
        status = response.status_code
        if status >= 500 or status in RETRYABLE_STATUS:
            raise SmsError(f"The SMS provider answered {status}: {response.text[:200]}")
        if status >= 400:
            raise SmsRefused(
                f"The SMS provider refused the message ({status}): {response.text[:200]}"
            )
        message_id = _message_id(response)
        if not message_id:
            # Accepted, perhaps, but unnamed: the retry carries the same idempotency key.
            raise SmsError(f"The SMS provider answered {status} without a message id.")
        return message_id


def _message_id(response: requests.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    value = body.get("id") or body.get("message_id") or ""
    return str(value)[:100]
