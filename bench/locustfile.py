"""The load of ``make load`` (bench/load.py starts it): students and officers at work.

Students (3 of every 4 users) open their dashboard, their draft's documents page, and upload a
photo to it (a real PNG, through the CSRF-protected form, as a browser would). Officers work the
queue (the default view, other pages, status and level filters, a name search) and open
applications under review (each opening is recorded in the access log).

Every user is signed in already: ``bench/load.py`` made the sessions server-side (staff with
their second factor passed) and hands them over in the JSON file named by ``LOAD_USERS``.
Runs in its own venv (.venv-load): it needs nothing from the portal's code.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import struct
import zlib
from pathlib import Path

from locust import HttpUser, between, task

USERS = json.loads(Path(os.environ["LOAD_USERS"]).read_text(encoding="utf-8"))
_students = itertools.cycle(USERS["students"])
_officers = itertools.cycle(USERS["officers"])
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _png(width: int = 40, height: int = 50) -> bytes:
    """A real PNG (8-bit grey), so the portal's content sniffing and re-encoding accept it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes([200]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PHOTO = _png()


class Student(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        me = next(_students)
        self.documents = f"/applications/{me['application']}/documents/"
        self.client.cookies.set("sessionid", me["session"])

    @task(5)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="student: dashboard")

    @task(2)
    def documents_page(self) -> None:
        self.client.get(self.documents, name="student: documents page")

    @task(1)
    def upload_photo(self) -> None:
        page = self.client.get(self.documents, name="student: documents page")
        token = CSRF_FIELD.search(page.text)
        with self.client.post(
            self.documents,
            data={"csrfmiddlewaretoken": token.group(1) if token else "", "kind": "photo"},
            files={"file": ("photo.png", PHOTO, "image/png")},
            name="student: upload photo",
            catch_response=True,
        ) as response:
            # Success redirects back to the documents page; a refused file is a 400.
            if response.status_code != 200 or not response.url.endswith(self.documents):
                response.failure(f"upload answered {response.status_code} at {response.url}")


class Officer(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", next(_officers)["session"])

    @task(4)
    def queue(self) -> None:
        view = random.choice(
            [
                ("/officers/", "officer: queue"),
                (f"/officers/?page={random.randint(2, 300)}", "officer: queue, page n"),
                ("/officers/?status=under_review&sort=-submitted", "officer: queue, filtered"),
                ("/officers/?status=submitted&level=master", "officer: queue, filtered"),
                (f"/officers/?q={random.choice(USERS['surnames'])}", "officer: queue, search"),
            ]
        )
        self.client.get(view[0], name=view[1])

    @task(3)
    def review(self) -> None:
        pk = random.choice(USERS["open_applications"])
        self.client.get(f"/officers/applications/{pk}/", name="officer: review page")
