"""What every page of the browser journey is checked for, in each of the portal's languages.

``Auditor.step(page, "name")`` is called once the journey has reached a page:

1. a full-page screenshot of the page as the person sees it (flash messages included) goes to
   ``tests/browser/screenshots/NN-name.png``;
2. the same address is loaded again in Azerbaijani, Turkish and English (the language cookie the
   header's switcher sets), and each rendering is
   - checked with axe-core for WCAG 2.0/2.1/2.2 level A and AA violations,
   - checked for horizontal scrolling in a 375-pixel-wide viewport,
   - kept, exactly as the server sent it, for the Nu Html Checker;
3. English comes last, so the page is left as the journey found it, minus one-off messages.

The Nu Html Checker runs once, over every kept page, at the end (``vnu_errors``): one JVM start
instead of one per page.

Only pages reached by GET are audited (reloading a POST would repeat it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

LANGUAGES = ("az", "tr", "en")  # the journey's own language (English) last
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE_WIDTH = 375

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({
      target: n.target.join(' '),
      html: n.html.slice(0, 200),
      summary: (n.failureSummary || '').replace(/\\s+/g, ' '),
    })),
  }));
}"""

# Empty when the page fits; otherwise its width, then the elements that stick out of the
# viewport or whose content (unwrapped text, say) spills out of them.
OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return [];
  const name = (el) => el.tagName.toLowerCase()
    + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const spills = el.scrollWidth > el.clientWidth + 1
      && getComputedStyle(el).overflowX === 'visible';
    if (box.width && box.right > width + 1) {
      wide.push(`${name(el)}: right edge at ${Math.round(box.right)} px`);
    } else if (spills) {
      wide.push(`${name(el)}: content ${el.scrollWidth} px wide in ${el.clientWidth} px`);
    }
  }
  return [`page is ${root.scrollWidth} px wide in a ${width} px viewport`, ...wide.slice(-8)];
}"""


@dataclass
class Finding:
    step: str
    language: str
    url: str
    problems: list[Any]

    def __str__(self) -> str:
        lines = [f"{self.step} [{self.language}] {self.url}"]
        for problem in self.problems:
            if isinstance(problem, dict):  # an axe violation
                lines.append(f"  {problem['id']} ({problem['impact']}): {problem['help']}")
                lines.extend(
                    f"    at {node['target']}: {node['html']}\n      {node['summary']}"
                    for node in problem["nodes"]
                )
            else:
                lines.append(f"  {problem}")
        return "\n".join(lines)


@dataclass
class Auditor:
    base_url: str
    screenshots: Path
    html_dir: Path
    axe_source: str
    steps: list[str] = field(default_factory=list)
    axe: list[Finding] = field(default_factory=list)
    overflow: list[Finding] = field(default_factory=list)
    pages_checked: int = 0

    def step(self, page: Page, name: str) -> None:
        """Screenshot the page, then audit it in every language."""
        self.steps.append(name)
        number = len(self.steps)
        page.screenshot(path=self.screenshots / f"{number:02d}-{name}.png", full_page=True)
        url = page.url
        for language in LANGUAGES:
            page.context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url}]
            )
            response = page.goto(url)
            self._keep_html(response, f"{number:02d}-{name}.{language}.html", language)
            self._run_axe(page, name, language)
            self._check_width(page, name, language)
            self.pages_checked += 1

    def _keep_html(self, response: Response | None, filename: str, language: str) -> None:
        assert response is not None, filename
        assert response.ok, f"{filename}: HTTP {response.status}"
        html = response.text()
        # The language cookie took effect: the page says which language it is in.
        assert re.search(rf'<html lang="{language}"', html), f"{filename} is not in {language}"
        # One h1 per page, and the skip link to the main landmark first in the body.
        assert len(re.findall(r"<h1[\s>]", html)) == 1, f"{filename} has not exactly one h1"
        assert 'href="#main"' in html, f"{filename} has no skip link"
        assert '<main id="main"' in html, f"{filename} has no main landmark"
        (self.html_dir / filename).write_text(html, encoding="utf-8")

    def _run_axe(self, page: Page, step: str, language: str) -> None:
        if not page.evaluate("typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol: no <script> tag, so a strict
            # Content-Security-Policy on the page does not block it.
            page.evaluate(self.axe_source)
        violations = page.evaluate(AXE_RUN, AXE_TAGS)
        if violations:
            self.axe.append(Finding(step, language, page.url, violations))

    def _check_width(self, page: Page, step: str, language: str) -> None:
        viewport = page.viewport_size
        resized = viewport is not None and viewport["width"] != PHONE_WIDTH
        if resized:
            page.set_viewport_size({"width": PHONE_WIDTH, "height": viewport["height"]})
        try:
            problems = page.evaluate(OVERFLOW)
        finally:
            if resized:
                page.set_viewport_size(viewport)
        if problems:
            self.overflow.append(Finding(step, language, page.url, problems))

    def vnu_errors(self, jar: Path) -> list[str]:
        """Every error the Nu Html Checker finds in the kept pages, one line each."""
        java = shutil.which("java")
        assert java, "java is needed for the Nu Html Checker"
        completed = subprocess.run(  # noqa: S603 - fixed arguments, our own files
            [
                java,
                "-jar",
                str(jar),
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                "--exit-zero-always",
                "--skip-non-html",
                str(self.html_dir),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        report = json.loads(completed.stdout)
        errors = []
        for message in report["messages"]:
            if message["type"] != "error" and message.get("subType") != "fatal":
                continue
            where = Path(message.get("url", "")).name
            line = message.get("lastLine", "?")
            extract = " ".join(message.get("extract", "").split())[:160]
            errors.append(f"{where}:{line}: {message['message']}\n    {extract}")
        return errors

    def write_report(self, report: dict[str, list[str]]) -> Path:
        """Everything the audits found, next to the screenshots, for a person to read."""
        path = self.screenshots / "report.txt"
        lines = [
            f"{len(self.steps)} pages x {len(LANGUAGES)} languages = {self.pages_checked} "
            f"renderings checked: {', '.join(self.steps)}",
        ]
        for check, problems in report.items():
            lines += ["", f"== {check}: {len(problems) or 'none'}", *problems]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


# Chromium's word for a request it dropped itself (a navigation, a closed page).
CANCELLED_BY_BROWSER = "net::ERR_ABORTED"


@dataclass
class AssetWatch:
    """Every stylesheet, image, script or font that fails to load, and every console error.

    Documents are left out: pages are checked by the journey itself, and a download ends its
    navigation as "aborted". So is a request the browser itself cancelled (``net::ERR_ABORTED``:
    the journey moved to the next page while the favicon, fetched after the load, was still on
    its way); an asset that is missing or refused still shows as its 4xx response.
    """

    broken: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_failure)
        page.on("console", lambda message: self._on_console(page, message))

    def _on_response(self, response) -> None:
        request = response.request
        if request.resource_type == "document":
            return
        if response.status >= 400:
            self.broken.append(f"{response.status} {request.resource_type} {response.url}")

    def _on_failure(self, request) -> None:
        if request.resource_type == "document" or request.failure == CANCELLED_BY_BROWSER:
            return
        self.broken.append(f"{request.failure} {request.resource_type} {request.url}")

    def _on_console(self, page: Page, message) -> None:
        if message.type == "error":
            self.broken.append(f"console error on {page.url}: {message.text}")
