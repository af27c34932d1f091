"""Keep each SMS in memory (``outbox``), as Django's locmem e-mail backend does, for tests."""

from __future__ import annotations

import uuid

from .base import SmsBackend, SmsMessage

outbox: list[SmsMessage] = []


class LocmemBackend(SmsBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"locmem-{uuid.uuid4()}"
