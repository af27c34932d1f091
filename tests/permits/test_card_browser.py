"""The officers' card pages in a real browser at 375 px: the list, a move, the CSV upload and
its preview, each checked with axe-core (WCAG 2.x A/AA) and for horizontal scrolling, in the
three languages where the page is reached by GET (see ``tests/browser/audit.py``)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from permits import card_services
from permits.card import CardStatus
from permits.models import PermitCard
from tests.browser.audit import AssetWatch, Auditor
from tests.browser.conftest import (  # noqa: F401 - the browser's fixtures, used by name
    AXE_JS,
    browser_env,
    chromium,
    new_context,
    screenshots,
)
from tests.browser.test_journey import TWO_FACTOR_PATH, english, fill, path_of, submit, totp_code
from tests.browser.test_journey import officer_with_authenticator as make_officer
from tests.factories import DEMO_PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fresh_cache"),
]

TRACKING = "RR123456785TR"


def sign_in(page: Page, base: str, email: str, secret: str | None) -> None:
    page.goto(base + "/accounts/login/")
    fill(page, {"login": email, "password": DEMO_PASSWORD})
    submit(page, "main form")
    if path_of(page) == TWO_FACTOR_PATH:
        fill(page, {"code": totp_code(secret)})
        submit(page, "main form")


def audit_here(audit: Auditor, page: Page, name: str) -> None:
    """A page reached by POST: checked as it is, in English (reloading would repeat the POST)."""
    audit.steps.append(name)
    page.screenshot(path=audit.screenshots / f"{len(audit.steps):02d}-{name}.png", full_page=True)
    audit._run_axe(page, name, "en")
    audit._check_width(page, name, "en")


def test_the_card_pages_in_a_browser(
    live_server,
    new_context,  # noqa: F811 - the imported fixture, by name
    screenshots,  # noqa: F811 - the imported fixture, by name
    tmp_path,
    application_in,
):
    base = live_server.url
    html_dir = tmp_path / "pages"
    html_dir.mkdir()
    shots = screenshots / "cards"
    shots.mkdir(exist_ok=True)
    audit = Auditor(
        base_url=base,
        screenshots=shots,
        html_dir=html_dir,
        axe_source=AXE_JS.read_text(encoding="utf-8"),
    )
    assets = AssetWatch()
    officer, secret = make_officer()
    permits = [application_in("approved", officer=officer).permit for _ in range(3)]
    posted = PermitCard.objects.get(permit=permits[2])
    for step in (CardStatus.PRINTED, CardStatus.POSTED):
        card_services.card_move(
            posted.pk,
            actor=officer,
            to_status=step,
            expected_version=PermitCard.objects.get(pk=posted.pk).version,
            tracking_number=TRACKING if step == CardStatus.POSTED else "",
        )

    page = new_context(width=375, height=812).new_page()
    english(page.context, base)
    assets.watch(page)
    sign_in(page, base, officer.email, secret)
    page.goto(base + "/officers/cards/")
    assert path_of(page) == "/officers/cards/"
    audit.step(page, "cards-list")

    # Print the first card from the list, without JavaScript's help: a plain POST form.
    first = PermitCard.objects.get(permit=permits[0])
    page.locator(f"form[action='/officers/cards/{first.pk}/move/'] button").click()
    assert PermitCard.objects.get(pk=first.pk).status == CardStatus.PRINTED
    audit_here(audit, page, "cards-after-move")

    # A bad tracking number for it: the card's own page with the error by the field.
    page.fill(f"#tracking-{first.pk}", "RR123456784TR")
    page.locator(f"#tracking-{first.pk} ~ button").click()
    assert "check digit" in page.locator("main").inner_text()
    audit_here(audit, page, "card-move-refused")

    page.goto(base + "/officers/cards/import/")
    audit.step(page, "cards-import")
    today = timezone.localdate().isoformat()
    csv = tmp_path / "cards.csv"
    csv.write_text(
        "permit_number,status,tracking_number,date\n"
        f"{permits[1].number},printed,,{today}\nIKM-unknown,printed,,{today}\n",
        encoding="utf-8",
    )
    page.set_input_files("main input[name=file]", str(csv))
    submit(page, "main form")
    assert "No card is known" in page.locator("main").inner_text()
    audit_here(audit, page, "cards-import-preview")

    findings = {
        "axe-core: no WCAG 2.x A/AA violations": [str(f) for f in audit.axe],
        "375 px: no horizontal scrolling": [str(f) for f in audit.overflow],
        "every stylesheet, image and script loads; no console errors": [
            # The refused move and the preview with errors answer 400 on purpose.
            problem
            for problem in assets.broken
            if "status of 400" not in problem
        ],
    }
    for check, problems in findings.items():
        assert not problems, f"{check}: {len(problems)} problem(s):\n" + "\n".join(problems)
