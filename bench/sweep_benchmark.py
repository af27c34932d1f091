# ruff: noqa: S608, E501 -- the bench's own SQL over its own tables, with parameters; long SQL lines read better whole
"""Every daily sweep over every row, run twice (the second run must create nothing), against
a floor: plain SQL that selects each sweep's due rows and inserts their notices, one statement
per kind of notice, into the outbox (rolled back) and into a temporary copy of it without
indexes, timed on the same data (``sweep_floor.py``).

The seeded data has no reports, appointments, enrolment requests, university staff or verified
mobile numbers; ``top_up`` adds a realistic share of each (idempotently, marked so it is
recognised), so that the reminders of those sweeps and the SMS rows are measured too.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import common  # this folder is not a package
from progress import log
from sweep_floor import OPEN, floor

SWEEP_KINDS = (
    "draft_reminder",
    "passport_short",
    "passport_expiring",
    "permit_expiring",
    "info_due",
    "info_overdue",
    "supervisor_digest",
    "report_info_due",
    "report_info_overdue",
    "appointment_tomorrow",
    "appointment_invitation",
    "enrolment_reminder",
)
# Targets of issue 8, part 3.
FIRST_RUN_MAX_SECONDS = 10
FLOOR_RATIO_MAX = 3
# The bench's own rows: appointments on these desks, reports with this file checksum (the
# passport number is encrypted).
BENCH_DESK = 900
BENCH_MARK = "BENCH-SWEEP"


def top_up() -> dict[str, int]:
    """Verified mobiles (a third of the students, some choosing SMS only), appointments
    tomorrow (2% of open cases), reports waiting for an answer (300 due soon, 100 overdue),
    enrolment requests unanswered for 10 days (5% of open cases) with staff to remind."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    tomorrow = timezone.localdate() + timedelta(days=1)
    nine = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time())) + timedelta(hours=9)
    today = timezone.localdate()
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_profile SET mobile = '+90532' || lpad(user_id::text, 7, '0'), "
            "mobile_verified_at = %s WHERE mobile = '' AND user_id %% 3 = 0",
            [now],
        )
        cursor.execute(
            "INSERT INTO notifications_channelpreference (user_id, kind, channels, updated_at) "
            "SELECT user_id, k.kind, 'sms', %s FROM accounts_profile, (VALUES ('passport_expiring'), "
            "('info_due'), ('appointment_tomorrow')) k(kind) "
            "WHERE mobile_verified_at IS NOT NULL AND user_id %% 30 = 0 ON CONFLICT DO NOTHING",
            [now],
        )
        # Tomorrow moves with the calendar: the bench's appointments are made again each run.
        cursor.execute("DELETE FROM appointments_appointment WHERE desk >= %s", [BENCH_DESK])
        cursor.execute(
            "INSERT INTO appointments_appointment (starts_at, ends_at, desk, status, version, "
            "biometrics_taken, originals_seen, created_at, updated_at, application_id, "
            "booked_by_id, province_id) SELECT %(nine)s + (n %% 40) * interval '15 minutes', "
            "%(nine)s + (n %% 40 + 1) * interval '15 minutes', %(desk)s + n / 40, 'booked', 1, "
            "false, false, %(now)s, %(now)s, id, applicant_id, province_id FROM (SELECT a.*, "
            f"row_number() OVER (ORDER BY id) AS n FROM applications_application a WHERE status IN {OPEN} "  # nosec B608
            "AND province_id IS NOT NULL AND id %% 50 = 0) s",
            {"nine": nine, "desk": BENCH_DESK, "now": now},
        )
        counts["appointments_tomorrow"] = cursor.rowcount
        cursor.execute(
            "SELECT count(*) FROM reports_report WHERE attachment_sha256 = %s", [BENCH_MARK]
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                "INSERT INTO reports_report (type, status, version, changed_on, due_on, late, "
                "details, passport_number, attachment, attachment_name, attachment_type, "
                "attachment_size, attachment_sha256, info_due_on, decision_note, created_at, "
                "updated_at, submitted_at, applicant_id, assignee_id, permit_id, policy_version_id) "
                "SELECT 'address', 'info_requested', 1, %(today)s, %(today)s, false, '{}', "
                "'', '', '', '', 0, %(mark)s, %(today)s + (n %% 10)::int - 2, '', %(now)s, %(now)s, "
                "%(now)s, a.applicant_id, (SELECT min(user_id) FROM accounts_user_groups), p.id, "
                "a.policy_version_id FROM (SELECT a.*, row_number() OVER (ORDER BY a.id) AS n "
                "FROM applications_application a JOIN applications_permit p ON p.application_id "
                "= a.id WHERE a.status = 'approved' LIMIT 500) a JOIN applications_permit p ON "
                "p.application_id = a.id",
                {"today": today, "mark": BENCH_MARK, "now": now},
            )
        cursor.execute(
            "UPDATE reports_report SET info_due_on = %s + (id %% 10)::int - 2 WHERE attachment_sha256 = %s",
            [today, BENCH_MARK],
        )
        cursor.execute("SELECT count(*) FROM applications_enrolmentconfirmation")
        if not cursor.fetchone()[0]:
            cursor.execute(
                "INSERT INTO applications_enrolmentconfirmation (number, status, version, level, "
                "field, decline_reason, requested_at, updated_at, application_id, university_id) "
                "SELECT 'BENCH-' || id, 'requested', 1, '', '', '', %(at)s - (id %% 7) * "
                "interval '1 day', %(at)s, id, university_id FROM applications_application "
                f"WHERE status IN {OPEN} AND university_id IS NOT NULL AND id %% 20 = 0",  # nosec B608
                {"at": now - timedelta(days=10)},
            )
            # Two staff accounts for each of the universities with requests: students whose
            # cases were withdrawn, as accounts the sweep only reads.
            cursor.execute(
                "INSERT INTO universities_universitystaff (created_at, university_id, user_id) "
                "SELECT %s, u.university_id, u.applicant_id FROM (SELECT e.university_id, "
                "w.applicant_id, row_number() OVER (PARTITION BY e.university_id ORDER BY w.id) "
                "AS n FROM (SELECT DISTINCT university_id FROM applications_enrolmentconfirmation) "
                "e JOIN LATERAL (SELECT id, applicant_id FROM applications_application WHERE "
                "status = 'withdrawn' AND id %% 203 = e.university_id %% 203 LIMIT 2) w ON true) u "
                "ON CONFLICT DO NOTHING",
                [now],
            )
        cursor.execute(
            "SELECT (SELECT count(*) FROM accounts_profile WHERE mobile_verified_at IS NOT NULL), "
            "(SELECT count(*) FROM reports_report WHERE attachment_sha256 = %s), "
            "(SELECT count(*) FROM applications_enrolmentconfirmation), "
            "(SELECT count(*) FROM universities_universitystaff)",
            [BENCH_MARK],
        )
        row = cursor.fetchone()
    counts |= dict(
        zip(
            ("verified_mobiles", "reports_waiting", "enrolment_requests", "staff"), row, strict=True
        )
    )
    return counts


