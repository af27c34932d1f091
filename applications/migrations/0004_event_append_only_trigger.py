"""Make ApplicationEvent append-only in the database itself (PostgreSQL).

The model refuses save-on-existing and delete, but a queryset ``update()``/``delete()`` or raw SQL
would bypass that. The trigger refuses every UPDATE, and every DELETE except of the events of an application that
was never submitted (a draft may be purged with its history, as data minimisation requires).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION applications_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'application events are append-only'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF EXISTS (
        SELECT 1 FROM applications_application
        WHERE id = OLD.application_id AND submitted_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'events of a submitted application cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER applications_event_append_only
BEFORE UPDATE OR DELETE ON applications_applicationevent
FOR EACH ROW EXECUTE FUNCTION applications_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS applications_event_append_only ON applications_applicationevent;
DROP FUNCTION IF EXISTS applications_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_policy_version_1")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
