"""The CSV export of the officer queue: same rows as the queue, safe in a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from applications import decisions, workflow
from applications.models import Application
from applications.queue import (
    queue_filtered,
    queue_sorted,
)
from applications.queue_export import EXPORT_HEADER
from officers.dashboard_views import csv_safe
from tests.factories import (
    ApplicationFactory,
    OfficerFactory,
    SupervisorFactory,
    UserFactory,
    attach_required_documents,
)
from universities.models import Province, University

# The age counts from the day a case is complete: here, when it is handed in.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("complete_at_hand_in")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 10, 8, 12, 0, tzinfo=ISTANBUL)
URL = "/officers/export.csv"
HEADER = [
    "Reference",
    "Surname",
    "Given names",
    "Level",
    "University",
    "Province",
    "Submitted",
    "Age in days",
    "Status",
    "Assigned officer",
    "Passport too short",
    "Information request overdue",
    "Legal stay exceeded",
    "Passport number (masked)",
    "FIN (masked)",
    "Complete on",
]


@pytest.fixture(autouse=True)
def _no_letters(monkeypatch):
    """Approval renders the decision letter as a PDF: slow, and not what is tested here."""
    monkeypatch.setattr(decisions, "permit_attach_letter", lambda *, permit: None)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def submitted(clock, when: datetime, **fields) -> Application:
    clock.move_to(when)
    application = ApplicationFactory(**fields)
    attach_required_documents(application, on=timezone.localdate())
    workflow.application_submit(
        application_id=application.pk,
        actor=application.applicant,
        expected_version=application.version,
        accept_declaration=True,
    )
    return fresh(application)


def reviewed(application: Application, officer: User) -> Application:
    decisions.application_start_review(
        application_id=application.pk, actor=officer, expected_version=fresh(application).version
    )
    return fresh(application)


@dataclass
class World:
    me: User
    colleague: User
    aliyeva: Application  # submitted, nobody's, passport too short
    mine: Application  # under review, mine
    theirs: Application  # information requested by the colleague, overdue
    approved: Application
    late_entry: Application  # legal stay exceeded; a university whose name looks like a formula
    draft: Application


@pytest.fixture
def world(clock) -> World:
    me, colleague = OfficerFactory(), OfficerFactory()
    aliyeva = submitted(
        clock,
        datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL),
        surname="Əliyeva",
        given_names="Aysel",
        passport_expiry_date=date(2026, 1, 9),
    )
    mine = reviewed(submitted(clock, datetime(2024, 10, 1, 10, 5, tzinfo=ISTANBUL)), me)
    theirs = reviewed(submitted(clock, datetime(2024, 10, 1, 10, 10, tzinfo=ISTANBUL)), colleague)
    decisions.application_request_info(
        application_id=theirs.pk,
        actor=colleague,
        expected_version=theirs.version,
        message="Please upload a clearer photo.",
        document_kinds=["photo"],
        due_date=date(2024, 10, 5),
    )
    approved = reviewed(submitted(clock, datetime(2024, 10, 1, 10, 15, tzinfo=ISTANBUL)), me)
    decisions.application_approve(
        application_id=approved.pk,
        actor=me,
        expected_version=approved.version,
        valid_from=timezone.localdate(),
        valid_to=date(2028, 9, 15),
    )
    formula_university = University.objects.create(
        name='=HYPERLINK("http://example.com/x","Click")',
        kind=University.Kind.STATE,
        province=Province.objects.order_by("code").first(),
    )
    late_entry = submitted(
        clock,
        datetime(2024, 10, 2, 9, 0, tzinfo=ISTANBUL),
        entry_date=date(2024, 6, 1),
        university=formula_university,
        province=formula_university.province,
    )
    draft = ApplicationFactory(surname="Əliyeva")
    clock.move_to(NOW)
    return World(
        me=me,
        colleague=colleague,
        aliyeva=aliyeva,
        mine=fresh(mine),
        theirs=fresh(theirs),
        approved=fresh(approved),
        late_entry=late_entry,
        draft=draft,
    )


def export(client, query: str = "") -> list[list[str]]:
    response = client.get(f"{URL}?{query}" if query else URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return rows


def queue_references(query: str, officer: User) -> list[str]:
    params = QueryDict(query)
    filtered = queue_filtered(params=params, officer=officer)
    return [a.reference for a in queue_sorted(filtered.qs, params.get("sort"))]


# --- the formula guard -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+90 555 000 00 00", "'+90 555 000 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ('=HYPERLINK("http://example.com")', '\'=HYPERLINK("http://example.com")'),
        ("Məmmədova", "Məmmədova"),
        ("AZ-2024-000001", "AZ-2024-000001"),
        ("a=b", "a=b"),
        ("", ""),
        (12, 12),
    ],
)
def test_csv_safe_disarms_formulas(value, expected):
    assert csv_safe(value) == expected


# --- the rows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["aliyeva", "mine", "theirs", "late_entry"]),
        ("status=approved", ["approved"]),
        ("status=approved&status=submitted", ["aliyeva", "approved", "late_entry"]),
        ("q=eliyeva", ["aliyeva"]),
        ("q=%C6%8FL%C4%B0YEVA+aysel", ["aliyeva"]),
        ("assignee=me", ["mine"]),
        ("assignee=me&status=approved", ["approved"]),
        ("assignee=unassigned", ["aliyeva", "late_entry"]),
        ("sort=-submitted", ["late_entry", "theirs", "mine", "aliyeva"]),
        # Not a queue status: the filter is dropped, as in the queue, leaving every non-draft.
        ("status=draft", ["aliyeva", "mine", "theirs", "approved", "late_entry"]),
    ],
)
def test_the_export_lists_what_the_queue_lists(client, world, query, expected):
    client.force_login(world.me)

    rows = export(client, query)

    references = [row[0] for row in rows[1:]]
    assert references == [getattr(world, name).reference for name in expected]
    assert references == queue_references(query, world.me)


def test_header_and_cells(client, world):
    client.force_login(world.me)

    rows = export(client, "status=submitted&status=under_review&status=info_requested")

    assert rows[0] == HEADER
    by_reference = {row[0]: row for row in rows[1:]}
    university = world.aliyeva.university
    assert by_reference[world.aliyeva.reference] == [
        world.aliyeva.reference,
        "Əliyeva",
        "Aysel",
        "Bachelor's (lisans)",
        university.name,
        university.province.name,
        "2024-10-01",
        "7",
        "Submitted",
        "",
        "Yes",
        "No",
        "No",
        world.aliyeva.passport_number_masked,
        world.aliyeva.fin_masked,
        "2024-10-01",
    ]
    mine = by_reference[world.mine.reference]
    assert mine[8:13] == ["Under review", world.me.email, "No", "No", "No"]
    theirs = by_reference[world.theirs.reference]
    assert theirs[8:13] == ["Information requested", world.colleague.email, "No", "Yes", "No"]
    late = by_reference[world.late_entry.reference]
    assert late[4] == '\'=HYPERLINK("http://example.com/x","Click")'
    assert late[6:8] == ["2024-10-02", "6"]
    assert late[12] == "Yes"


def test_passport_numbers_and_fins_are_masked(client, world):
    client.force_login(world.me)

    rows = export(client, "status=submitted&status=under_review&status=approved")

    text = "\n".join(",".join(row) for row in rows)
    by_reference = {row[0]: row for row in rows[1:]}
    for application in (world.aliyeva, world.mine, world.approved, world.late_entry):
        assert application.passport_number not in text
        assert application.fin not in text
        # The last three characters only, enough to tell two applicants apart.
        passport, fin = by_reference[application.reference][-3:-1]
        assert passport == "C•••••" + application.passport_number[-3:]
        assert fin == "••••" + application.fin[-3:]


def test_the_response_streams_an_attachment(client, world, django_assert_num_queries):
    client.force_login(world.me)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="queue-2024-10-08.csv"'
    assert "no-store" in response["Cache-Control"]
    # One query for all the rows, however many: no query per row.
    with django_assert_num_queries(1):
        body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    assert body.count(b"\r\n") == 5  # header and four open applications


def test_the_filename_uses_the_date_in_turkiye(client, world, clock):
    clock.move_to(datetime(2024, 10, 8, 22, 30, tzinfo=ISTANBUL) + timedelta(hours=2))
    client.force_login(world.me)

    response = client.get(URL)

    assert response["Content-Disposition"] == 'attachment; filename="queue-2024-10-09.csv"'


def test_the_header_follows_the_language(client, world):
    client.force_login(world.me)

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="tr")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    # Translated while the request's language is active, although written after the view returns.
    with translation.override("tr"):
        assert rows[0] == [str(title) for title in EXPORT_HEADER]
    assert {row[10] for row in rows[1:]} == {"Evet", "Hayır"}


# --- who may export --------------------------------------------------------------------------


def test_the_url():
    assert reverse("officer-queue-export") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("factory", "status"),
    [(UserFactory, 403), (OfficerFactory, 200), (SupervisorFactory, 200)],
    ids=["student", "officer", "supervisor"],
)
def test_officers_and_supervisors_may_export(client, factory, status):
    client.force_login(factory())

    assert client.get(URL).status_code == status


def test_posting_is_not_allowed(client, officer):
    client.force_login(officer)

    assert client.post(URL).status_code == 405
