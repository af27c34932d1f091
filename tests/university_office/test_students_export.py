"""The international office's CSV export of its students: its own students only, the columns
of its pages, no passport numbers or FINs, and cells a spreadsheet never runs as formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from applications.models import Application, EnrolmentStatus

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db

HEADER = [
    "Surname",
    "Given names",
    "Student number",
    "Reference",
    "Kind",
    "Status",
    "Level",
    "Field",
    "Programme start",
    "Programme end",
    "Confirmation number",
    "Confirmation status",
    "Permit number",
    "Permit status",
    "Permit valid until",
]


def exported(response) -> tuple[str, list[list[str]]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="students-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return text, list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_export_has_the_offices_students_only_and_no_passport_numbers(
    case_at, uni_a, uni_b, office_a, office_b, client_for
):
    with at(TODAY):
        waiting = case_at(uni_a, "submitted", surname="Əliyeva", given_names="Nərgiz")
        holder = case_at(uni_a, "approved")
        theirs = case_at(uni_b, "submitted", surname="Başqa")
        text, rows = exported(client_for(office_a).get(reverse("university-students-export")))

    assert rows[0] == HEADER
    by_reference = {row[3]: row for row in rows[1:]}
    assert set(by_reference) == {waiting.reference, holder.reference}
    assert theirs.reference not in text
    assert "Başqa" not in text
    for case in (waiting, holder, theirs):
        full = Application.objects.get(pk=case.pk)
        assert full.passport_number not in text
        assert full.fin not in text

    row = by_reference[waiting.reference]
    assert row[:10] == [
        "Əliyeva",
        "Nərgiz",
        waiting.student_number,
        waiting.reference,
        "First application",
        "Submitted",
        "Bachelor's (lisans)",
        "General (any other field)",
        "2024-09-16",
        "",
    ]
    assert row[10] == waiting.enrolment.number
    assert row[11] == str(EnrolmentStatus.REQUESTED.label)
    assert row[12:] == ["", "", ""]

    permit = holder.permit
    assert by_reference[holder.reference][12:] == [
        permit.number,
        "Valid",
        permit.valid_to.isoformat(),
    ]

    # The other office gets its own student and nobody else.
    with at(TODAY):
        _, other_rows = exported(client_for(office_b).get(reverse("university-students-export")))
    assert [row[3] for row in other_rows[1:]] == [theirs.reference]


def test_the_export_follows_the_students_filters(case_at, uni_a, office_a, client_for):
    with at(TODAY):
        waiting = case_at(uni_a, "submitted")
        case_at(uni_a, "approved")
        client = client_for(office_a)
        _, rows = exported(client.get(reverse("university-students-export") + "?status=submitted"))
        _, unknown = exported(client.get(reverse("university-students-export") + "?status=bogus"))
    assert [row[3] for row in rows[1:]] == [waiting.reference]
    assert len(unknown) == 3  # an unknown filter is no filter


def test_cells_that_look_like_formulas_are_disarmed(case_at, uni_a, office_a, client_for):
    with at(TODAY):
        case = case_at(uni_a, "submitted")
        Application.objects.filter(pk=case.pk).update(
            surname='=HYPERLINK("http://evil.example","x")', given_names="@SUM(1+1)"
        )
        _, rows = exported(client_for(office_a).get(reverse("university-students-export")))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][1] == "'@SUM(1+1)"


def test_only_an_international_office_may_export(client_for, officer, student):
    for user in (officer, student):
        assert client_for(user).get(reverse("university-students-export")).status_code == 403
    assert client_for(None).get(reverse("university-students-export")).status_code == 302
