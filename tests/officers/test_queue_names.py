"""The application list names each row's university, province and officer from cached maps
(``applications.queue.page_names``) rather than joins: the names must be the rows' own, also
for a university added where no signal told the cache, and a renamed one at once."""

from __future__ import annotations

import re

import pytest

from universities.choices import university_choices
from universities.models import Province, University

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("complete_at_hand_in")]

QUEUE = "/officers/"


def row_of(response, reference: str) -> str:
    html = response.content.decode()
    [row] = [tr for tr in re.findall(r"<tr>.*?</tr>", html, re.S) if reference in tr]
    return row


def test_each_row_names_its_university_province_and_officer(application_in, officer, client_for):
    assigned = application_in("under_review", officer=officer)
    waiting = application_in("submitted")

    response = client_for(officer).get(QUEUE)

    row = row_of(response, assigned.reference)
    assert f"<td>{assigned.university.name}</td>" in row
    assert f"<td>{assigned.province.name}</td>" in row
    assert officer.email in row
    assert "unassigned" in row_of(response, waiting.reference)


def test_a_university_the_cache_never_heard_of_is_still_named(application_in, officer, client_for):
    university_choices()  # cached before the new university exists
    province = Province.objects.order_by("pk").first()
    # Written without a signal, as an import by raw SQL would: the cached list lacks it.
    [added] = University.objects.bulk_create(
        [University(name="Yeni Kurulan Üniversitesi", province=province)]
    )
    assert added.pk not in dict(university_choices())
    application = application_in("submitted", university=added, province=province)

    row = row_of(client_for(officer).get(QUEUE), application.reference)

    assert "<td>Yeni Kurulan Üniversitesi</td>" in row


def test_a_renamed_university_shows_its_new_name(application_in, officer, client_for):
    application = application_in("submitted")
    client = client_for(officer)
    client.get(QUEUE)  # the names are cached now
    university = application.university
    university.name = "Adı Değişen Üniversite"
    university.save()

    row = row_of(client.get(QUEUE), application.reference)

    assert "<td>Adı Değişen Üniversite</td>" in row


def test_the_names_cost_no_join(application_in, officer, client_for, django_assert_max_num_queries):
    application_in("under_review", officer=officer)
    client = client_for(officer)
    client.get(QUEUE)
    with django_assert_max_num_queries(12) as captured:
        client.get(QUEUE)
    listed = [
        q["sql"]
        for q in captured.captured_queries
        if '"applications_application"."reference"' in q["sql"]
    ]
    assert listed
    assert all("JOIN" not in sql for sql in listed)
