"""No double booking under concurrency: 100 students race, each on its own connection to
PostgreSQL, for the last place of a slot; exactly one gets it, the 99 others a clear refusal.

The server's ``max_connections`` (100 by default, shared with whatever else runs) may be less
than the 100 connections plus this test's own: the racers then hold at most as many at once as
the server has free (a semaphore), and the others join as places free up; every one of the 100
still runs the booking service on a connection of its own.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from applications.models import Status
from appointments import services
from appointments.models import Appointment, AppointmentStatus
from tests.factories import ApplicationFactory

from .conftest import WEDNESDAY, at

RACERS = 100
SLOT = at(WEDNESDAY, 10)


def _free_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        )
        (free,) = cursor.fetchone()
    return int(free)


def _connect_with_patience() -> None:
    # Another process may take a connection between the count and ours: wait and try again.
    for attempt in range(50):
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            connection.close()
            time.sleep(0.05 * (attempt + 1))
    connection.ensure_connection()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hundred_students_racing_for_the_last_place_make_one_booking(case, clock):
    first = case()
    services.appointment_book(
        application_id=first.pk, actor=first.applicant, starts_at=SLOT
    )  # desk 1 of 2: one place left
    racers = [
        ApplicationFactory(
            status=Status.SUBMITTED,
            reference=f"AZTR-2026-{900000 + n:06d}",
            submitted_at=first.submitted_at,
            university=first.university,
            province=first.province,
        )
        for n in range(RACERS)
    ]
    at_once = max(10, min(RACERS, _free_connections() - 10))
    gate = threading.Semaphore(at_once)
    go = threading.Event()
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def race(application) -> None:
        with gate:
            try:
                _connect_with_patience()
                go.wait(timeout=60)
                try:
                    appointment = services.appointment_book(
                        application_id=application.pk,
                        actor=application.applicant,
                        starts_at=SLOT,
                    )
                except services.SlotFull as exc:
                    outcome = (application.pk, f"refused: {exc.message}")
                else:
                    outcome = (application.pk, f"booked desk {appointment.desk}")
                with lock:
                    results.append(outcome)
            except BaseException as exc:
                with lock:
                    errors.append(exc)
            finally:
                connection.close()

    threads = [threading.Thread(target=race, args=(application,)) for application in racers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started

    assert not errors, errors[:3]
    assert not any(thread.is_alive() for thread in threads)
    booked = [outcome for outcome in results if outcome[1].startswith("booked")]
    refused = [outcome for outcome in results if outcome[1].startswith("refused")]
    assert len(results) == RACERS
    assert [outcome for _pk, outcome in booked] == ["booked desk 2"]
    assert len(refused) == RACERS - 1
    # The threads speak the portal's default language; every refusal is the same sentence.
    assert len({outcome for _pk, outcome in refused}) == 1
    assert "10:00" in refused[0][1]
    assert "2026-12-09" in refused[0][1]
    held = Appointment.objects.filter(starts_at=SLOT, status=AppointmentStatus.BOOKED)
    assert sorted(held.values_list("desk", flat=True)) == [1, 2]
    assert held.get(desk=2).application_id == booked[0][0]
    print(f"\n{RACERS} racers, at most {at_once} connections at once, {elapsed:.2f} s")
