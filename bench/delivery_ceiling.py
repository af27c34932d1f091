"""The ceiling the workers' deliveries are compared with: two plain processes sending the same
messages, rendered beforehand (``build_email``; the HTTP backend's own request), on one
persistent connection each (``smtplib``, ``requests.Session``), into the same receivers."""

from __future__ import annotations

import multiprocessing
import smtplib
import time

# Two worker processes, two plain senders.
PROCESSES = 2
PROVIDER_KEY = "bench-provider-key"


def smtp_sender(port: int, messages: list, start, results) -> None:
    """One plain process: one SMTP session, every message on it."""
    start.wait()
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipients, raw in messages:
            smtp.sendmail(sender, recipients, raw)
    results.put(time.perf_counter() - began)


def http_sender(url: str, requests_: list, start, results) -> None:
    """One plain process: one keep-alive session, every request on it."""
    import requests

    with requests.Session() as session:
        start.wait()
        began = time.perf_counter()
        for payload, headers in requests_:
            session.post(url, json=payload, headers=headers, timeout=10).raise_for_status()
    results.put(time.perf_counter() - began)


def ceiling(target, address, items: list, receiver) -> None:
    """Two forked processes, each sending half of ``items`` through ``target``, at once;
    ``receiver`` (the sink's count) is reset just before they start."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    halves = [items[n::PROCESSES] for n in range(PROCESSES)]
    processes = [
        context.Process(target=target, args=(address, half, start, results)) for half in halves
    ]
    for process in processes:
        process.start()
    receiver.reset()
    start.set()
    for _ in processes:
        results.get(timeout=900)
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError("A ceiling sender failed.")


def email_messages(rows: list) -> list:
    from notifications.emails import build_email

    messages = []
    for row in rows:
        message = build_email(row)
        raw = message.message().as_bytes(linesep="\r\n")
        messages.append((message.from_email, message.recipients(), raw))
    return messages


def sms_requests(rows: list, url: str) -> list:
    from django.conf import settings
    from django.test import override_settings

    from notifications.sms.base import SmsMessage
    from notifications.sms.delivery import idempotency_key
    from notifications.sms.http import HttpBackend
    from notifications.sms.text import sms_text

    with override_settings(SMS_PROVIDER_URL=url, SMS_PROVIDER_KEY=PROVIDER_KEY):
        backend = HttpBackend()
        return [
            backend.request(
                SmsMessage(
                    to=row.to_phone,
                    text=sms_text(row),
                    sender=settings.SMS_SENDER,
                    idempotency_key=idempotency_key(row),
                )
            )
            for row in rows
        ]
