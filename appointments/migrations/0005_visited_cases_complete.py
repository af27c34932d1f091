"""Applications whose visit was already recorded are complete from it (see
applications.completeness); the first recorded visit counts."""

from django.db import migrations

BACKFILL = """
UPDATE applications_application AS a
   SET complete_at = v.first_visit
  FROM (SELECT application_id, MIN(marked_at) AS first_visit
          FROM appointments_appointment
         WHERE status = 'attended' AND marked_at IS NOT NULL
         GROUP BY application_id) AS v
 WHERE v.application_id = a.id
   AND a.complete_at IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_sweep_scheduled"),
        ("applications", "0020_complete_at"),
    ]

    operations = [migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop)]
