# ruff: noqa: S608, E501 -- the bench's own SQL over its own tables, with parameters
"""The other kinds of case for the queue's pages: extensions and change reports.

``seed_bulk`` makes first applications only. ``top_up`` adds, once and idempotently (marked so
they are recognised), an extension application for every tenth permit holder without an open
case (on their latest permit; half handed in, half under review by an officer), and a change
report for every fifth permit (a renewed passport or a change of university, handed in or
under review; never an address change, which the sweeps' own reports are), so the queue's tabs
for those kinds list real rows. Each copies its holder's own data, as the student's form starts
from it; no two are handed in at the same second, so the queue and the admin list the same
rows in the same order.
"""

from __future__ import annotations

EXTENSION_MARK = "EXB-"  # references of the bench's extensions
REPORT_MARK = "BENCH-QUEUE"  # the reports' attachment checksum

# The columns an extension takes from the first application it extends, as they are.
_OVERRIDDEN = {
    "id",
    "kind",
    "extends_id",
    "reference",
    "status",
    "assignee_id",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "complete_at",
    "decided_at",
}

# One of the officers, in turn by the row's number.
_AN_OFFICER = (
    "(SELECT ids[1 + {n} %% cardinality(ids)] FROM (SELECT array_agg(m.user_id ORDER BY "
    "m.user_id) AS ids FROM accounts_user_groups m JOIN auth_group g ON g.id = m.group_id "
    "WHERE g.name = 'officer') o)"
)


def top_up() -> dict[str, int]:
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    added = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM applications_application WHERE reference LIKE %s",
            [EXTENSION_MARK + "%"],
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'applications_application' ORDER BY ordinal_position"
            )
            kept = [name for (name,) in cursor.fetchall() if name not in _OVERRIDDEN]
            columns = ", ".join(kept)
            copied = ", ".join(f"a.{name}" for name in kept)
            cursor.execute(
                f"INSERT INTO applications_application ({columns}, kind, extends_id, reference, "
                "status, assignee_id, version, created_at, updated_at, submitted_at, complete_at) "
                f"SELECT {copied}, 'extension', a.permit_id, %(mark)s || a.id, "
                "CASE WHEN a.n / 10 %% 2 = 0 THEN 'submitted' ELSE 'under_review' END, "
                f"CASE WHEN a.n / 10 %% 2 = 0 THEN NULL ELSE {_AN_OFFICER.format(n='a.n / 10')} END, 1, %(now)s, "
                "%(now)s, "
                "%(now)s - (a.n / 10 %% 100) * interval '1 day' - a.n * interval '1 second', "
                "%(now)s - (a.n / 10 %% 100) * interval '1 day' - a.n * interval '1 second' "
                "FROM (SELECT a.*, row_number() OVER (ORDER BY a.id) AS n FROM (SELECT DISTINCT ON "
                "(a.applicant_id) a.*, p.id AS permit_id FROM applications_application a JOIN "
                "applications_permit p ON p.application_id = a.id WHERE a.kind = 'first' AND "
                "a.status = 'approved' AND NOT EXISTS (SELECT 1 FROM applications_application o "
                "WHERE o.applicant_id = a.applicant_id AND o.status IN ('draft', 'precheck', "
                "'returned', 'submitted', 'under_review', 'info_requested')) ORDER BY "
                "a.applicant_id, a.id DESC) a) a WHERE a.n %% 10 = 0",
                {"mark": EXTENSION_MARK, "now": now},
            )
            added += cursor.rowcount
        cursor.execute(
            "SELECT count(*) FROM reports_report WHERE attachment_sha256 = %s", [REPORT_MARK]
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                "INSERT INTO reports_report (reference, type, status, version, changed_on, due_on, "
                "late, details, passport_number, attachment, attachment_name, attachment_type, "
                "attachment_size, attachment_sha256, decision_note, created_at, updated_at, "
                "submitted_at, applicant_id, assignee_id, permit_id, policy_version_id) "
                "SELECT 'RB-' || p.id, CASE WHEN p.n %% 3 = 0 THEN 'study' ELSE 'passport' END, "
                "CASE WHEN p.n %% 2 = 0 THEN 'submitted' ELSE 'under_review' END, 1, "
                "(%(now)s - (p.n %% 120) * interval '1 day')::date, "
                "(%(now)s - (p.n %% 120) * interval '1 day')::date + 20, p.n %% 7 = 0, '{}', '', '', "
                "'', '', 0, %(mark)s, '', %(now)s, %(now)s, %(now)s - (p.n %% 100) * interval '1 day' "
                "- p.n * interval '1 second', "
                f"p.applicant_id, CASE WHEN p.n %% 2 = 0 THEN NULL ELSE {_AN_OFFICER.format(n='p.n')} "
                "END, p.id, p.policy_version_id "
                "FROM (SELECT p.id, a.applicant_id, a.policy_version_id, row_number() OVER "
                "(ORDER BY p.id) AS n FROM applications_permit p JOIN applications_application a "
                "ON a.id = p.application_id WHERE NOT EXISTS (SELECT 1 FROM reports_report r WHERE "
                "r.permit_id = p.id)) p WHERE p.n %% 5 = 0",
                {"mark": REPORT_MARK, "now": now},
            )
            added += cursor.rowcount
        if added:
            # As seed_bulk ends: the visibility map (index-only scans) and the statistics.
            cursor.execute("VACUUM (ANALYZE) applications_application")
            cursor.execute("VACUUM (ANALYZE) reports_report")
        cursor.execute(
            "SELECT (SELECT count(*) FROM applications_application WHERE kind = 'extension'), "
            "(SELECT count(*) FROM reports_report)"
        )
        extensions, reports = cursor.fetchone()
    return {"extensions": extensions, "reports": reports}
