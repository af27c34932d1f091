"""Parameter values for sqlmap that match the demo data: prints one JSON object.

sqlmap decides that a parameter is injectable by comparing the page for a condition that holds
with the page for one that does not; when the original value matches nothing, both pages are
the same empty list and it can conclude nothing (../shared/TOOLS.md). So the officer queue is
scanned with the values of a real application the demo officer decided (its reference as the
search, its status, level, university, province and submission date), and the verification
page with the code of a real permit. A decided application, because the wapiti scans running
at the same time submit the officer's and the student's forms: an open one could change status
or assignee mid-scan, and the filters would stop matching it. Run with the scan server's
environment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def targets() -> dict[str, str]:
    from django.utils import timezone

    from applications.models import Application, Status
    from permits.models import Permit

    application = (
        Application.objects.filter(
            status__in=(Status.APPROVED, Status.REJECTED), assignee__email="officer@example.com"
        )
        .order_by("submitted_at")
        .first()
    )
    if application is None:
        raise SystemExit("No application decided by officer@example.com: run seed_demo.")
    permit = Permit.objects.order_by("pk").first()
    if permit is None:
        raise SystemExit("No permit in the demo data: run seed_demo.")
    submitted = timezone.localdate(application.submitted_at)
    return {
        "search": application.reference,
        "status": application.status,
        "level": application.level,
        "university": str(application.university_id),
        "province": str(application.province_id),
        "submitted_from": submitted.isoformat(),
        "submitted_to": timezone.localdate().isoformat(),
        "permit_code": permit.verification_code,
    }


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    print(json.dumps(targets()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
