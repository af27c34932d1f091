"""Faults: the database connection dropping mid-request, two officers deciding at once.

(The broker being unreachable and a send task running twice are tested with the real broker,
worker and SMTP sink in tests/notifications/test_worker_and_smtp.py.)
"""

import threading
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from applications import decisions, workflow
from applications.models import Application, ApplicationEvent, ReferenceCounter, Status
from applications.references import reference_allocate
from notifications.models import Notification
from permits.models import Permit
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_dropped_database_connection_mid_submission_saves_nothing(application_in):
    draft = application_in(Status.DRAFT)
    counters_before = list(ReferenceCounter.objects.values_list("year", "last"))
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(draft.applicant)

    def drop_then_allocate(*, year):
        # The server ends this session in the middle of the submission's transaction, after
        # the application row was locked and before the reference and status are written.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return reference_allocate(year=year)

    with mock.patch("applications.workflow.reference_allocate", side_effect=drop_then_allocate):
        response = client.post(
            reverse("application-review", args=[draft.pk]),
            {"version": draft.version, "declaration": "on"},
        )

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Nothing was saved from it" in response.text
    connection.close()  # the test's own connection was the one dropped
    after = Application.objects.get(pk=draft.pk)
    assert after.status == Status.DRAFT
    assert after.reference is None
    assert after.version == draft.version
    assert not after.events.filter(kind=ApplicationEvent.Kind.STATUS_CHANGED).exists()
    assert not Notification.objects.filter(application=draft).exists()
    assert list(ReferenceCounter.objects.values_list("year", "last")) == counters_before

    # The student simply tries again, and it works.
    client = Client(headers={"accept-language": "en"})
    client.force_login(draft.applicant)
    client.post(
        reverse("application-review", args=[draft.pk]),
        {"version": draft.version, "declaration": "on"},
    )
    assert Application.objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_an_approval_and_a_refusal_at_once_one_wins(application_in):
    approver, refuser = OfficerFactory(), OfficerFactory()
    application = application_in(Status.UNDER_REVIEW, officer=approver)
    seen = application.version
    earliest, latest = decisions.permit_bounds(application, on=application.evaluated_on)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name: str, action) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[name] = action()
        except BaseException as exc:  # the loser's error, checked below
            outcomes[name] = exc
        finally:
            connection.close()

    actions = {
        "approve": lambda: decisions.application_approve(
            application_id=application.pk,
            actor=approver,
            expected_version=seen,
            valid_from=earliest,
            valid_to=latest,
        ),
        "reject": lambda: decisions.application_reject(
            application_id=application.pk,
            actor=refuser,
            expected_version=seen,
            reason_codes=["conditions_not_met"],
            explanation="Not met.",
        ),
    }
    threads = [threading.Thread(target=decide, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    errors = [o for o in outcomes.values() if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], workflow.StaleVersion)
    after = Application.objects.get(pk=application.pk)
    assert after.version == seen + 1
    decided = after.events.filter(
        kind=ApplicationEvent.Kind.STATUS_CHANGED, from_status=Status.UNDER_REVIEW
    )
    assert decided.count() == 1
    assert after.status == decided.get().to_status
    assert Permit.objects.filter(application=after).exists() == (after.status == Status.APPROVED)
