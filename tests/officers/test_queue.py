"""The officer queue at /officers/: what it lists, how it filters, searches, sorts and flags."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application, InfoRequest, Status
from rules.models import Level
from tests.factories import ApplicationFactory, OfficerFactory
from universities.models import University

# The age counts from the day a case is complete: here, when it is handed in.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("complete_at_hand_in")]

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2024, 10, 1, 10, 0, tzinfo=ISTANBUL)
QUEUE = "/officers/"


@pytest.fixture(autouse=True)
def clock():
    """The factories' worked example is evaluated on 2024-10-01; time stands still."""
    with time_machine.travel(NOW, tick=False) as traveller, translation.override("en"):
        yield traveller


@pytest.fixture
def queue(officer, client_for):
    """GET the queue as ``officer`` with the given query parameters.

    Signed in afresh each time: tests move the clock further than a session lives.
    """

    def get(params=None):
        response = client_for(officer).get(QUEUE, params or {})
        assert response.status_code == 200
        return response

    return get


def listed(response) -> list[int]:
    return [row.application.pk for row in response.context["rows"]]


def row_html(response, application: Application) -> str:
    """The table row of ``application`` in the page."""
    html = response.content.decode()
    link = f'href="{reverse("officer-review", args=[application.pk])}"'
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S) if link in row]
    assert len(rows) == 1, f"{application.reference} listed {len(rows)} times"
    return rows[0]


def at(moment: datetime, clock) -> None:
    clock.move_to(moment)


def test_the_queue_url_is_officers():
    assert reverse("officer-queue") == QUEUE


# --- what is listed by default ---------------------------------------------------------------


def test_default_lists_only_open_work_and_never_drafts(application_in, queue):
    apps = {status: application_in(status) for status in Status}

    response = queue()

    open_ = {Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED}
    assert set(listed(response)) == {apps[s].pk for s in open_}
    html = response.content.decode()
    for status in open_:
        assert apps[status].reference in html
    for status in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        assert apps[status].reference not in html
    assert f"/officers/applications/{apps[Status.DRAFT].pk}/" not in html


def test_drafts_cannot_be_asked_for(application_in, queue):
    draft = application_in(Status.DRAFT, surname="Qasimov")
    submitted = application_in(Status.SUBMITTED)

    by_status = queue({"status": "draft"})
    by_name = queue({"q": "qasimov", "status": list(Status.values)})

    assert draft.pk not in listed(by_status)
    assert submitted.pk in listed(by_status)  # an unknown status is ignored, not obeyed
    assert listed(by_name) == []


# --- filters -----------------------------------------------------------------------------------


def test_status_filter_takes_several_statuses(application_in, queue):
    officer = OfficerFactory()
    submitted = application_in(Status.SUBMITTED)
    under_review = application_in(Status.UNDER_REVIEW, officer=officer)
    info = application_in(Status.INFO_REQUESTED, officer=officer)
    rejected = application_in(Status.REJECTED, officer=officer)
    withdrawn = application_in(Status.WITHDRAWN)

    assert listed(queue({"status": ["submitted"]})) == [submitted.pk]
    assert set(listed(queue({"status": ["under_review", "info_requested"]}))) == {
        under_review.pk,
        info.pk,
    }
    assert set(listed(queue({"status": ["rejected", "withdrawn", "submitted"]}))) == {
        rejected.pk,
        withdrawn.pk,
        submitted.pk,
    }


def test_level_filter(application_in, queue):
    bachelor = application_in(level=Level.BACHELOR)
    master = application_in(level=Level.MASTER)

    assert listed(queue({"level": "master"})) == [master.pk]
    assert listed(queue({"level": "bachelor"})) == [bachelor.pk]


def test_university_and_province_filters(application_in, queue):
    first = University.objects.order_by("name").first()
    second = University.objects.exclude(province=first.province).order_by("name").first()
    in_first = application_in(university=first, province=first.province)
    in_second = application_in(university=second, province=second.province)
    # Studies in one province, lives in another: the address province is what is filtered.
    commuter = application_in(university=first, province=second.province)

    assert set(listed(queue({"university": first.pk}))) == {in_first.pk, commuter.pk}
    assert listed(queue({"university": second.pk})) == [in_second.pk]
    assert listed(queue({"province": first.province_id})) == [in_first.pk]
    assert set(listed(queue({"province": second.province_id}))) == {in_second.pk, commuter.pk}


