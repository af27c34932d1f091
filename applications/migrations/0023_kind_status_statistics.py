"""Statistics on kind and status together, for PostgreSQL's estimates of the queue.

The planner assumes columns independent: every extension is open while most first applications
are decided, so it guessed the extensions' open tabs at a quarter of their size, and the queue
shows a status's estimate past its cap ("about 22,000", officers.queue). A most-common-values
list over both columns gives the true shares. PostgreSQL only; nothing elsewhere.
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS application_kind_status_stats (mcv) "
    "ON kind, status FROM applications_application"
)
DROP = "DROP STATISTICS IF EXISTS application_kind_status_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        # Filled now rather than at autovacuum's next analyse (a sample of the table).
        schema_editor.execute("ANALYZE applications_application")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("applications", "0022_queue_filter_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
