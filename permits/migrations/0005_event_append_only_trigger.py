"""Make PermitEvent append-only in the database itself (PostgreSQL), as for applications: the
model refuses save-on-existing and delete, and the trigger refuses a queryset's or raw SQL's."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION permits_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'permit events are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER permits_event_append_only
BEFORE UPDATE OR DELETE ON permits_permitevent
FOR EACH ROW EXECUTE FUNCTION permits_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS permits_event_append_only ON permits_permitevent;
DROP FUNCTION IF EXISTS permits_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("permits", "0004_permit_lifecycle")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
