"""The calendar file of a booked appointment (RFC 5545)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appointments import services
from appointments.ics import _fold
from appointments.models import OfficeSchedule

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_calendar_file_names_the_time_the_place_and_the_reference(case, client_for):
    application = case()
    OfficeSchedule.objects.filter(province=application.province).update(
        address="Kızılay Mah., Atatürk Blv. No: 5; Çankaya"
    )
    appointment = services.appointment_book(
        application_id=application.pk, actor=application.applicant, starts_at=at(WEDNESDAY, 14, 40)
    )

    response = client_for(application.applicant).get(
        reverse("application-appointment-calendar", args=[application.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{application.reference}.ics"'
    body = response.content.decode("utf-8")
    assert "\r\n" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2:] == ["END:VCALENDAR", ""]
    assert "VERSION:2.0" in lines
    assert f"UID:appointment-{appointment.pk}@127.0.0.1" in lines
    assert "DTSTAMP:20261207T070000Z" in lines  # now: 10:00 in Türkiye (UTC+3)
    assert "DTSTART:20261209T114000Z" in lines  # 14:40 in Türkiye
    assert "DTEND:20261209T120000Z" in lines
    assert f"SUMMARY:Migration office appointment ({application.reference})" in lines
    assert (
        f"LOCATION:Provincial Directorate of Migration Management\\, {application.province.name}"
        "\\, Kızılay Mah.\\, Atatürk Blv. No: 5\\; Çankaya"
    ) in lines
    assert any(line.startswith("DESCRIPTION:Residence permit application AZTR-") for line in lines)
    assert lines[lines.index("BEGIN:VALARM") :][:2] == ["BEGIN:VALARM", "ACTION:DISPLAY"]
    assert "TRIGGER:-P1D" in lines


def test_no_booked_appointment_no_file(case, client_for):
    application = case()
    response = client_for(application.applicant).get(
        reverse("application-appointment-calendar", args=[application.pk])
    )
    assert response.status_code == 404


def test_long_lines_fold_without_splitting_a_letter():
    folded = _fold("LOCATION:" + "ğ" * 60)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "LOCATION:" + "ğ" * 60
