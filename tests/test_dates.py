"""Dates readers in Türkiye and Azerbaijan cannot misread: day-first or ISO in every language,
English included (Django's English would write 3 December 2026 as 12/03/2026 or Dec. 3, 2026)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from applications.models import Status

DAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("en", "3 Dec 2026", "2026-12-03"),
        ("az", "3 Dekabr 2026", "03.12.2026"),
        ("tr", "03 Aralık 2026", "03 Ara 2026"),
    ],
)
def test_every_language_writes_the_day_first(language, long, short):
    template = Template('{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ day }}')
    with translation.override(language):
        rendered = template.render(Context({"day": DAY}))
    assert rendered == f"{long}|{short}|{long}"


@pytest.mark.django_db
def test_the_english_queue_writes_iso_dates(application_in, officer, client_for):
    with time_machine.travel(datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Europe/Istanbul"))):
        application = application_in(Status.SUBMITTED)
        html = client_for(officer).get(reverse("officer-queue")).content.decode()
    assert application.reference in html
    assert "2026-12-03" in html
    assert "12/03/2026" not in html
    assert "Dec. 3, 2026" not in html
