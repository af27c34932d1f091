"""Writing rows with PostgreSQL's ``COPY`` (psycopg's ``cursor.copy``), chunk by chunk.

``COPY`` skips ``Model.save()`` and ``bulk_create``: a ``Table`` fills in the field defaults and
prepares the values that need it the way they would; each chunk goes in its own transaction.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from applications.models import ReferenceCounter

# Fields whose Python value psycopg writes as it is; every other field (encrypted text, JSON, any
# field added later) goes through its own get_db_prep_save, as bulk_create would.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.EmailField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.ForeignKey,
    models.OneToOneField,
    models.FileField,
)


class Table:
    """Rows of one model, written with COPY. A row is a dict by attribute name (``user_id``);
    a field missing from it gets the field's default, as ``Model()`` would give it."""

    def __init__(self, model: type[models.Model], *, with_pk: bool) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self._attnames = [f.attname for f in self.fields]
        # Defaults worked out once, except those a callable makes anew for every row.
        self._constant = {
            f.attname: f.get_default()
            for f in self.fields
            if not (f.has_default() and callable(f.default))
        }
        self._per_row = [f for f in self.fields if f.has_default() and callable(f.default)]
        self._prepared = [(i, f) for i, f in enumerate(self.fields) if type(f) not in _PLAIN_FIELDS]

    def add(self, **values: Any) -> None:
        self.rows.append(values)

    def _values(self, row: dict[str, Any]) -> list[Any]:
        full = self._constant | row
        for f in self._per_row:
            if f.attname not in row:
                full[f.attname] = f.get_default()
        values = [full[name] for name in self._attnames]
        for i, f in self._prepared:
            values[i] = f.get_db_prep_save(values[i], connection)
        return values

    def take(self) -> tuple[str, list[list[Any]]] | None:
        """The COPY statement and the rows as database values; the table is empty after it."""
        if not self.rows:
            return None
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        values = [self._values(row) for row in self.rows]
        self.count += len(self.rows)
        self.rows = []
        return sql, values


@dataclass
class Batch:
    """One chunk's rows, and the reference counters as they stand after it."""

    copies: list[tuple[str, list[list[Any]]]]
    counters: dict[int, int]


def write_batch(batch: Batch) -> None:
    """COPY one chunk and move the reference counters past it, in one transaction."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql, rows in batch.copies:
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        for year, number in batch.counters.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last": number})


class Writer:
    """Writes each chunk while the next one is being made.

    Making rows is Python work and ingesting them (indexes, foreign-key checks) is PostgreSQL
    work; in a thread with its own connection the two overlap, which nearly halves the time on
    two cores. Inside a transaction (a test, a caller's ``atomic``) the chunks are written in
    line instead, on the caller's connection: another connection could neither see the caller's
    uncommitted rows nor be rolled back with them.
    """

    def __init__(self, *, threaded: bool) -> None:
        self.error: BaseException | None = None
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, daemon=True) if threaded else None
        if self.thread is not None:
            self.thread.start()

    def put(self, batch: Batch) -> None:
        if self.thread is None:
            write_batch(batch)
            return
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        write_batch(batch)
                    except BaseException as exc:  # handed to the main thread
                        self.error = exc
        finally:
            connection.close()


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys from the table's own sequence (race-free, as inserts would be)."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]
