"""Indexes for the officer queue at scale (issue 8, see BENCHMARKS.md).

- ``application_open_queue_idx``: open applications by submission time, so the queue's default
  view reads one page in order instead of sorting every open application;
- ``application_search_trgm_idx``: a trigram GIN index on ``search_text``, so searching for a
  part of a name (``LIKE '%word%'``) does not read the whole table. It needs PostgreSQL's
  ``pg_trgm`` extension; on SQLite (the first-run default) the extension and the index are
  skipped and search scans the table, which is fine at that size.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.migrations.operations.base import Operation

SEARCH_INDEX = GinIndex(
    fields=["search_text"], opclasses=["gin_trgm_ops"], name="application_search_trgm_idx"
)


class OnPostgreSQL(Operation):
    """Run ``operation``'s database side on PostgreSQL only (the state is changed elsewhere)."""

    reversible = True

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0009_encrypt_identifiers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("status__in", ("submitted", "under_review", "info_requested"))),
                fields=["submitted_at", "id"],
                name="application_open_queue_idx",
            ),
        ),
        # CreateExtension skips other databases going forwards, but not backwards.
        OnPostgreSQL(TrigramExtension()),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="application", index=SEARCH_INDEX),
            ],
            database_operations=[
                OnPostgreSQL(migrations.AddIndex(model_name="application", index=SEARCH_INDEX)),
            ],
        ),
    ]
