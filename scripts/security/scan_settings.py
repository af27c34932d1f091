"""Settings of the server ``make security`` scans: the portal's own, with two changes.

Everything comes from ``portal.settings`` with ``DJANGO_ENV=production`` (run.py sets the
environment), so the scanners meet the headers, cookies and DEBUG-off error pages of a
deployment. Only these differ, and only on that throw-away server:

- allauth's throttling and lockout are off. The scanners send thousands of requests from one
  address; with the limits on, nearly every sign-in, sign-up and password-reset submission is
  answered 429 before the form is read, and the forms go untested. The limits themselves are
  proven by tests/accounts (throttling and lockout). The public pages' own limits are raised
  through the environment (VERIFY_RATE_PER_MINUTE, ELIGIBILITY_API_RATE_PER_MINUTE).
- Passwords are hashed with a fast hasher: every sign-in attempt, even for an unknown address,
  runs the hasher, and the production one takes a third of a CPU-second by design.
"""

from portal.settings import *  # noqa: F403

ACCOUNT_RATE_LIMITS = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
