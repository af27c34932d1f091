"""``make security``: scan the portal before a release; exit 1 on any finding.

Not part of ``make test``: it takes about half an hour and scans a running server. Steps:

1. bandit over the project's own Python code (not the virtualenvs, node_modules, tests,
   benchmarks or migrations); every issue it reports is a finding, so an intentional one must
   be fixed or marked on its own line with ``# nosec <ID>`` and the reason.
2. A throw-away database (``SECURITY_DATABASE_URL``, dropped and created each run), migrated and
   filled with ``seed_demo``; a self-signed certificate; the portal served by gunicorn over
   HTTPS on 127.0.0.1 with the *production* settings (``DJANGO_ENV=production``: DEBUG off,
   secure cookies, HSTS, manifest static files), fresh random keys, Celery tasks run eagerly
   and mail dropped (scan_settings.py lists the two other differences). HTTPS lets the scanners
   see the cookies and headers a deployment sends.
3. At the same time (wapiti sends one request at a time, so several clients use the server
   better than one):
   - wapiti with the offline-safe module list of ../shared/TOOLS.md, four times: anonymous,
     signed in as two students (one with a draft), and signed in as an officer whose session
     has passed two-factor sign-in (sessions from ``session_cookie.py``; the sign-out and
     account-deletion URLs are not crawled). Every entry under ``vulnerabilities`` or
     ``anomalies`` (a 500 on fuzzed input, a timeout) is a finding.
   - sqlmap against the officer queue's search, filter and sort parameters, the eligibility
     API's parameters and the permit verification page (query and path); "identified the
     following injection point" in its output, or anything in its per-target log, is a
     finding. The parameters carry values of a decided application (scan_targets.py), which no
     concurrent scan can change, so sqlmap's true and false pages keep differing.
4. Any response with a 5xx status in the server's access log, and any worker timeout while
   handling a request (see ``worker_timeouts``), is a finding too, whichever tool caused it.
   Each tool sends its own User-Agent, so the access log tells whose requests were whose.

The scanners exit 0 whatever they find, so this script reads their reports. Everything goes to
``security-reports/`` (git-ignored): the tools' own reports and logs, the server's logs, and
``summary.json``. Run it with the portal's interpreter (``.venv/bin/python``); the scanners come
from ``SECURITY_VENV`` (``.venv-security``, installed from requirements-security.txt by make).
"""

import sys

# Python puts this script's folder first on sys.path, so its neighbours import as top-level
# modules (the folder is not a package).
from scan_run import main

if __name__ == "__main__":
    sys.exit(main())
