"""bandit over the project's own Python code: every issue it reports is a finding.

An intentional construct must be fixed or marked on its own line with ``# nosec <ID>`` and the
reason.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 # fixed argument lists of our own tools, never a shell

from child_processes import run
from run_summary import Summary, log
from runner_config import REPORTS, TOOLS_BIN

# Not deployed, and like the tests free to start processes and draw pseudo-random numbers: the
# tests and the benchmarks (bench/). The migrations are Django's generated code.
BANDIT_EXCLUDED = [
    "./.venv*",
    "./node_modules",
    "./tests",
    "./bench",
    "./staticfiles",
    "./security-reports",
    "*/migrations/*",
]


def bandit_scan(summary: Summary) -> None:
    log("bandit: the project's Python code")
    report = REPORTS / "bandit.json"
    result = run(
        [
            str(TOOLS_BIN / "bandit"),
            "--recursive",
            ".",
            "--exclude",
            ",".join(BANDIT_EXCLUDED),
            "--format",
            "json",
            "--output",
            str(report),
            "--quiet",
        ],
        check=False,
        stderr=subprocess.STDOUT,
    )
    # Its warnings (e.g. a nosec comment on a line inside a larger statement) go to a log.
    (REPORTS / "bandit.log").write_text(result.stdout)
    if not report.exists():
        summary.error(f"bandit wrote no report (exit {result.returncode})")
        return
    data = json.loads(report.read_text())
    for issue in data["results"]:
        summary.finding(
            "bandit",
            f"{issue['test_id']} {issue['issue_text']}",
            f"{issue['filename']}:{issue['line_number']}",
            severity=issue["issue_severity"],
            confidence=issue["issue_confidence"],
        )
    for error in data["errors"]:
        summary.error(f"bandit could not read {error['filename']}: {error['reason']}")
    totals = data["metrics"]["_totals"]
    summary.result(
        "bandit",
        {
            "files": len([name for name in data["metrics"] if name != "_totals"]),
            "lines_of_code": totals["loc"],
            "issues": len(data["results"]),
            "excluded": BANDIT_EXCLUDED,
            "issues_skipped_by_nosec": totals.get("skipped_tests", 0),
        },
    )
