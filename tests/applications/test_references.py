"""Application references ``AZTR-<year>-<6 digits>``: readable, sequential per year, race-free."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from applications.models import ReferenceCounter
from applications.references import (
    MAX_PER_YEAR,
    REFERENCE_RE,
    ReferencesExhausted,
    format_reference,
    reference_allocate,
)


class Rollback(Exception):
    pass


def number_of(reference: str) -> int:
    match = REFERENCE_RE.match(reference)
    assert match, reference
    return int(match["number"])


def test_format():
    assert format_reference(year=2024, number=1) == "AZTR-2024-000001"
    assert format_reference(year=2024, number=123_456) == "AZTR-2024-123456"
    assert REFERENCE_RE.match("AZTR-2024-000001")
    assert not REFERENCE_RE.match("AZTR-2024-1")


@pytest.mark.django_db
def test_sequential_within_a_year_and_restarting_each_year():
    first = [reference_allocate(year=2031) for _ in range(3)]
    next_year = reference_allocate(year=2032)
    back = reference_allocate(year=2031)

    assert first == ["AZTR-2031-000001", "AZTR-2031-000002", "AZTR-2031-000003"]
    assert next_year == "AZTR-2032-000001"
    assert back == "AZTR-2031-000004"


def allocate_in_failing_submission(*, year: int) -> None:
    """A submission that gets its reference, then fails later in the same transaction."""
    with transaction.atomic():
        raise Rollback(reference_allocate(year=year))


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    assert reference_allocate(year=2033) == "AZTR-2033-000001"

    with pytest.raises(Rollback) as excinfo:
        allocate_in_failing_submission(year=2033)
    assert excinfo.value.args == ("AZTR-2033-000002",)

    assert reference_allocate(year=2033) == "AZTR-2033-000002"


@pytest.mark.django_db
def test_a_rolled_back_first_reference_of_a_year_leaves_no_counter():
    with pytest.raises(Rollback):
        allocate_in_failing_submission(year=2034)

    assert not ReferenceCounter.objects.filter(year=2034).exists()
    assert reference_allocate(year=2034) == "AZTR-2034-000001"


@pytest.mark.django_db
def test_a_full_year_refuses_instead_of_overflowing_the_format():
    ReferenceCounter.objects.create(year=2035, last=MAX_PER_YEAR - 1)

    assert reference_allocate(year=2035) == "AZTR-2035-999999"
    with pytest.raises(ReferencesExhausted):
        reference_allocate(year=2035)


def allocate_concurrently(*, year: int, threads: int) -> list[str]:
    """Each thread allocates in its own transaction on its own connection, all at once."""
    barrier = threading.Barrier(threads)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                reference = reference_allocate(year=year)
                # Hold the transaction open a moment so the others really queue behind it.
                time.sleep(0.02)
            with lock:
                results.append(reference)
        except BaseException as exc:  # reported to the main thread below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in pool)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("existing", [0, 41], ids=["first-of-the-year", "counter-exists"])
def test_concurrent_allocations_get_distinct_consecutive_numbers(existing):
    if existing:
        ReferenceCounter.objects.create(year=2036, last=existing)

    references = allocate_concurrently(year=2036, threads=8)

    assert len(references) == 8
    numbers = sorted(number_of(reference) for reference in references)
    assert numbers == list(range(existing + 1, existing + 9))
    assert all(reference.startswith("AZTR-2036-") for reference in references)
    assert ReferenceCounter.objects.get(year=2036).last == existing + 8
