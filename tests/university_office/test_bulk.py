"""CSV uploads of an international office: every row checked before anything is written, then
one transaction (a file is applied completely or not at all), a result file, and progress for
large files applied in the background."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications import enrolment
from applications.models import (
    Application,
    ApplicationEvent,
    EnrolmentConfirmation,
    EnrolmentStatus,
    Status,
)
from cases.errors import WorkflowError
from reports.models import Report, ReportType
from rules.models import Field, Level
from tests.factories import ApplicationFactory, UniversityStaffFactory
from university_office.bulk import apply as bulk_apply
from university_office.bulk.parsing import CsvRejected, decode, parse_text
from university_office.bulk.progress import progress_get, progress_key
from university_office.bulk.row_checks import parse_date
from university_office.bulk.tasks import apply_bulk_upload
from university_office.bulk.uploads import upload_create
from university_office.models import BulkState, BulkUpload, Channel, StudyEndReport

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db

CONFIRMATION_COLUMNS = (
    "reference",
    "action",
    "level",
    "field",
    "programme_start",
    "programme_end",
    "reason",
)
# References of the applications made in bulk here: far from those the workflow hands out.
_numbers = itertools.count(700_000)


# --- building cases in bulk ------------------------------------------------------------------


def pending_confirmations(university, count: int) -> list[EnrolmentConfirmation]:
    """``count`` submitted applications at ``university`` with their confirmation requested,
    written in a few queries: these tests are about the CSV file, not about handing in."""
    first = next(_numbers)
    for _ in range(count - 1):
        next(_numbers)
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{first + i}@example.com", password="!", is_active=True)
            for i in range(count)
        ]
    )
    now = timezone.now()
    applications = []
    for i, user in enumerate(users):
        application = ApplicationFactory.build(
            applicant=user, university=university, province=university.province
        )
        application.status = Status.SUBMITTED
        application.reference = f"AZTR-2026-{first + i:06d}"
        application.submitted_at = now
        applications.append(application)
    Application.objects.bulk_create(applications)
    confirmations = EnrolmentConfirmation.objects.bulk_create(
        [EnrolmentConfirmation(application=a, university=university) for a in applications]
    )
    for confirmation in confirmations:
        confirmation.number = f"EC-2026-{confirmation.pk:06d}"
    EnrolmentConfirmation.objects.bulk_update(confirmations, ["number"])
    return confirmations


def csv_text(rows, columns=CONFIRMATION_COLUMNS, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()


def confirm_row(confirmation, **cells) -> dict:
    return {
        "reference": confirmation.number,
        "action": "confirm",
        "level": "bachelor",
        "field": "general",
        "programme_start": "2024-09-16",
        "programme_end": "2028-06-30",
    } | cells


def upload_file(name: str, text: str | bytes) -> SimpleUploadedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post_upload(client, kind: str, text: str | bytes, name: str = "file.csv"):
    return client.post(reverse("university-bulk"), {"kind": kind, "file": upload_file(name, text)})


def latest_upload() -> BulkUpload:
    return BulkUpload.objects.order_by("-pk").first()


def statuses(confirmations) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in EnrolmentConfirmation.objects.filter(
        pk__in=[c.pk for c in confirmations]
    ).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def result_rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def office_client(client_for, office_a):
    return client_for(office_a)


# --- the done-when: 500 rows, one invalid, then the fixed file --------------------------------


def test_500_rows_with_one_invalid_row_write_nothing_then_the_fixed_file_applies_all(
    office_client, uni_a, settings
):
    settings.UNIVERSITY_BULK_ASYNC_ROWS = 1000  # applied during the request here
    confirmations = pending_confirmations(uni_a, 500)
    rows = [confirm_row(c) for c in confirmations]
    rows[41]["programme_start"] = "2024-31-09"  # row 43 of the file
    events_before = ApplicationEvent.objects.count()

    response = post_upload(office_client, "confirmations", csv_text(rows), "enrolments.csv")
    upload = latest_upload()
    assert response.status_code == 302
    assert response["Location"] == reverse("university-bulk-preview", args=[upload.pk])
    assert upload.state == BulkState.INVALID
    assert (upload.row_count, upload.invalid_count) == (500, 1)

    page = office_client.get(response["Location"]).content.decode()
    assert "1 of 500 rows must be corrected" in page
    assert "“2024-31-09” is not a date" in page
    problems = [r for r in upload.results if r["problems"]]
    assert [(p["row"], [x["column"] for x in p["problems"]]) for p in problems] == [
        (43, ["programme_start"])
    ]
    assert "Apply 500 rows" not in page

    refused = office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    assert refused.status_code == 302
    upload.refresh_from_db()
    assert upload.state == BulkState.INVALID
    assert statuses(confirmations) == {EnrolmentStatus.REQUESTED: 500}
    assert ApplicationEvent.objects.count() == events_before

    # The result file names the row and what to correct.
    result = result_rows(office_client.get(reverse("university-bulk-result", args=[upload.pk])))
    assert len(result) == 500
    assert result[41]["outcome"] == "to correct"
    assert "Row 43, column programme_start" in result[41]["message"]

    # The fixed file.
    rows[41]["programme_start"] = "16.09.2024"  # as a Turkish spreadsheet writes it
    response = post_upload(office_client, "confirmations", csv_text(rows), "enrolments.csv")
    upload = latest_upload()
    assert upload.state == BulkState.VALIDATED
    page = office_client.get(response["Location"]).content.decode()
    assert "All 500 rows are correct" in page
    assert "Apply 500 rows" in page

    applied = office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    assert applied.status_code == 302
    upload.refresh_from_db()
    assert upload.state == BulkState.APPLIED
    assert upload.applied_count == 500
    assert statuses(confirmations) == {EnrolmentStatus.CONFIRMED: 500}
    confirmed = EnrolmentConfirmation.objects.get(pk=confirmations[41].pk)
    assert confirmed.programme_start == date(2024, 9, 16)
    assert confirmed.programme_end == date(2028, 6, 30)
    assert confirmed.level == Level.BACHELOR
    enrolment_events = ApplicationEvent.objects.filter(
        kind=ApplicationEvent.Kind.ENROLMENT, data__channel=Channel.CSV
    )
    assert enrolment_events.count() == 500

    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk])).content.decode()
    assert "All 500 rows were applied" in page
    assert "500 enrolments confirmed" in page
    result = result_rows(office_client.get(reverse("university-bulk-result", args=[upload.pk])))
    assert len(result) == 500
    assert {row["outcome"] for row in result} == {"confirmed"}
    assert [row["created_reference"] for row in result] == [c.number for c in confirmations]


# --- applying is all or nothing --------------------------------------------------------------


def test_a_confirmation_answered_meanwhile_rolls_everything_back(office_client, uni_a, settings):
    settings.UNIVERSITY_BULK_ASYNC_ROWS = 1000
    confirmations = pending_confirmations(uni_a, 12)
    rows = [confirm_row(c) for c in confirmations]
    post_upload(office_client, "confirmations", csv_text(rows))
    upload = latest_upload()
    assert upload.state == BulkState.VALIDATED

    # A colleague answers one of them on its page between the preview and the apply.
    colleague = UniversityStaffFactory(university=uni_a)
    enrolment.enrolment_decline(
        confirmation_id=confirmations[7].pk, actor=colleague, reason="Left in January."
    )
    events_before = ApplicationEvent.objects.count()

    office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.state == BulkState.FAILED
    assert upload.failed_row == 9
    assert upload.failure_message == (
        f"Row 9, column reference: {confirmations[7].number} was already answered: "
        "“Not confirmed by the university”."
    )
    assert statuses(confirmations) == {
        EnrolmentStatus.REQUESTED: 11,
        EnrolmentStatus.DECLINED: 1,
    }
    assert ApplicationEvent.objects.count() == events_before
    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk])).content.decode()
    assert "nothing from it was written" in page
    assert confirmations[7].number in page
    result = result_rows(office_client.get(reverse("university-bulk-result", args=[upload.pk])))
    assert result[7]["outcome"] == "failed"
    assert {row["outcome"] for i, row in enumerate(result) if i != 7} == {"not applied"}


def test_a_row_refused_by_the_service_while_applying_rolls_everything_back(
    office_a, uni_a, monkeypatch
):
    """Rows 2-14 really are confirmed before row 15 fails; none of it stays."""
    confirmations = pending_confirmations(uni_a, 20)
    upload = upload_create(
        actor=office_a,
        university=uni_a,
        kind="confirmations",
        file=upload_file("f.csv", csv_text([confirm_row(c) for c in confirmations])),
    )
    real_confirm = enrolment.enrolment_confirm
    calls = []

    def confirm_until_the_14th(**kwargs):
        calls.append(kwargs["confirmation_id"])
        assert kwargs["channel"] == "csv"
        if len(calls) == 14:
            raise WorkflowError("The service refused this row.")
        return real_confirm(**kwargs)

    monkeypatch.setattr(bulk_apply, "enrolment_confirm", confirm_until_the_14th)
    events_before = ApplicationEvent.objects.count()
    assert bulk_apply.apply_claim(upload, actor=office_a)
    upload = bulk_apply.apply_upload(upload.pk, actor=office_a)

    assert len(calls) == 14
    assert upload.state == BulkState.FAILED
    assert upload.failed_row == 15
    assert upload.failure_message == "Row 15: The service refused this row."
    assert statuses(confirmations) == {EnrolmentStatus.REQUESTED: 20}
    assert ApplicationEvent.objects.count() == events_before
    upload.refresh_from_db()
    assert upload.state == BulkState.FAILED


def test_an_unexpected_error_while_applying_rolls_back_and_marks_the_upload_failed(
    office_a, uni_a, monkeypatch
):
    confirmations = pending_confirmations(uni_a, 3)
    upload = upload_create(
        actor=office_a,
        university=uni_a,
        kind="confirmations",
        file=upload_file("f.csv", csv_text([confirm_row(c) for c in confirmations])),
    )
    real_confirm = enrolment.enrolment_confirm
    calls = []

    def broken(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_confirm(**kwargs)

    monkeypatch.setattr(bulk_apply, "enrolment_confirm", broken)
    bulk_apply.apply_claim(upload, actor=office_a)
    upload = bulk_apply.apply_upload(upload.pk, actor=office_a)
    assert upload.state == BulkState.FAILED
    assert upload.failed_row == 3
    assert "stopped at row 3" in upload.failure_message
    assert statuses(confirmations) == {EnrolmentStatus.REQUESTED: 3}


def test_a_file_is_applied_once_however_often_apply_is_pressed(office_client, uni_a):
    confirmations = pending_confirmations(uni_a, 2)
    post_upload(office_client, "confirmations", csv_text([confirm_row(c) for c in confirmations]))
    upload = latest_upload()
    office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    events = ApplicationEvent.objects.count()
    again = office_client.post(reverse("university-bulk-apply", args=[upload.pk]), follow=True)
    assert "already being applied or was applied" in again.content.decode()
    assert ApplicationEvent.objects.count() == events
    assert office_client.get(reverse("university-bulk-apply", args=[upload.pk])).status_code == 405


# --- the checks, row by row ------------------------------------------------------------------


def test_duplicate_rows_are_reported_on_the_later_row(office_client, uni_a):
    one, two, three = pending_confirmations(uni_a, 3)
    application_reference = Application.objects.get(pk=one.application_id).reference
    rows = [
        confirm_row(one),
        confirm_row(two),
        confirm_row(one),  # the very same row again
        confirm_row(three),
        {"reference": application_reference.lower(), "action": "decline", "reason": "Left."},
    ]
    post_upload(office_client, "confirmations", csv_text(rows))
    upload = latest_upload()
    assert upload.state == BulkState.INVALID
    problems = {r["row"]: r["problems"] for r in upload.results if r["problems"]}
    assert problems == {
        4: [
            {
                "column": "reference",
                "message": "This student is already in row 2; give each student once.",
            }
        ],
        6: [
            {
                "column": "reference",
                "message": "This student is already in row 2; give each student once.",
            }
        ],
    }


def test_another_universitys_student_is_not_a_student_of_yours(
    office_client, uni_a, uni_b, office_b
):
    (ours,) = pending_confirmations(uni_a, 1)
    (theirs,) = pending_confirmations(uni_b, 1)
    theirs_application = Application.objects.get(pk=theirs.application_id)
    rows = [
        confirm_row(ours),
        confirm_row(theirs),
        {"reference": theirs_application.reference, "action": "decline", "reason": "x"},
        confirm_row(ours, reference="EC-2026-999999"),  # exists nowhere
        confirm_row(ours, reference="hello"),
    ]
    post_upload(office_client, "confirmations", csv_text(rows))
    upload = latest_upload()
    messages = {r["row"]: [p["message"] for p in r["problems"]] for r in upload.results}
    assert messages[2] == []
    assert messages[3] == [f"{theirs.number} is not a student of your university."]
    assert messages[4] == [f"{theirs_application.reference} is not a student of your university."]
    # Unknown anywhere gets the very same answer: the file tells nothing about other universities.
    assert messages[5] == ["EC-2026-999999 is not a student of your university."]
    assert messages[6] == [
        "“hello” is not a confirmation number (EC-2026-000123) or an application reference "
        "(AZTR-2026-000123)."
    ]
    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk])).content.decode()
    assert uni_b.name not in page
    assert EnrolmentConfirmation.objects.get(pk=theirs.pk).status == EnrolmentStatus.REQUESTED


def test_every_kind_of_problem_gets_its_row_column_and_message(office_client, uni_a, office_a):
    confirmations = pending_confirmations(uni_a, 9)
    answered = confirmations[8]
    enrolment.enrolment_decline(confirmation_id=answered.pk, actor=office_a, reason="No.")
    rows = [
        confirm_row(confirmations[0], action="approve"),
        confirm_row(confirmations[1], level="professor"),
        confirm_row(confirmations[2], field="astrology"),
        confirm_row(confirmations[3], programme_start=""),
        confirm_row(confirmations[4], programme_end="2024-09-01"),
        {"reference": confirmations[5].number, "action": "decline"},
        confirm_row(confirmations[6], level="Yüksek Lisans", field="TIP", action="CONFIRM"),
        confirm_row(confirmations[7], programme_end="2028/06/30"),
        confirm_row(answered),
        {"action": "confirm"},
    ]
    post_upload(office_client, "confirmations", csv_text(rows))
    upload = latest_upload()
    found = {r["row"]: [(p["column"], p["message"]) for p in r["problems"]] for r in upload.results}
    assert found[2] == [("action", "“approve” is not an action: write confirm or decline.")]
    assert found[3] == [
        (
            "level",
            "“professor” is not a level of study: write one of associate, bachelor, master, "
            "doctoral.",
        )
    ]
    assert found[4][0][0] == "field"
    assert found[5] == [("programme_start", "Give the date, for example 2026-09-16 or 16.09.2026.")]
    assert found[6] == [("programme_end", "The expected end must be after the programme's start.")]
    assert found[7] == [("reason", "Give the reason the enrolment cannot be confirmed.")]
    assert found[8] == []  # Turkish level names and capitals are understood
    assert found[9] == [
        ("programme_end", "“2028/06/30” is not a date: write it as 2026-09-16 or 16.09.2026.")
    ]
    assert found[10] == [
        (
            "reference",
            f"{answered.number} was already answered: “Not confirmed by the university”.",
        )
    ]
    assert found[11][0] == (
        "reference",
        "Give the confirmation number or the application's reference.",
    )
    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk])).content.decode()
    assert '<th scope="col">Row</th>' in page
    assert "<caption>" in page


def test_a_corrected_result_file_can_be_uploaded_again(office_client, uni_a):
    confirmations = pending_confirmations(uni_a, 2)
    rows = [confirm_row(confirmations[0]), confirm_row(confirmations[1], level="x")]
    post_upload(office_client, "confirmations", csv_text(rows))
    upload = latest_upload()
    result = office_client.get(reverse("university-bulk-result", args=[upload.pk])).content
    fixed = result.decode("utf-8").replace(",x,", ",master,")
    post_upload(office_client, "confirmations", fixed.encode("utf-8"), "result.csv")
    again = latest_upload()
    assert again.state == BulkState.VALIDATED
    assert again.columns == list(CONFIRMATION_COLUMNS)


# --- parsing ---------------------------------------------------------------------------------


def test_a_semicolon_file_with_bom_capital_headers_and_turkish_dates(office_client, uni_a):
    (confirmation,) = pending_confirmations(uni_a, 1)
    text = (
        "\ufeffREFERENCE;Action;Level;Field;Programme Start;programme_end;Reason\r\n"
        f"{confirmation.number};confirm;lisans;genel;16.09.2024;30.06.2028;\r\n"
        ";;;;;;\r\n"
    )
    post_upload(office_client, "confirmations", text)
    upload = latest_upload()
    assert upload.state == BulkState.VALIDATED
    assert upload.delimiter == ";"
    assert upload.row_count == 1
    office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    confirmation.refresh_from_db()
    assert confirmation.status == EnrolmentStatus.CONFIRMED
    assert (confirmation.level, confirmation.field) == (Level.BACHELOR, Field.GENERAL)
    result = office_client.get(reverse("university-bulk-result", args=[upload.pk]))
    assert result.content.decode("utf-8").splitlines()[0] == (
        "\ufeffreference;action;level;field;programme_start;programme_end;reason;outcome;"
        "created_reference;message"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook, not a CSV file."),
        (b"%PDF-1.7\n", "This is a PDF document, not a CSV file."),
        ("reference,action\r\n".encode("utf-16"), "“Unicode text” (UTF-16)"),
        ("reference,action\r\nEC-2026-000001,confirm,ş\r\n".encode("cp1254"), "not saved as UTF-8"),
        (b"reference,level\r\nx,y\r\n", "The file has no column “action”."),
        (b"reference,action,colour\r\nx,y,z\r\n", "a column “colour”"),
        (b"reference,action,Reference\r\nx,y,z\r\n", "is named twice"),
        (b"reference,action\r\n", "the column names but no rows"),
        (b'reference,action\r\n"EC-1,confirm\r\n', "could not be read as CSV"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_is_refused_as_a_whole(office_client, content, message):
    response = post_upload(office_client, "confirmations", content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BulkUpload.objects.exists()


def test_size_and_row_limits(office_client, settings):
    settings.UNIVERSITY_BULK_MAX_ROWS = 3
    text = csv_text([{"reference": f"EC-2026-{i:06d}", "action": "confirm"} for i in range(4)])
    response = post_upload(office_client, "confirmations", text)
    assert "more than 3 rows" in response.content.decode()
    settings.UNIVERSITY_BULK_MAX_BYTES = 100
    response = post_upload(office_client, "confirmations", "reference,action\r\n" + "x," * 60)
    assert "larger than 100\xa0bytes" in response.content.decode()
    assert not BulkUpload.objects.exists()


def test_parsing_helpers():
    assert parse_date("2026-09-16") == date(2026, 9, 16)
    assert parse_date("16.09.2026") == date(2026, 9, 16)
    for bad in ("2026-02-30", "09/16/2026", "16.09.26", "", "1900-01-01"):
        with pytest.raises(ValueError, match=r".*"):
            parse_date(bad)
    assert decode("\ufeffa,b".encode()) == "a,b"
    parsed = parse_text("reference\taction\nEC-1\tconfirm\textra\n", kind="confirmations")
    assert parsed.delimiter == "\t"
    assert parsed.rows == [
        {"row": 2, "cells": {"reference": "EC-1", "action": "confirm"}, "extra": True}
    ]
    with pytest.raises(CsvRejected):
        parse_text("nothing useful here\n1\n", kind="reports")


def test_an_extra_cell_is_a_problem_of_its_row(office_client, uni_a):
    (confirmation,) = pending_confirmations(uni_a, 1)
    text = (
        csv_text([confirm_row(confirmation)])
        .replace("\r\n", ",surplus\r\n")
        .replace("reason,surplus", "reason")
    )
    post_upload(office_client, "confirmations", text)
    (result,) = latest_upload().results
    assert result["problems"][0]["message"].startswith("This row has more cells")


# --- ends of studies -------------------------------------------------------------------------

REPORT_COLUMNS = ("reference", "reason", "effective_on")


def test_a_reports_file_opens_end_of_studies_cases(case_at, uni_a, office_a, client_for):
    client = client_for(office_a)
    with at(TODAY):
        graduate = case_at(uni_a, "approved")
        leaver = case_at(uni_a, "approved")
        waiting = case_at(uni_a, "submitted")
        rows = [
            {
                "reference": graduate.reference,
                "reason": "graduation",
                "effective_on": TODAY.strftime("%d.%m.%Y"),
            },
            {
                "reference": leaver.permit.number,
                "reason": "Withdrawal",
                "effective_on": TODAY.isoformat(),
            },
        ]
        bad_rows = [
            *rows,
            {"reference": waiting.reference, "reason": "graduation", "effective_on": "2026-03-01"},
            {"reference": leaver.reference, "reason": "graduation", "effective_on": "2026-03-01"},
            {"reference": "AZTR-2026-999998", "reason": "expelled", "effective_on": "2027-01-01"},
        ]
        post_upload(client, "reports", csv_text(bad_rows, REPORT_COLUMNS))
        upload = latest_upload()
        assert upload.state == BulkState.INVALID
        found = {r["row"]: [p["message"] for p in r["problems"]] for r in upload.results}
        assert found[2] == found[3] == []
        assert found[4] == [
            f"{waiting.reference} has no valid residence permit; an end of studies is reported "
            "while a permit is valid."
        ]
        assert found[5] == ["This student is already in row 3; give each student once."]
        assert found[6] == [
            "AZTR-2026-999998 is not a student of your university.",
            "“expelled” is not what happened: write one of graduation, withdrawal, suspension, "
            "transfer.",
            "The date cannot be in the future.",
        ]
        assert not Report.objects.exists()

        post_upload(client, "reports", csv_text(rows, REPORT_COLUMNS))
        upload = latest_upload()
        assert upload.state == BulkState.VALIDATED
        client.post(reverse("university-bulk-apply", args=[upload.pk]))
        upload.refresh_from_db()
        assert upload.state == BulkState.APPLIED
        reports = Report.objects.order_by("pk")
        assert [(r.type, r.reported_by, r.permit.application_id) for r in reports] == [
            (ReportType.END_OF_STUDIES, office_a, graduate.pk),
            (ReportType.END_OF_STUDIES, office_a, leaver.pk),
        ]
        assert [r.details["reason"] for r in reports] == ["graduation", "withdrawal"]
        assert set(StudyEndReport.objects.values_list("channel", flat=True)) == {Channel.CSV}
        result = result_rows(client.get(reverse("university-bulk-result", args=[upload.pk])))
        assert [row["created_reference"] for row in result] == [r.reference for r in reports]
        assert {row["outcome"] for row in result} == {"end of studies reported"}

        # The same students again: their ends of studies are already being considered.
        post_upload(client, "reports", csv_text(rows, REPORT_COLUMNS))
        again = latest_upload()
        assert again.state == BulkState.INVALID
        assert again.results[0]["problems"][0]["message"].startswith(
            "An end of studies of this student is already being considered"
        )


# --- large files: the background task and its progress ---------------------------------------


def test_a_large_file_is_applied_by_the_task_with_progress(
    office_client, office_a, uni_a, settings, monkeypatch
):
    settings.UNIVERSITY_BULK_ASYNC_ROWS = 5
    confirmations = pending_confirmations(uni_a, 30)
    post_upload(office_client, "confirmations", csv_text([confirm_row(c) for c in confirmations]))
    upload = latest_upload()
    queued = []
    monkeypatch.setattr(
        apply_bulk_upload, "delay", lambda *args: queued.append(args), raising=False
    )

    response = office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    assert response.status_code == 302
    assert queued == [(upload.pk, office_a.pk, "en")]
    upload.refresh_from_db()
    assert upload.state == BulkState.APPLYING
    assert progress_get(upload.pk) == (0, 30)

    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk]))
    assert page["Refresh"] == "3"
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'role="progressbar"' in html
    assert "0 of 30 rows" in html
    assert "Download the result file" not in html
    assert office_client.get(reverse("university-bulk-result", args=[upload.pk])).status_code == 404

    # What the status page shows halfway, read while the task's transaction is still open.
    real_confirm = enrolment.enrolment_confirm
    seen = []

    def confirm_and_look(**kwargs):
        result = real_confirm(**kwargs)
        if len(seen) == 0 and (progress_get(upload.pk) or (0, 0))[0] == 15:
            html = office_client.get(reverse("university-bulk-preview", args=[upload.pk]))
            seen.append(html.content.decode())
        return result

    monkeypatch.setattr(bulk_apply, "enrolment_confirm", confirm_and_look)
    assert apply_bulk_upload(upload.pk, office_a.pk) == BulkState.APPLIED  # the task, run here

    assert seen
    assert "15 of 30 rows (50 %)" in seen[0]
    assert 'aria-valuenow="50"' in seen[0]
    upload.refresh_from_db()
    assert upload.state == BulkState.APPLIED
    assert upload.applied_by == office_a
    assert cache.get(progress_key(upload.pk)) is None  # cleared when done
    assert statuses(confirmations) == {EnrolmentStatus.CONFIRMED: 30}
    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk]))
    assert "Refresh" not in page
    assert "All 30 rows were applied" in page.content.decode()
    # Delivered twice (a lost acknowledgement): the second run changes nothing.
    events = ApplicationEvent.objects.count()
    assert apply_bulk_upload(upload.pk, office_a.pk) == BulkState.APPLIED
    assert ApplicationEvent.objects.count() == events


def test_an_unreachable_worker_leaves_the_file_ready_to_apply(
    office_client, uni_a, settings, monkeypatch
):
    settings.UNIVERSITY_BULK_ASYNC_ROWS = 1
    confirmations = pending_confirmations(uni_a, 2)
    post_upload(office_client, "confirmations", csv_text([confirm_row(c) for c in confirmations]))
    upload = latest_upload()

    def no_broker(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(apply_bulk_upload, "delay", no_broker, raising=False)
    page = office_client.post(reverse("university-bulk-apply", args=[upload.pk]), follow=True)
    assert "background worker cannot be reached" in page.content.decode()
    upload.refresh_from_db()
    assert upload.state == BulkState.VALIDATED


# --- the pages -------------------------------------------------------------------------------


def test_the_upload_page_templates_and_recent_uploads(office_client, uni_a, office_b, client_for):
    page = office_client.get(reverse("university-bulk"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="form-label fw-semibold" for="id_file">' in html
    assert reverse("university-bulk-template", args=["confirmations"]) in html
    assert reverse("university-students-export") in html
    template = office_client.get(reverse("university-bulk-template", args=["confirmations"]))
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode("utf-8") == (
        "\ufeffreference,action,level,field,programme_start,programme_end,reason\r\n"
    )
    semicolon = office_client.get(
        reverse("university-bulk-template", args=["reports"]) + "?sep=semicolon"
    )
    assert semicolon.content.decode("utf-8") == "\ufeffreference;reason;effective_on\r\n"
    assert office_client.get(reverse("university-bulk-template", args=["other"])).status_code == 404

    post_upload(office_client, "reports", "reference,reason,effective_on\r\nx,y,z\r\n", "mine.csv")
    assert "mine.csv" in office_client.get(reverse("university-bulk")).content.decode()
    # Another university's office does not see it.
    assert "mine.csv" not in client_for(office_b).get(reverse("university-bulk")).content.decode()


def test_another_universitys_upload_is_not_found(office_client, uni_a, office_b, client_for):
    confirmations = pending_confirmations(uni_a, 1)
    post_upload(office_client, "confirmations", csv_text([confirm_row(c) for c in confirmations]))
    upload = latest_upload()
    other = client_for(office_b)
    for name in ("university-bulk-preview", "university-bulk-result"):
        assert other.get(reverse(name, args=[upload.pk])).status_code == 404
    assert other.post(reverse("university-bulk-apply", args=[upload.pk])).status_code == 404
    upload.refresh_from_db()
    assert upload.state == BulkState.VALIDATED


def test_only_an_international_office_may_upload(client_for, officer, student):
    for user in (officer, student):
        assert client_for(user).get(reverse("university-bulk")).status_code == 403
    anonymous = client_for(None).get(reverse("university-bulk"))
    assert anonymous.status_code == 302


def test_an_upload_left_applying_by_a_run_that_was_cut_off_is_marked_failed(
    office_client, office_a, uni_a, settings, monkeypatch
):
    settings.UNIVERSITY_BULK_ASYNC_ROWS = 1
    confirmations = pending_confirmations(uni_a, 2)
    post_upload(office_client, "confirmations", csv_text([confirm_row(c) for c in confirmations]))
    upload = latest_upload()
    monkeypatch.setattr(apply_bulk_upload, "delay", lambda *args: None, raising=False)
    office_client.post(reverse("university-bulk-apply", args=[upload.pk]))
    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk]))
    assert "The file is being applied" in page.content.decode()

    BulkUpload.objects.filter(pk=upload.pk).update(
        apply_started_at=timezone.now() - bulk_apply.STALE_AFTER
    )
    page = office_client.get(reverse("university-bulk-preview", args=[upload.pk])).content.decode()
    assert "Applying was interrupted before it finished" in page
    upload.refresh_from_db()
    assert upload.state == BulkState.FAILED
    # The task arriving late does nothing.
    assert apply_bulk_upload(upload.pk, office_a.pk) == BulkState.FAILED
    assert statuses(confirmations) == {EnrolmentStatus.REQUESTED: 2}


@pytest.mark.parametrize("language", ["az", "tr"])
def test_the_pages_render_in_every_language(office_a, uni_a, language):
    client = Client(headers={"accept-language": language})
    client.force_login(office_a)
    confirmations = pending_confirmations(uni_a, 2)
    rows = [confirm_row(confirmations[0]), confirm_row(confirmations[1], level="x")]
    assert client.get(reverse("university-bulk")).status_code == 200
    post_upload(client, "confirmations", csv_text(rows))
    upload = latest_upload()
    assert client.get(reverse("university-bulk-preview", args=[upload.pk])).status_code == 200
    assert client.get(reverse("university-bulk-result", args=[upload.pk])).status_code == 200


def test_the_waiting_confirmations_download_fills_in_and_uploads_back(
    case_at, uni_a, office_a, client
):
    """The office downloads its waiting confirmations with the students' entries, changes
    nothing, and uploads the file back: every one is confirmed."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from applications.models import EnrolmentConfirmation

    from .conftest import TODAY, at

    with at(TODAY):
        cases = [case_at(uni_a) for _ in range(3)]
    client.force_login(office_a)
    response = client.get(
        reverse("university-bulk-template", args=["confirmations"]) + "?pending=1"
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    assert all(case.enrolment.number in text for case in cases)
    upload = client.post(
        reverse("university-bulk"),
        {"kind": "confirmations", "file": SimpleUploadedFile("pending.csv", content, "text/csv")},
    )
    assert upload.status_code == 302
    client.post(upload["Location"] + "apply/")
    confirmed = EnrolmentConfirmation.objects.filter(
        pk__in=[case.enrolment.pk for case in cases], status="confirmed"
    )
    assert confirmed.count() == 3
