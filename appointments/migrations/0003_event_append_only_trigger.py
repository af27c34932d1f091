"""Make AppointmentEvent append-only in the database itself (PostgreSQL), as for the other
cases' histories: the model refuses a second save and a delete, the trigger refuses what a
queryset or raw SQL would do. Appointment events hold no free text about the person (a note is
at most a closed day's reason), so retention has nothing to blank here."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION appointments_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'appointment events are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER appointments_event_append_only
BEFORE UPDATE OR DELETE ON appointments_appointmentevent
FOR EACH ROW EXECUTE FUNCTION appointments_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS appointments_event_append_only ON appointments_appointmentevent;
DROP FUNCTION IF EXISTS appointments_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0002_default_schedules")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
