# ruff: noqa: S608, E501 -- the bench's own SQL over its own tables, with parameters; long SQL lines read better whole
"""The floor the sweeps are compared with: for each kind of notice of each daily sweep, one plain
``INSERT … SELECT`` of its due rows, with their context and key as the sweep writes them: what
the night's work costs at least on this machine and data.

Two floors. ``outbox``: into the outbox table itself, with its indexes and its unique key
(``ON CONFLICT DO NOTHING``, every key prefixed ``floor:`` so none is taken), each statement
committed as the sweeps' are, the rows deleted afterwards (untimed): inserting the notices, and
nothing else (no check against existing notices, no channels, no SMS rows, no enqueue).
``unindexed``: into a temporary copy of the table, without indexes or WAL (the floor of the
first runs, still reported).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

TZ = "Europe/Istanbul"
OPEN = "('submitted', 'under_review', 'info_requested')"


def _floor_statements(table: str) -> list[tuple[str, str, dict]]:
    """(sweep, SQL, parameters): each kind of notice of each sweep, as one plain INSERT … SELECT
    of its due rows with their context and key; no deduplication, no channels."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse
    from django.utils import timezone

    from applications.models import Application
    from core.dates import day_start
    from reports.models import Report
    from rules.policies import policy_version_in_force

    today = timezone.localdate()
    policy = policy_version_in_force(on=today)
    start = timezone.make_aware(datetime.combine(today + timedelta(days=1), datetime.min.time()))
    p = {
        "today": today,
        "d1": today + timedelta(days=1),
        "d7": today + timedelta(days=7),
        "d60": today + timedelta(days=60),
        "d180": today + timedelta(days=180),
        "iso": today.isoformat(),
        "remind_before": day_start(today - timedelta(days=settings.DRAFT_REMINDER_DAYS - 1)),
        "retain_from": day_start(today - timedelta(days=settings.DRAFT_RETENTION_DAYS - 1)),
        "retention": settings.DRAFT_RETENTION_DAYS,
        "target": day_start(today - timedelta(days=settings.OFFICER_SLA_TARGET_DAYS - 1)),
        "tomorrow": start,
        "after": start + timedelta(days=1),
        "cutoff": timezone.make_aware(
            datetime.combine(
                today - timedelta(days=policy.enrolment_reminder_days), datetime.max.time()
            )
        ),
        "window": policy.extension_window_days,
        "days": policy.enrolment_reminder_days,
        "confirmations": reverse("university-confirmations"),
    }
    for name, url in [
        ("detail", "application-detail"),
        ("review", "officer-review"),
        ("extend", "permit-extend"),
        ("report", "report-detail"),
        ("officer_report", "officer-report"),
        ("appointment", "application-appointment"),
    ]:
        p[name], p[f"{name}_end"] = reverse(url, args=[987654321]).split("987654321")
    application = ContentType.objects.get_for_model(Application).pk
    report = ContentType.objects.get_for_model(Report).pk

    def insert(kind, source, recipient, context, key, where, about="NULL", ct="NULL"):
        return (
            f"INSERT INTO {table} (recipient_id, channel, to_email, to_phone, about_type_id, "
            "about_id, kind, language, context, dedupe_key, state, attempts, next_attempt_at, "
            "last_error, created_at, in_inbox, provider_message_id, delivery_status) SELECT u.id, "
            f"'email', u.email, '', {ct}, {about}, '{kind}', u.preferred_language, "
            f"jsonb_build_object({context}), 'floor:' || {key}, 'pending', 0, now(), '', now(), "
            f"true, '', '' FROM {source} JOIN accounts_user u ON u.id = {recipient} WHERE {where} "
            "ON CONFLICT DO NOTHING"  # nosec B608
        )

    local = f"(a.updated_at AT TIME ZONE '{TZ}')::date"
    app_ctx = "'reference', coalesce(a.reference, ''), 'path', %(detail)s || a.id || %(detail_end)s"
    left = "(a.passport_expiry_date - %(today)s::date)"
    standing = "NOT EXISTS (SELECT 1 FROM applications_permit x WHERE x.extends_id = pm.id)"
    drafts = insert(
        "draft_reminder", "applications_application a", "a.applicant_id",
        f"'updated', to_char({local}, 'YYYY-MM-DD'), 'delete_on', to_char({local} + "
        "%(retention)s, 'YYYY-MM-DD'), 'days', %(retention)s, 'path', '/applications/' || a.id "
        "|| '/tasks/'",
        f"'draft-reminder:' || a.id || ':' || to_char({local}, 'YYYY-MM-DD')",
        "a.status = 'draft' AND a.submitted_at IS NULL AND a.updated_at < %(remind_before)s "
        "AND a.updated_at >= %(retain_from)s", "a.id", application,
    )  # fmt: skip
    short = insert(
        "passport_short", "applications_application a LEFT JOIN applications_policyversion pv "
        "ON pv.id = a.policy_version_id", "a.applicant_id",
        f"{app_ctx}, 'date', %(iso)s, 'passport_expiry', to_char(a.passport_expiry_date, "
        "'YYYY-MM-DD'), 'required_until', to_char(a.passport_required_until, 'YYYY-MM-DD'), "
        "'margin_days', pv.passport_margin_days",
        "'passport-short:' || a.id || ':' || to_char(a.passport_expiry_date, 'YYYY-MM-DD') || "
        f"':' || (GREATEST(%(today)s::date - (a.submitted_at AT TIME ZONE '{TZ}')::date, 0) / 30)",
        f"a.status IN {OPEN} AND a.passport_expiry_date < a.passport_required_until "
        "AND a.submitted_at IS NOT NULL", "a.id", application,
    )  # fmt: skip
    holders = insert(
        "passport_expiring", "applications_application a JOIN applications_permit pm ON "
        "pm.application_id = a.id", "a.applicant_id",
        f"{app_ctx}, 'passport_expiry', to_char(a.passport_expiry_date, 'YYYY-MM-DD'), 'days', {left}",
        "'passport-expiring:' || a.applicant_id || ':' || to_char(a.passport_expiry_date, "
        f"'YYYY-MM-DD') || ':' || CASE WHEN {left} <= 30 THEN 30 WHEN {left} <= 90 THEN 90 ELSE 180 END",
        "a.status = 'approved' AND a.passport_expiry_date BETWEEN %(d1)s AND %(d180)s AND "
        f"pm.status = 'valid' AND {standing}", "a.id", application,
    )  # fmt: skip
    pleft = "(pm.valid_to - %(today)s::date)"
    permits = insert(
        "permit_expiring", "applications_permit pm JOIN applications_application a ON a.id = "
        "pm.application_id", "a.applicant_id",
        "'reference', coalesce(a.reference, ''), 'path', %(extend)s || pm.id || %(extend_end)s, 'permit', "
        "pm.number, 'valid_to', to_char(pm.valid_to, 'YYYY-MM-DD'), 'window_opens', "
        f"to_char(pm.valid_to - %(window)s, 'YYYY-MM-DD'), 'days', {pleft}",
        "'permit-expiring:' || pm.id || ':' || to_char(pm.valid_to, 'YYYY-MM-DD') || ':' || CASE "
        f"WHEN {pleft} <= 7 THEN 7 WHEN {pleft} <= 30 THEN 30 ELSE 60 END",
        f"pm.valid_to BETWEEN %(d1)s AND %(d60)s AND a.status = 'approved' AND pm.status = 'valid' "
        f"AND {standing} AND NOT EXISTS (SELECT 1 FROM applications_application e WHERE "
        f"e.extends_id = pm.id AND e.status IN {OPEN})", "a.id", application,
    )  # fmt: skip
    ileft = "(r.due_date - %(today)s::date)"
    requests = (
        "applications_inforequest r JOIN applications_application a ON a.id = r.application_id"
    )
    info_due = insert(
        "info_due", requests, "a.applicant_id",
        f"{app_ctx}, 'due_date', to_char(r.due_date, 'YYYY-MM-DD'), 'message', r.message, 'days', {ileft}",
        f"'info-due:' || r.id || ':' || CASE WHEN {ileft} <= 2 THEN 2 ELSE 7 END",
        "r.state = 'open' AND r.due_date BETWEEN %(d1)s AND %(d7)s", "a.id", application,
    )  # fmt: skip
    info_overdue = insert(
        "info_overdue", requests, "coalesce(a.assignee_id, r.requested_by_id)",
        "'reference', a.reference, 'path', %(review)s || a.id || %(review_end)s, 'due_date', "
        "to_char(r.due_date, 'YYYY-MM-DD')",
        "'info-overdue:' || r.id", "r.state = 'open' AND r.due_date < %(today)s", "a.id", application,
    )  # fmt: skip
    digest = insert(
        "supervisor_digest", "accounts_user s JOIN accounts_user_groups ug ON ug.user_id = s.id "
        "JOIN auth_group g ON g.id = ug.group_id", "s.id",
        "'date', %(iso)s, 'past_target', (SELECT count(*) FROM applications_application WHERE "
        f"status IN {OPEN} AND complete_at < %(target)s)",
        "'digest:' || s.id || ':' || %(iso)s", "g.name = 'supervisor' AND s.is_active",
    )  # fmt: skip
    rleft = "(rp.info_due_on - %(today)s::date)"
    report_due = insert(
        "report_info_due", "reports_report rp", "rp.applicant_id",
        "'reference', coalesce(rp.reference, ''), 'path', %(report)s || rp.id || %(report_end)s, 'date', "
        f"%(iso)s, 'due_date', to_char(rp.info_due_on, 'YYYY-MM-DD'), 'days', {rleft}",
        f"'report-info-due:' || rp.id || ':' || rp.version || ':' || CASE WHEN {rleft} <= 2 THEN 2 ELSE 7 END",
        "rp.status = 'info_requested' AND rp.info_due_on BETWEEN %(d1)s AND %(d7)s", "rp.id", report,
    )  # fmt: skip
    report_overdue = insert(
        "report_info_overdue", "reports_report rp", "rp.assignee_id",
        "'reference', coalesce(rp.reference, ''), 'path', %(officer_report)s || rp.id || "
        "%(officer_report_end)s, "
        "'due_date', to_char(rp.info_due_on, 'YYYY-MM-DD')",
        "'report-info-overdue:' || rp.id || ':' || rp.version",
        "rp.status = 'info_requested' AND rp.info_due_on < %(today)s AND rp.assignee_id IS NOT NULL",
        "rp.id", report,
    )  # fmt: skip
    tomorrow = insert(
        "appointment_tomorrow", "appointments_appointment ap JOIN applications_application a ON "
        "a.id = ap.application_id JOIN applications_province pr ON pr.id = ap.province_id",
        "a.applicant_id",
        "'reference', coalesce(a.reference, ''), 'path', %(appointment)s || a.id || "
        f"%(appointment_end)s, 'date', to_char(ap.starts_at AT TIME ZONE '{TZ}', 'YYYY-MM-DD'), "
        f"'time', to_char(ap.starts_at AT TIME ZONE '{TZ}', 'HH24:MI'), 'office', pr.name",
        "'appointment-tomorrow:' || ap.id",
        f"ap.status = 'booked' AND ap.starts_at >= %(tomorrow)s AND ap.starts_at < %(after)s AND a.status IN {OPEN}",
        "a.id", application,
    )  # fmt: skip
    invite = insert(
        "appointment_invitation", "applications_application a JOIN applications_province pr ON "
        "pr.id = a.province_id", "a.applicant_id",
        "'reference', coalesce(a.reference, ''), 'path', %(appointment)s || a.id || "
        "%(appointment_end)s, 'office', pr.name", "'appointment-invite:' || a.id",
        f"a.status IN {OPEN} AND a.complete_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
        "appointments_appointment ap WHERE ap.application_id = a.id)", "a.id", application,
    )  # fmt: skip
    enrolment = insert(
        "enrolment_reminder", "universities_universitystaff st JOIN (SELECT university_id, "
        "count(*) AS n, min(requested_at) AS oldest FROM applications_enrolmentconfirmation WHERE "
        "status = 'requested' AND requested_at <= %(cutoff)s GROUP BY university_id) w ON "
        "w.university_id = st.university_id", "st.user_id",
        "'count', w.n, 'days', %(days)s, 'path', %(confirmations)s",
        "'enrolment-reminder:' || st.university_id || ':' || st.user_id || ':' || "
        f"((%(today)s::date - (w.oldest AT TIME ZONE '{TZ}')::date) / GREATEST(%(days)s, 1))",
        "st.deactivated_at IS NULL AND u.is_active",
    )  # fmt: skip
    return [
        ("sweep_passports", short, p),
        ("sweep_passports", holders, p),
        ("sweep_permits", permits, p),
        ("sweep_info_requests", info_due, p),
        ("sweep_info_requests", info_overdue, p),
        ("sweep_supervisor_digest", digest, p),
        ("sweep_inactive_drafts", drafts, p),
        ("sweep_report_info_requests", report_due, p),
        ("sweep_report_info_requests", report_overdue, p),
        ("sweep_appointment_reminders", tomorrow, p),
        ("sweep_appointment_reminders", invite, p),
        ("sweep_enrolment_reminders", enrolment, p),
    ]


def floor() -> dict:
    """Both floors: seconds per sweep and the rows written; nothing stays written."""
    from django.db import connection

    from notifications.models import Notification

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS floor_notices "
            "(LIKE notifications_notification INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cursor.execute("TRUNCATE floor_notices")
        unindexed = _timed(cursor, "floor_notices")
        cursor.execute("TRUNCATE floor_notices")
        try:
            outbox = _timed(cursor, Notification._meta.db_table)
        finally:
            Notification.objects.filter(dedupe_key__startswith="floor:").delete()
    return outbox | {"unindexed": unindexed}


def _timed(cursor, table: str) -> dict:
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name, sql, params in _floor_statements(table):
        started = time.perf_counter()
        cursor.execute(sql, params)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
        rows[name] = rows.get(name, 0) + cursor.rowcount
    return {
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "total_seconds": round(sum(seconds.values()), 3),
        "rows": rows,
    }
