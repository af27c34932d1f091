"""Print each SMS to standard output, as Django's console e-mail backend prints e-mails.

For ``make run``: the SMS appears in the output of the process that delivers it (the Celery
worker, or the web process when tasks run eagerly).
"""

from __future__ import annotations

import sys
import threading
import uuid

from .base import SmsBackend, SmsMessage

_lock = threading.Lock()


class ConsoleBackend(SmsBackend):
    def send(self, message: SmsMessage) -> str:
        message_id = f"console-{uuid.uuid4()}"
        with _lock:  # one SMS's lines together, whatever other threads print
            stream = sys.stdout
            stream.write(
                f"SMS from {message.sender} to {message.to} (id {message_id})\n"
                f"{message.text}\n{'-' * 79}\n"
            )
            stream.flush()
        return message_id