def sweeps() -> dict:
    import redis

    from applications import sweeps as application_sweeps
    from applications.enrolment_notices import sweep_enrolment_reminders
    from appointments.sweeps import sweep_appointment_reminders
    from notifications.models import Notification
    from officers.sweeps import sweep_supervisor_digest
    from permits.sweeps import sweep_permits
    from reports.sweeps import sweep_report_info_requests

    data = top_up()
    # A full night's work every run: the notices earlier bench runs created are removed first
    # (this database is the benchmark's own).
    Notification.objects.filter(kind__in=SWEEP_KINDS).delete()
    functions = [
        application_sweeps.sweep_passports,
        sweep_permits,
        application_sweeps.sweep_info_requests,
        sweep_supervisor_digest,
        application_sweeps.sweep_inactive_drafts,
        sweep_report_info_requests,
        sweep_appointment_reminders,
        sweep_enrolment_reminders,
    ]
    # The broker connection is opened before the timed runs, as a worker has it open when
    # beat's task arrives (the first publish of a process costs about 0.08 s).
    from portal.celery import app

    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=1)
    log("Measuring the floor (plain SQL) ...")
    floors = [floor()]
    runs = []
    log("Running the daily sweeps twice ...")
    for _run in range(2):
        timings, created = {}, {}
        for function in functions:
            started = time.perf_counter()
            counts = function()
            timings[function.__name__] = round(time.perf_counter() - started, 2)
            created[function.__name__] = counts
        runs.append(
            {
                "seconds": timings,
                "total_seconds": round(sum(timings.values()), 2),
                "created": created,
            }
        )
    # Once more after the sweeps, as warm as they were; the smaller floor is the one compared.
    floors.append(floor())
    # The notices were queued for sending; this benchmark does not send them.
    redis.Redis.from_url(common.BROKER_URL).flushdb()
    skip = {"past_target", "deleted", "universities"}
    second_new = sum(
        n for counts in runs[1]["created"].values() for key, n in counts.items() if key not in skip
    )
    first = runs[0]["total_seconds"]
    best = min(floors, key=lambda f: f["total_seconds"])
    ratio = round(first / best["total_seconds"], 2) if best["total_seconds"] else None
    unindexed = min(f["unindexed"]["total_seconds"] for f in floors)
    return {
        "data": data,
        "runs": runs,
        "total_seconds": round(runs[0]["total_seconds"] + runs[1]["total_seconds"], 2),
        "first_run_seconds": first,
        "second_run_created": second_new,
        "floor": best,
        "floor_totals": [f["total_seconds"] for f in floors],
        "sweeps_to_floor_ratio": ratio,
        # Against the temporary table without indexes (the floor of the first runs).
        "sweeps_to_unindexed_floor_ratio": round(first / unindexed, 2) if unindexed else None,
        "first_run_under_10_s": first < FIRST_RUN_MAX_SECONDS,
        "at_most_3x_floor": ratio is not None and ratio <= FLOOR_RATIO_MAX,
        "notices_created": Notification.objects.filter(kind__in=SWEEP_KINDS).count(),
        "load_average": common.load_average(),
    }
