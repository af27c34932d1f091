"""The mixed workload of ``bench/capacity.py`` (and ``bench/chaos.py``): signed-in sessions of
students, officers and international-office staff, and the pages each of them opens."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # this folder is not a package

OFFICE_EMAIL = "office{n}@" + "bulk.example.com"
# Each kind of page's share of the mixed workload, in percent (written into the results too).
MIX = {
    "student: dashboard": 25,
    "student: application": 20,
    "officer: queue": 10,
    "officer: queue, filtered": 10,
    "officer: review": 15,
    "office: tracker": 10,
    "office: tracker, filtered": 5,
}


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    session: str | None = None


# --- sessions and the mixed workload ----------------------------------------------------


def office_staff(count: int) -> list:
    """International-office accounts of the ``count`` universities with the most cases (made
    once, with the demo authenticator app, as seed_bulk makes the officers)."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from accounts.models import User
    from accounts.roles import UNIVERSITY_STAFF
    from accounts.services import email_mark_verified, totp_authenticator_set
    from applications.models import Application
    from universities.models import University, UniversityStaff

    busiest = list(
        Application.objects.exclude(university=None)
        .order_by()
        .values("university")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("university", flat=True)[:count]
    )
    group = Group.objects.get_or_create(name=UNIVERSITY_STAFF)[0]
    users = []
    for n, university_id in enumerate(busiest, start=1):
        user, created = User.objects.get_or_create(
            email=OFFICE_EMAIL.format(n=n),
            defaults={"first_name": "Office", "last_name": str(n), "preferred_language": "en"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
            email_mark_verified(user=user)
            totp_authenticator_set(user=user, secret=settings.DEMO_TOTP_SECRET)
            UniversityStaff.objects.create(
                user=user, university=University.objects.get(pk=university_id)
            )
        users.append(user)
    return users


def mixed_targets(*, students: int = 30, officers: int = 10, offices: int = 3) -> list:
    """(weight, Target) pairs: students, officers and university offices, signed in."""
    from accounts.models import User
    from applications.management.commands.seed_bulk import EMAIL_DOMAIN
    from applications.models import OPEN_STATUSES, Application, Status

    def session(user) -> str:
        return common.signed_in_client(user).cookies["sessionid"].value

    cases = list(
        Application.objects.filter(
            status__in=[Status.SUBMITTED, Status.UNDER_REVIEW],
            applicant__email__endswith=EMAIL_DOMAIN,
        )
        .select_related("applicant")
        .order_by("-submitted_at", "pk")[:students]
    )
    team = list(
        User.objects.filter(groups__name="officer", email__endswith=EMAIL_DOMAIN).order_by("pk")[
            :officers
        ]
    )
    if len(cases) < students or len(team) < officers:
        raise SystemExit("The benchmark database has too few applications or officers: reseed.")
    open_cases = list(
        Application.objects.filter(status__in=OPEN_STATUSES)
        .order_by("?")
        .values_list("pk", flat=True)[:300]
    )
    student_sessions = [(session(case.applicant), case.pk) for case in cases]
    officer_sessions = [session(user) for user in team]
    office_sessions = [session(user) for user in office_staff(offices)]
    rng = random.Random(7)
    targets: list[tuple[int, Target]] = []
    for sid, pk in student_sessions:
        targets.append((25, Target("student: dashboard", "/dashboard/", sid)))
        targets.append((20, Target("student: application", f"/applications/{pk}/", sid)))
    for sid in officer_sessions:
        targets += [
            (10, Target("officer: queue", "/officers/", sid)),
            (5, Target("officer: queue, filtered", "/officers/?status=under_review", sid)),
            (
                5,
                Target("officer: queue, filtered", "/officers/?status=submitted&level=master", sid),
            ),
        ]
        for pk in rng.sample(open_cases, 10):
            targets.append((1.5, Target("officer: review", f"/officers/applications/{pk}/", sid)))
    for sid in office_sessions:
        targets.append((10, Target("office: tracker", "/university/students/", sid)))
        targets.append(
            (5, Target("office: tracker, filtered", "/university/students/?status=approved", sid))
        )
    # Weights per user: normalise so each kind of page keeps its share whatever the head count.
    share: dict[str, float] = {}
    for weight, target in targets:
        share[target.name] = share.get(target.name, 0) + weight
    return [(MIX[t.name] * w / share[t.name], t) for w, t in targets]
