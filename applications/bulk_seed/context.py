"""What a run reads from the database once, and the state it carries from chunk to chunk."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from applications.models import Application, ReferenceCounter
from rules import eligibility
from rules.models import PolicyVersion
from rules.policies import policy_from_version
from universities.models import Province, University

from .reference_data import EMAIL_DOMAIN
from .staff import seed_staff

if TYPE_CHECKING:
    from .students import Student


@dataclass
class SeedContext:
    """Everything the row makers share; ``rng`` is the one random generator they all draw from,
    in a fixed order, so that a run can be repeated exactly."""

    rng: random.Random
    today: date
    tz: tzinfo
    # Every seeded account's password: the demo password, hashed once.
    password: str
    officer_ids: list[int]
    supervisor_ids: list[int]
    # (university id, its province id) and province id → plate code.
    universities: list[tuple[int, int]]
    provinces: dict[int, int]
    versions: list[PolicyVersion]
    policies: dict[int, eligibility.Policy]
    # The earliest day an application is dated: a week into the first policy version.
    first_day: date
    # Notices point at their application through the generic ``about`` reference.
    application_type_id: int
    # The last reference number of each year, moved on as applications are submitted.
    references: dict[int, int]
    # The number of the last student made (students are numbered on from earlier runs).
    next_number: int
    # How many more applications get real small files rather than metadata only.
    files_left: int
    students: list[Student] = field(default_factory=list)
    verification_codes: set[str] = field(default_factory=set)


def prepare_context(*, seed: int, officers: int, supervisors: int, files: int) -> SeedContext:
    """The staff (made if missing), the reference data, and a generator seeded for this run."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    password = make_password(settings.DEMO_PASSWORD)
    officer_ids, supervisor_ids = seed_staff(
        officers=officers, supervisors=supervisors, password=password
    )
    universities = list(University.objects.values_list("pk", "province_id"))
    provinces = dict(Province.objects.values_list("pk", "code"))
    versions = list(PolicyVersion.objects.prefetch_related("lengths").order_by("effective_from"))
    if not versions:
        raise CommandError("No policy version: run the migrations first.")
    policies = {v.pk: policy_from_version(v) for v in versions}
    first_day = versions[0].effective_from + timedelta(days=7)
    if first_day >= today - timedelta(days=30):
        raise CommandError("The first policy version is too recent to seed a history.")

    start_number = User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).count()
    return SeedContext(
        # Not for secrets: a seeded generator, so a run can be repeated exactly.
        rng=random.Random(f"{seed}:{start_number}"),  # noqa: S311 # nosec B311
        today=today,
        tz=tz,
        password=password,
        officer_ids=officer_ids,
        supervisor_ids=supervisor_ids,
        universities=universities,
        provinces=provinces,
        versions=versions,
        policies=policies,
        first_day=first_day,
        application_type_id=ContentType.objects.get_for_model(Application).pk,
        references=dict(ReferenceCounter.objects.values_list("year", "last")),
        next_number=start_number,
        files_left=files,
    )
