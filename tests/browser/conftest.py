"""A real browser for the browser tests: Debian's chromium, driven by Playwright.

Only the ``playwright`` Python package is used; its own browser download (``playwright
install``) never is. The browser is the system's ``/usr/bin/chromium`` (or ``$CHROMIUM_PATH``),
started headless with the flags that work as root in a container (``shared/TOOLS.md``).

When the browser cannot be used:
- under CI (``CI=true``) the test **fails**: ``make test`` has already tried to install
  chromium with apt-get, so a browser that still does not start is a broken build;
- elsewhere the browser tests are **skipped**, with a warning in pytest's summary, so a laptop
  without chromium can still run the rest of the suite.

The same rule covers the checkers the journey needs: axe-core and vnu-jar from ``node_modules``
(``npm ci``, run by ``make install``) and ``java`` for the Nu Html Checker.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from django.db import connections

# The SMTP sink of the outbox tests, reused: allauth's verification email is read from it.
from tests.notifications.conftest import smtp_sink  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
# As root the sandbox cannot start; the rest keeps chromium from calling home or using a GPU.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
# Actions and waits fail after this long: a page of this portal answers in well under a second.
TIMEOUT_MS = 15_000


class BrowserTestsSkipped(UserWarning):
    """Shown in pytest's warnings summary when the browser tests could not run."""


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Fail under CI, otherwise skip loudly."""
    if under_ci():
        pytest.fail(f"CI is set and the browser tests cannot run: {reason}", pytrace=False)
    warnings.warn(
        BrowserTestsSkipped(f"The browser tests were SKIPPED: {reason}"),
        stacklevel=2,
    )
    pytest.skip(f"browser tests skipped (set CI=true to make this an error): {reason}")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    found = shutil.which("chromium")
    if found:
        return found
    return next((path for path in CHROMIUM_CANDIDATES if os.access(path, os.X_OK)), None)


@pytest.fixture
def chromium(transactional_db, browser_env) -> Iterator[Browser]:
    """A headless chromium for one test (it starts in a third of a second).

    Not shared by the session on purpose: while Playwright runs, this thread has a running
    event loop, which changes how Django behaves in it. The ORM refuses to run (``browser_env``
    allows it), and Django keeps this thread's database connections apart from the ones it
    uses without a loop (asgiref's ``Local`` switches to context-local storage). So the browser
    starts after the database is ready, the connections opened meanwhile are closed while the
    loop still runs, and the browser stops before the database is flushed: the tests after
    this one, and the test database's removal, find everything as it was.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    executable = chromium_path()
    if executable is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    for needed in (AXE_JS, VNU_JAR):
        if not needed.is_file():
            unavailable(f"{needed.relative_to(ROOT)} is missing (run `make install`, i.e. npm ci)")
    if shutil.which("java") is None:
        unavailable("java is not installed; the Nu Html Checker needs it")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=LAUNCH_ARGS
            )
        except PlaywrightError as exc:
            problem = exc.message.splitlines()[0]
        else:
            problem = None
        if problem is not None:
            unavailable(f"chromium at {executable} did not start: {problem}")
        try:
            yield browser
        finally:
            connections.close_all()
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder for the step screenshots (git-ignored), emptied of the last run's pictures."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in (*SCREENSHOTS.glob("*.png"), *SCREENSHOTS.glob("*.pdf"), *SCREENSHOTS.glob("*.txt")):
        old.unlink()
    return SCREENSHOTS


@pytest.fixture
def browser_env(monkeypatch) -> None:
    """Playwright's sync API keeps an event loop in this thread; Django's ORM refuses to run
    when it sees one, although nothing here is asynchronous. The live server's own thread has
    no loop and keeps the check."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def new_context(chromium) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(width=375, locale="az-AZ")``: a fresh browser profile with its own cookies,
    asking for pages in ``locale`` (Accept-Language); closed after the test."""
    contexts: list[BrowserContext] = []

    def make(*, width: int = 375, height: int = 800, locale: str = "en-US") -> BrowserContext:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, locale=locale, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