def test_assignee_me_and_unassigned(application_in, officer, queue):
    mine = application_in(Status.UNDER_REVIEW, officer=officer)
    someone_elses = application_in(Status.UNDER_REVIEW, officer=OfficerFactory())
    waiting = application_in(Status.SUBMITTED)

    assert listed(queue({"assignee": "me"})) == [mine.pk]
    assert listed(queue({"assignee": "unassigned"})) == [waiting.pk]
    assert set(listed(queue())) == {mine.pk, someone_elses.pk, waiting.pk}


def test_overdue_is_past_the_internal_target(application_in, queue, clock, settings):
    assert settings.OFFICER_SLA_TARGET_DAYS == 30
    old = application_in()
    at(NOW + timedelta(days=25), clock)
    recent = application_in()
    at(NOW + timedelta(days=31), clock)

    assert listed(queue({"overdue": "true"})) == [old.pk]
    assert listed(queue({"overdue": "false"})) == [recent.pk]
    assert set(listed(queue())) == {old.pk, recent.pk}


def test_overdue_follows_the_setting(application_in, queue, clock, settings):
    settings.OFFICER_SLA_TARGET_DAYS = 10
    old = application_in()
    at(NOW + timedelta(days=11), clock)

    assert listed(queue({"overdue": "true"})) == [old.pk]


def test_submitted_from_and_to_are_inclusive_days_in_turkish_time(application_in, queue, clock):
    first = application_in()  # 2024-10-01 10:00
    # Half past midnight in Istanbul is still the previous day in UTC: it counts as 10 October.
    at(datetime(2024, 10, 10, 0, 30, tzinfo=ISTANBUL), clock)
    tenth = application_in()
    at(datetime(2024, 10, 20, 23, 30, tzinfo=ISTANBUL), clock)
    twentieth = application_in()

    assert set(listed(queue({"submitted_from": "2024-10-10"}))) == {tenth.pk, twentieth.pk}
    assert set(listed(queue({"submitted_to": "2024-10-10"}))) == {first.pk, tenth.pk}
    assert listed(queue({"submitted_from": "2024-10-10", "submitted_to": "2024-10-10"})) == [
        tenth.pk
    ]
    assert listed(queue({"submitted_from": "2024-10-21"})) == []
    assert listed(queue({"submitted_to": "2024-09-30"})) == []


def test_every_filter_lives_in_the_query_string(application_in, officer, client_for):
    """A filtered view can be bookmarked: the same URL in another session shows the same."""
    university = University.objects.order_by("name").first()
    match = application_in(Status.UNDER_REVIEW, officer=officer, surname="Çelik")
    application_in(Status.UNDER_REVIEW, officer=officer, surname="Babayev")
    params = {
        "q": "celik",
        "status": ["under_review", "info_requested"],
        "level": "bachelor",
        "university": university.pk,
        "province": university.province_id,
        "assignee": "me",
        "overdue": "false",
        "submitted_from": "2024-10-01",
        "submitted_to": "2024-10-01",
        "sort": "-submitted",
    }

    response = client_for(officer).get(QUEUE, params)
    bookmarked = client_for(officer).get(response.wsgi_request.get_full_path())

    assert listed(response) == listed(bookmarked) == [match.pk]
    form = response.context["filter"].form
    assert form.is_bound
    assert form["q"].value() == "celik"
    assert form["status"].value() == ["under_review", "info_requested"]
    query = response.context["query"]
    for fragment in ("q=celik", "status=under_review", "status=info_requested", "level=bachelor"):
        assert fragment in query
    assert "sort=-submitted" in query
    html = response.content.decode()
    assert 'value="celik"' in html
    # The CSV export link carries the same filters.
    assert f"{reverse('officer-queue-export')}?{query.replace('&', '&amp;')}" in html


# --- search ------------------------------------------------------------------------------------


@pytest.fixture
def people(application_in):
    return {
        "ismayilov": application_in(surname="İsmayılov", given_names="Rəşad"),
        "celik": application_in(surname="Çelik", given_names="Ayşe"),
        "quliyeva": application_in(surname="Quliyeva", given_names="Nərmin"),
        "other": application_in(surname="Həsənov", given_names="Orxan"),
    }


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ismayilov", {"ismayilov"}),
        ("İSMAYILOV", {"ismayilov"}),
        ("İsmayılov", {"ismayilov"}),
        ("CELIK", {"celik"}),
        ("çelik", {"celik"}),
        ("celik ay", {"celik"}),  # every word must match somewhere
        ("  AYŞE   çelik ", {"celik"}),
        ("guliyeva", set()),  # Q is not G: spellings are not guessed
        ("quliyeva", {"quliyeva"}),
        ("rəşad", {"ismayilov"}),
        ("hesenov", {"other"}),
        ("celik orxan", set()),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_search_by_name_is_letter_blind(people, queue, term, expected):
    assert set(listed(queue({"q": term}))) == {people[key].pk for key in expected}


