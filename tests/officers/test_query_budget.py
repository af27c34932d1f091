"""The busiest pages use a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Status

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_costs_the_same_for_3_or_12_rows(application_in, officer, client_for):
    client = client_for(officer)
    for _ in range(3):
        application_in(Status.SUBMITTED)
    few = queries_for(client, reverse("officer-queue"))
    for _ in range(9):
        application_in(Status.UNDER_REVIEW, officer=officer)
    many = queries_for(client, reverse("officer-queue"))
    assert many == few
    assert many <= 12


def test_the_review_page_costs_the_same_with_more_history(application_in, officer, client_for):
    client = client_for(officer)
    application = application_in(Status.UNDER_REVIEW, officer=officer)
    url = reverse("officer-review", args=[application.pk])
    before = queries_for(client, url)
    for _ in range(5):
        client.post(
            reverse("officer-add-note", args=[application.pk]), {"body": "checked the passport"}
        )
    after = queries_for(client, url)
    assert after == before
    # With the bell, the delivery log and the access record; the policy versions are cached.
    assert after <= 12


def test_the_student_dashboard_is_cheap(application_in, client_for):
    application = application_in(Status.SUBMITTED)
    client = client_for(application.applicant)
    assert queries_for(client, reverse("dashboard")) <= 12
