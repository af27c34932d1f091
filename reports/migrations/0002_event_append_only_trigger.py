"""Make ReportEvent append-only in the database itself (PostgreSQL), as for applications: the
model refuses save-on-existing and delete, and the trigger refuses a queryset's or raw SQL's,
except blanking the notes of a report anonymised with its application (retention)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION reports_event_append_only() RETURNS trigger AS $$
BEGIN
    -- The one change allowed: blanking the note of an anonymised report (retention).
    IF TG_OP = 'UPDATE'
       AND NEW.note = ''
       AND NEW.id = OLD.id
       AND NEW.report_id = OLD.report_id
       AND NEW.kind = OLD.kind
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.from_status = OLD.from_status
       AND NEW.to_status = OLD.to_status
       AND NEW.data = OLD.data
       AND NEW.created_at = OLD.created_at
       AND EXISTS (
           SELECT 1 FROM reports_report WHERE id = OLD.report_id AND anonymised_at IS NOT NULL
       ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'report events are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reports_event_append_only
BEFORE UPDATE OR DELETE ON reports_reportevent
FOR EACH ROW EXECUTE FUNCTION reports_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_event_append_only ON reports_reportevent;
DROP FUNCTION IF EXISTS reports_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
