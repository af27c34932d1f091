"""A permit cut short by its passport, as in the commonest path of the agreement: the first
permit (2024-10-01) ends 60 days before the passport does (2027-01-09), on 2026-11-10, though
the bachelor's programme runs until 2028-09-15."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from permits.models import Permit

ISTANBUL = ZoneInfo("Europe/Istanbul")
FIRST_DECISION = date(2024, 10, 1)
SHORT_PASSPORT = date(2027, 1, 9)
PERMIT_END = date(2026, 11, 10)
WINDOW_OPENS = date(2026, 9, 11)
PROGRAMME_END = date(2028, 9, 15)


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ISTANBUL))


@pytest.fixture
def permit(application_in) -> Permit:
    with at(FIRST_DECISION), translation.override("en"):
        first = application_in("approved", passport_expiry_date=SHORT_PASSPORT)
    permit = first.permit
    assert (permit.valid_from, permit.valid_to) == (FIRST_DECISION, PERMIT_END)
    return permit