def test_search_by_reference_passport_and_fin(people, queue):
    target = people["celik"]
    others = {a.pk for a in people.values()} - {target.pk}
    assert target.reference
    assert target.passport_number
    assert target.fin not in {a.fin for a in people.values() if a.pk != target.pk}

    spaced_passport = f"{target.passport_number[:3]} {target.passport_number[3:]}"
    for term in (
        target.reference,
        target.reference.lower(),
        target.reference[len("AZTR-") :],
        # Passport numbers and FINs are encrypted: found whole, blind to case and spaces.
        target.passport_number,
        target.passport_number.lower(),
        f"  {spaced_passport}  ",
        target.fin,
        target.fin.lower(),
    ):
        found = set(listed(queue({"q": term})))
        assert target.pk in found, term
        assert not found & others, term


def test_passport_numbers_and_fins_are_found_only_whole(people, queue):
    """No part of an encrypted identifier can be searched: only its keyed hash is comparable."""
    target = people["celik"]
    for term in (
        target.passport_number[:-1],
        target.passport_number[1:],
        target.passport_number + "0",
        target.fin[:4],
        target.fin[2:],
        f"{target.passport_number} celik",  # one word is a passport number, not a name
    ):
        assert listed(queue({"q": term})) == [], term


def test_one_search_box_for_both_identifiers(application_in, queue):
    """Each field is hashed under its own label; the box tries the term as either of them."""
    first = application_in(passport_number="5ABCD7K12", fin="5ABCD7K")
    second = application_in(passport_number="C00000777", fin="6XYZ12P")

    assert listed(queue({"q": "5abcd7k"})) == [first.pk]
    assert listed(queue({"q": "c00000777"})) == [second.pk]
    assert listed(queue({"q": "5ABCD7K1"})) == []


def test_the_queue_shows_identifiers_masked(people, queue):
    response = queue()
    for application in people.values():
        row = row_html(response, application)
        assert application.passport_number not in row
        assert application.fin not in row
        assert application.passport_number_masked in row
        assert application.fin_masked in row
        assert application.passport_number_masked.endswith(application.passport_number[-3:])


def test_an_empty_search_lists_everything(people, queue):
    assert set(listed(queue({"q": "   "}))) == {a.pk for a in people.values()}


# --- counts, sorting, pages -------------------------------------------------------------------


def count_badges(response) -> dict[str, int]:
    html = response.content.decode()
    found = re.findall(
        r'<a class="nav-link" href="\?(?:[^"]*&amp;)?status=(\w+)">[^<]*'
        r'<span class="badge[^"]*">(\d+)</span>',
        html,
    )
    return {status: int(n) for status, n in found}


def test_counts_per_status_are_shown_and_ignore_the_status_filter(application_in, queue):
    officer = OfficerFactory()
    for _ in range(2):
        application_in(Status.SUBMITTED)
    application_in(Status.UNDER_REVIEW, officer=officer)
    application_in(Status.INFO_REQUESTED, officer=officer)
    application_in(Status.REJECTED, officer=officer)
    application_in(Status.DRAFT)
    application_in(Status.SUBMITTED, level=Level.MASTER)

    expected = {
        "submitted": 3,
        "under_review": 1,
        "info_requested": 1,
        "approved": 0,
        "rejected": 1,
        "withdrawn": 0,
    }
    assert count_badges(queue()) == expected
    assert count_badges(queue({"status": ["rejected"]})) == expected
    assert {s: n for s, _label, n in queue().context["counts"]} == expected
    # The other filters do apply to the counts.
    assert count_badges(queue({"level": "master"}))["submitted"] == 1
    assert "draft" not in count_badges(queue())
    # A status tab keeps the other filters.
    assert (
        'href="?level=master&amp;status=submitted"' in queue({"level": "master"}).content.decode()
    )


@pytest.fixture
def three_in_a_row(application_in, clock):
    babayev = application_in(surname="Babayev")
    at(NOW + timedelta(hours=1), clock)
    abbasov = application_in(surname="Abbasov")
    at(NOW + timedelta(hours=2), clock)
    cafarov = application_in(surname="Cafarov")
    return babayev, abbasov, cafarov


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, (0, 1, 2)),
        ("submitted", (0, 1, 2)),
        ("-submitted", (2, 1, 0)),
        ("name", (1, 0, 2)),
        ("-name", (2, 0, 1)),
        ("nonsense", (0, 1, 2)),
    ],
    ids=["default", "submitted", "-submitted", "name", "-name", "unknown"],
)
def test_sorting(three_in_a_row, queue, sort, order):
    response = queue({"sort": sort} if sort else {})

    assert listed(response) == [three_in_a_row[i].pk for i in order]


