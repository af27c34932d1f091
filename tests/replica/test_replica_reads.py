"""The supervisor dashboard, the queue's CSV export and the data export read from the replica.

Against a real streaming replica of the test cluster (``streaming_replica`` in conftest.py:
it may append a replication line to the primary's pg_hba.conf, see there). The proof: with
the replica's replay paused, the primary moves on; the routed pages still show the replica's
older state while a page that is not routed (the queue) shows the new one, and once replay
resumes the routed pages catch up.

Transactional: the replica sees only committed rows.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from applications import decisions
from applications.models import Application, Status
from tests.factories import SupervisorFactory

pytestmark = [
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
    pytest.mark.usefixtures("complete_at_hand_in"),
]


def _dashboard_counts(client) -> dict[str, int]:
    response = client.get(reverse("supervisor-dashboard"))
    assert response.status_code == 200
    return {row.status: row.count for row in response.context["summary"].statuses}


def _export_statuses(client) -> dict[str, str]:
    """Reference -> status, as the queue's CSV export lists them."""
    response = client.get(reverse("officer-queue-export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["Reference"]: row["Status"] for row in csv.DictReader(io.StringIO(body))}


def _exported_statuses(client) -> list[str]:
    """The statuses of the student's applications in their data export."""
    response = client.get(reverse("data-export"))
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    return [entry["status"] for entry in data["applications"]]


def test_the_routed_pages_read_the_replica_and_the_others_the_primary(
    replica_alias, streaming_replica, application_in, officer, client_for
):
    first = application_in(Status.SUBMITTED)
    supervisor = client_for(SupervisorFactory())
    student = client_for(first.applicant)
    streaming_replica.catch_up()
    streaming_replica.pause()
    try:
        # On the primary only, from here: a second case, and the first one taken up.
        second = application_in(Status.SUBMITTED)
        decisions.application_start_review(
            application_id=first.pk,
            actor=officer,
            expected_version=Application.objects.get(pk=first.pk).version,
        )

        counts = _dashboard_counts(supervisor)
        assert counts[Status.SUBMITTED] == 1
        assert counts[Status.UNDER_REVIEW] == 0
        assert _export_statuses(supervisor) == {first.reference: "Submitted"}
        assert _exported_statuses(student) == [Status.SUBMITTED]

        # Not routed: the queue itself reads the primary.
        queue = supervisor.get(reverse("officer-queue")).content.decode()
        assert first.reference in queue
        assert second.reference in queue
    finally:
        streaming_replica.resume()

    streaming_replica.catch_up()
    counts = _dashboard_counts(supervisor)
    assert counts[Status.SUBMITTED] == 1
    assert counts[Status.UNDER_REVIEW] == 1
    assert _export_statuses(supervisor) == {
        first.reference: "Under review",
        second.reference: "Submitted",
    }
    assert _exported_statuses(student) == [Status.UNDER_REVIEW]


def test_a_write_inside_a_routed_block_lands_on_the_primary(replica_alias, streaming_replica):
    from django.db import connections

    from accounts.models import User
    from core.replica import replica_reads

    with replica_reads():
        user = User.objects.create(email="written-in-the-block@example.org")
    assert User.objects.using("default").filter(pk=user.pk).exists()
    streaming_replica.catch_up()
    with replica_reads():
        assert User.objects.filter(pk=user.pk).exists()
    assert connections[replica_alias].settings_dict["PORT"] == str(streaming_replica.port)
