"""A signed-in session for a scanner: ``session_cookie.py EMAIL [--wapiti FILE]``.

``make security`` scans the portal as a student and as an officer. Driving the sign-in pages
would spend the very attempts the scanners are meant to test (sign-in is rate-limited and an
account locks after a few failures) and, for an officer, would need a TOTP code that allauth
accepts only once. Instead this writes the session a real sign-in ends with, through the same
functions the sign-in uses:

- allauth's ``"password"`` authentication record, as ``perform_password_login`` writes it;
- for staff (``accounts.mfa.mfa_required``), the ``"mfa"`` record of their TOTP authenticator
  through ``accounts.mfa.mfa_record_passed`` — what a valid code at sign-in leaves, and what
  ``accounts.middleware.StaffSessionMiddleware`` looks for;
- ``django.contrib.auth.login``, so the ``user_logged_in`` handlers run (the staff idle timeout
  starts as it would).

It prints the cookies as a ``Cookie`` header value (``name=value; ...``, for sqlmap's
``--cookie``) and, with ``--wapiti FILE``, also writes them in wapiti's cookie-file format
(``-c FILE``: ``{host: {path: {name: {value, expires, secure, port, version}}}}``).

Run it with the portal's own interpreter and environment (the scan server's DATABASE_URL and
SECRET_KEY): the session lives in that database and is signed with that key. It refuses an
account that is not one of the demo accounts, so it cannot be pointed at a real user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
DEMO_DOMAIN = "@example.com"


def signed_in_cookies(email: str) -> dict[str, str]:
    """Create a session for the demo account ``email``; return the cookies that carry it."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import get_user_model, login
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    from accounts.mfa import mfa_record_passed, mfa_required

    if not email.endswith(DEMO_DOMAIN):
        raise SystemExit(f"{email}: only the demo accounts ({DEMO_DOMAIN}) are signed in here.")
    user = get_user_model().objects.get(email=email)
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    record_authentication(request, user, method="password", email=email)
    if mfa_required(user):
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        mfa_record_passed(request, user=user, authenticator=authenticator)
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    request.session.save()
    get_token(request)  # the CSRF secret a first page would have set as the cookie
    return {
        settings.SESSION_COOKIE_NAME: request.session.session_key,
        settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"],
    }


def wapiti_cookie_file(cookies: dict[str, str], *, base_url: str) -> dict:
    """wapiti's ``-c`` JSON (wapitiCore.net.jsoncookie): host without port, then path, then name."""
    parts = urlsplit(base_url)
    jar = {
        name: {
            "value": value,
            "expires": None,
            "secure": parts.scheme == "https",
            "port": None,
            "version": 0,
        }
        for name, value in cookies.items()
    }
    return {parts.hostname: {"/": jar}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("email", help="a demo account, e.g. officer@example.com")
    parser.add_argument("--wapiti", type=Path, help="also write wapiti's cookie file here")
    parser.add_argument(
        "--base-url", default="https://127.0.0.1:8765/", help="the scanned site (for --wapiti)"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    cookies = signed_in_cookies(args.email)
    if args.wapiti:
        args.wapiti.write_text(json.dumps(wapiti_cookie_file(cookies, base_url=args.base_url)))
    print("; ".join(f"{name}={value}" for name, value in cookies.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
