"""Two universities, each with its office, and cases of their students.

``uni_a`` is the first university by name (the factories' default); ``uni_b`` another one.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from universities.models import University

ISTANBUL = ZoneInfo("Europe/Istanbul")
TODAY = date(2026, 3, 2)


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=ISTANBUL))


@pytest.fixture
def uni_a(db) -> University:
    return University.objects.order_by("name").first()


@pytest.fixture
def uni_b(db, uni_a) -> University:
    return University.objects.exclude(pk=uni_a.pk).order_by("name").first()


@pytest.fixture
def office_a(uni_a):
    from tests.factories import UniversityStaffFactory

    return UniversityStaffFactory(university=uni_a)


@pytest.fixture
def office_b(uni_b):
    from tests.factories import UniversityStaffFactory

    return UniversityStaffFactory(university=uni_b)


@pytest.fixture
def case_at(application_in, office_a, office_b):
    """``case_at(uni, status="submitted", **fields)``: a student's application at ``uni``,
    handed in with both offices on the portal (so an enrolment confirmation is requested)."""

    def make(university: University, status: str = "submitted", **fields):
        fields.setdefault("province", university.province)
        return application_in(status, university=university, **fields)

    return make


@pytest.fixture
def client(client):
    """Pages in English: the assertions read the English texts (the default language is az)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
