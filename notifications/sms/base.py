"""The interface every SMS backend has, and the two ways a send can fail.

A backend sends one message and returns the provider's id for it, or raises: ``SmsError`` for
a failure that may pass (time-out, provider down, rate limit), which the outbox retries with
its backoff, or ``SmsRefused`` for a message the provider will never accept (an invalid
number, a text it rejects), which the outbox marks failed at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "console": "notifications.sms.console.ConsoleBackend",
    "http": "notifications.sms.http.HttpBackend",
    "locmem": "notifications.sms.locmem.LocmemBackend",
}


class SmsError(Exception):
    """The message was not sent this time; trying again later may work."""


class SmsRefused(SmsError):
    """The provider refuses this message for good: retrying cannot help."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    text: str
    sender: str
    # The same for every attempt at one outbox row: a provider that honours it sends a message
    # it already accepted (before a time-out hid its answer) only once.
    idempotency_key: str


class SmsBackend(ABC):
    """Send one SMS; return the provider's message id (its status callback names it)."""

    @abstractmethod
    def send(self, message: SmsMessage) -> str:
        """Raise ``SmsRefused`` for a message the provider refuses for good; any other
        ``SmsError`` is retried by the outbox."""


def backend_path(name: str) -> str:
    return BACKENDS.get(name, name)


def get_backend() -> SmsBackend:
    """A backend of the class ``SMS_BACKEND`` names (a short name or a dotted path)."""
    backend: SmsBackend = import_string(backend_path(settings.SMS_BACKEND))()
    return backend
