"""Where the runner reads and writes, and what it scans: fixed here or from the environment.

The ``SECURITY_*`` variables tune a run (SECURITY.md lists them); each scanner's own settings
live with it (wapiti_scans.py, sqlmap_scans.py, bandit_scan.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "security-reports"
PORTAL_BIN = Path(sys.executable).parent
TOOLS_BIN = Path(os.environ.get("SECURITY_VENV", ROOT / ".venv-security")) / "bin"
DATABASE_URL = os.environ.get(
    "SECURITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_security"
)
PORT = int(os.environ.get("SECURITY_PORT", "8765"))

# A valid question to the eligibility API (an eligible bachelor's student).
ELIGIBILITY_API_QUERY = urlencode(
    {
        "level": "bachelor",
        "field": "general",
        "programme_start": "2024-09-16",
        "programme_end": "2028-06-30",
        "prep_year": "false",
        "passport_expiry": "2030-06-30",
        "entry_date": "2024-09-01",
        "on": "2024-10-01",
    }
)

# Each tool sends its own User-Agent, so the server's access log tells whose requests were
# whose (server_logs.py).
USER_AGENT = "portal-security/{tool}"
