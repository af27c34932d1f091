"""Appointments on a known calendar: "now" is Monday 2026-12-07, 10:00 in Türkiye; the office of
the first university's province keeps the default schedule (Monday to Friday, 09:00–16:30,
20 minutes, 2 desks)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count
from django.utils import translation

from applications.models import Application, Status
from universities.models import University

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ISTANBUL)  # a Monday
TUESDAY = date(2026, 12, 8)
WEDNESDAY = date(2026, 12, 9)
SATURDAY = date(2026, 12, 12)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time at the office."""
    return datetime.combine(day, time(hour, minute), tzinfo=ISTANBUL)


def set_policy(**fields) -> None:
    """Change every policy version (the one in force included) and forget the cached ones."""
    from django.core.cache import cache

    from rules.models import PolicyVersion

    PolicyVersion.objects.update(**fields)
    cache.clear()


@pytest.fixture
def clock():
    """Frozen at ``NOW``, pages and messages in English; ``clock.move_to(...)`` to go on."""
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


@pytest.fixture
def case(application_in, clock):
    """``case(**fields)``: a submitted first application (the kind that needs a visit)."""

    def make(status: str = Status.SUBMITTED, **fields) -> Application:
        return application_in(status, **fields)

    return make


@pytest.fixture
def extension_case(application_in, clock):
    """``extension_case()``: a submitted extension of a permit that ends on 2026-12-31 (its
    passport, since renewed, ran out on 2027-03-01), handed in today."""
    from django.utils import timezone

    from applications import extensions, workflow
    from tests.factories import attach_required_documents

    def make() -> Application:
        with time_machine.travel(datetime(2024, 10, 1, 10, tzinfo=ISTANBUL)):
            first = application_in(Status.APPROVED, passport_expiry_date=date(2027, 3, 1))
        extension = extensions.extension_start(applicant=first.applicant, permit_id=first.permit.pk)
        Application.objects.filter(pk=extension.pk).update(
            passport_expiry_date=date(2035, 6, 30), declaration_accepted_at=timezone.now()
        )
        attach_required_documents(extension, on=timezone.localdate())
        workflow.application_submit(
            application_id=extension.pk,
            actor=extension.applicant,
            expected_version=Application.objects.get(pk=extension.pk).version,
        )
        return Application.objects.select_related("province").get(pk=extension.pk)

    return make


@pytest.fixture
def two_universities(db) -> tuple[University, University]:
    """Two universities in one province: students at both book at the same office."""
    province_id = (
        University.objects.values("province")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("province__name")
        .values_list("province", flat=True)
        .first()
    )
    first, second = University.objects.filter(province_id=province_id).order_by("name")[:2]
    return first, second
