"""Who may see a report: the one rule every report page uses.

The student's pages look reports up among the student's own (another's is a 404, never a 403
that confirms it exists); the officers' pages are for officers only (anyone else 403).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import is_officer

from .models import Report


def can_view_report(user: User | AnonymousUser, report: Report) -> bool:
    if not user.is_authenticated:
        return False
    return report.applicant_id == user.pk or is_officer(user)


def own_reports(user: User) -> QuerySet[Report]:
    return Report.objects.filter(applicant=user)
