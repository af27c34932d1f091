"""Signed-in sessions for the scanners (session_cookie.py), and whether one still holds."""

from __future__ import annotations

import sys
from pathlib import Path

from child_processes import run
from scan_server import Server, https_get


def signed_in(server: Server, email: str, cookie_file: Path) -> str:
    """A session for ``email`` (see session_cookie.py): the Cookie header, and wapiti's file."""
    result = run(
        [
            sys.executable,
            "scripts/security/session_cookie.py",
            email,
            "--wapiti",
            str(cookie_file),
            "--base-url",
            server.base_url,
        ],
        env=server.env,
    )
    return result.stdout.strip().splitlines()[-1]


def session_alive(server: Server, cookie: str, path: str) -> bool:
    """Whether the session still opens its home page (not a redirect to sign-in or to 2FA)."""
    return https_get(server.base_url + path.lstrip("/"), cookie=cookie) == 200