def test_sort_links_keep_the_filters(three_in_a_row, queue):
    html = queue({"level": "bachelor", "sort": "name"}).content.decode()

    assert "?level=bachelor&amp;sort=-name" in html  # clicking the sorted column reverses it
    assert "?level=bachelor&amp;sort=-submitted" not in html
    assert "?level=bachelor&amp;sort=submitted" in html


def submitted_quickly(count: int) -> list[Application]:
    """Many submitted applications without the workflow: only the page size is under test."""
    made = []
    for n in range(count):
        application = ApplicationFactory()
        Application.objects.filter(pk=application.pk).update(
            status=Status.SUBMITTED,
            reference=f"AZTR-2024-{900_000 + n:06d}",
            submitted_at=timezone.now() - timedelta(minutes=count - n),
        )
        made.append(application)
    return made


def test_fifty_per_page(queue):
    made = submitted_quickly(55)

    first = queue()
    second = queue({"page": 2})

    assert listed(first) == [a.pk for a in made[:50]]
    assert listed(second) == [a.pk for a in made[50:]]
    assert first.context["page"].paginator.num_pages == 2
    html = first.content.decode()
    assert "55 applications" in html
    assert "Page 1 of 2" in html
    assert "page=2" in html
    assert "Page 2 of 2" in second.content.decode()


def test_pages_keep_the_filters(queue):
    submitted_quickly(55)

    response = queue({"status": "submitted", "sort": "-submitted"})

    assert "?status=submitted&amp;sort=-submitted&amp;page=2" in response.content.decode()


# --- flags and SLA badges ---------------------------------------------------------------------


def test_passport_too_short_flag(application_in, queue):
    short = application_in(passport_expiry_date=date(2028, 10, 1))
    fine = application_in()
    assert short.eligibility_outcome["passport_ok"] is False

    response = queue()

    rows = {row.application.pk: row for row in response.context["rows"]}
    assert rows[short.pk].passport_too_short
    assert not rows[fine.pk].passport_too_short
    assert "passport too short" in row_html(response, short)
    assert "passport too short" not in row_html(response, fine)


def test_legal_stay_exceeded_flag(application_in, queue):
    late = application_in(entry_date=date(2024, 6, 1))
    fine = application_in()

    response = queue()

    assert "legal stay exceeded" in row_html(response, late)
    assert "legal stay exceeded" not in row_html(response, fine)


def test_information_overdue_flag(application_in, queue, clock):
    officer = OfficerFactory()
    waiting = application_in(Status.INFO_REQUESTED, officer=officer)
    request = InfoRequest.objects.get(application=waiting)
    assert request.due_date == date(2024, 10, 31)

    assert "information overdue" not in row_html(queue(), waiting)
    at(datetime(2024, 10, 31, 23, 0, tzinfo=ISTANBUL), clock)
    assert "information overdue" not in row_html(queue(), waiting)  # due today: not yet
    at(datetime(2024, 11, 1, 9, 0, tzinfo=ISTANBUL), clock)
    response = queue()
    assert "information overdue" in row_html(response, waiting)

    # An answered request is not overdue.
    InfoRequest.objects.filter(pk=request.pk).update(state=InfoRequest.State.ANSWERED)
    assert "information overdue" not in row_html(queue(), waiting)


@pytest.mark.parametrize(
    ("days", "sla", "badge"),
    [
        (0, "ok", None),
        (30, "ok", None),
        (31, "target", "past target"),
        (90, "target", "past target"),
        (91, "legal", "past legal limit"),
    ],
)
def test_sla_badges(application_in, queue, clock, days, sla, badge):
    application = application_in()
    at(NOW + timedelta(days=days), clock)

    response = queue()

    (row,) = response.context["rows"]
    assert (row.age_days, row.sla) == (days, sla)
    html = row_html(response, application)
    for text in ("past target", "past legal limit"):
        assert (text in html) == (text == badge)


def test_decided_applications_have_no_sla_badge(application_in, queue, clock):
    rejected = application_in(Status.REJECTED)
    at(NOW + timedelta(days=120), clock)

    response = queue({"status": "rejected"})

    (row,) = response.context["rows"]
    assert row.sla == "done"
    assert "past" not in row_html(response, rejected)


def test_the_badge_legend_states_the_targets(queue, settings):
    settings.OFFICER_SLA_TARGET_DAYS = 21

    html = queue().content.decode()

    assert "Past 21 days is past the internal target" in html
    assert "past 90 days is past the legal limit" in html
    assert "until then it is waiting for the visit" in html
