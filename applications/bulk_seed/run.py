"""A whole run: the planned applications, chunk by chunk, through the writer; then statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from .chunk import add_chunk_rows, make_tables
from .context import SeedContext
from .copy_writer import Batch, Table, Writer

if TYPE_CHECKING:
    from tqdm import tqdm


def write_applications(
    ctx: SeedContext, plan: list[str], *, chunk: int, progress: tqdm
) -> list[Table]:
    """Write one application per status of ``plan``; the tables written, with their counts.

    The progress bar is closed when the last chunk has been made, before the writer has
    finished writing it.
    """
    tables = make_tables()
    chunk = max(1, chunk)
    writer = Writer(threaded=not connection.in_atomic_block)
    try:
        with progress:
            for begin in range(0, len(plan), chunk):
                statuses = plan[begin : begin + chunk]
                add_chunk_rows(ctx, statuses, tables)
                copies = [taken for table in tables.values() if (taken := table.take())]
                writer.put(Batch(copies=copies, counters=dict(ctx.references)))
                progress.update(len(statuses))
    finally:
        writer.close()
    # Fresh statistics for the planner, and (outside a transaction) the visibility map that
    # index-only scans need, rather than waiting for autovacuum.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables.values():
            cursor.execute(f"{command} {connection.ops.quote_name(table.model._meta.db_table)}")
    return list(tables.values())
