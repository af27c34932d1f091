"""Writing many notices of one kind into the outbox in one statement: the nightly sweeps.

``notify_user`` writes one notice with two or three statements; a sweep over 100,000 cases that
called it for every due row spent its night on round trips. Here the caller describes its due
rows as a queryset (``notice_rows``: recipient, context and deduplication key computed in SQL),
and ``notify_many`` turns them into outbox rows with one ``INSERT … SELECT``: the same rows,
columns and channels ``notify_user`` writes, notice by notice, and nothing for a key already
taken. The sends are queued after the commit, like ``notify_user``'s.

The SQL helpers at the end build context values the way the Python code formats them (ISO
dates, a path from ``reverse``, a reminder threshold), so a notice reads the same whichever way
it was written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import Case, F, Func, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from .kinds import notice_kind
from .models import ChannelPreference, Notification
from .services import sms_dedupe_key

_NO_PHONE = Cast(Value(None), models.CharField(max_length=16))


def notice_rows(
    queryset: QuerySet[Any],
    *,
    recipient: str | tuple[str, ...],
    context: Any,
    dedupe_key: Any,
    phone: Any = None,
    about: type[models.Model] | None = None,
    about_id: Any = None,
    first: Any = None,
) -> QuerySet[Any]:
    """The due rows of ``queryset`` as notices: ``recipient`` is the path to the user (e.g.
    ``"application__applicant"``; several paths: the first that is set; "": the rows are
    users), ``context`` a JSON expression (``JSONObject``), ``dedupe_key``
    a text expression; ``phone`` the recipient's verified mobile number or NULL (needed for a
    kind with an SMS text); ``about`` the model the notice is about and ``about_id`` its id.

    When several rows share a key, the one with the smallest ``first`` (the pk by default)
    writes it, as the first of a loop in pk order would.
    """
    about_type = ContentType.objects.get_for_model(about).pk if about is not None else None
    paths = (recipient,) if isinstance(recipient, str) else recipient

    def column(path: str, suffix: str) -> F:
        if path:
            return F(f"{path}{suffix}")
        return F("pk" if suffix == "_id" else suffix.removeprefix("__"))  # the rows are users

    def first_set(suffix: str) -> Any:
        values = [column(path, suffix) for path in paths]
        return values[0] if len(values) == 1 else Coalesce(*values)

    # No ORDER BY: the model's default ordering would only sort rows the statement sorts again.
    return queryset.order_by().values(
        n_recipient=first_set("_id"),
        n_language=first_set("__preferred_language"),
        n_email=first_set("__email"),
        n_phone=phone if phone is not None else _NO_PHONE,
        n_context=context,
        n_key=dedupe_key,
        # Typed: a bare NULL would be text in the statement's CTE.
        n_about_type=Cast(Value(about_type), models.IntegerField()),
        n_about_id=about_id
        if about_id is not None
        else Cast(Value(None), models.BigIntegerField()),
        n_first=first if first is not None else F("pk"),
    )


def may_go_by_sms(kind: str) -> bool:
    """Whether a notice of ``kind`` can take SMS, for someone who chose it (``delivery_for``)."""
    registered = notice_kind(kind)
    return registered is not None and bool(registered.sms) and registered.in_inbox


def _channel_sql(kind: str) -> tuple[str, list[Any]]:
    """``delivery_for`` in SQL: the row's choice of channels, 'email' when no SMS can go."""
    registered = notice_kind(kind)
    if registered is None or not may_go_by_sms(kind):
        return "%s", [ChannelPreference.Channels.EMAIL]
    default = (
        ChannelPreference.Channels.BOTH
        if registered.sms_by_default
        else ChannelPreference.Channels.EMAIL
    )
    preference = ChannelPreference._meta.db_table
    sql = (
        "CASE WHEN due.n_phone IS NULL OR due.n_phone = '' THEN %s ELSE COALESCE("  # noqa: S608 (our own table) # nosec B608
        f"(SELECT p.channels FROM {preference} p WHERE p.user_id = due.n_recipient "
        "AND p.kind = %s), %s) END"
    )
    return sql, [ChannelPreference.Channels.EMAIL, kind, default]


def _select(
    fields: Sequence[Any],
    computed: dict[str, tuple[str, list[Any]]],
    fixed: dict[str, Any],
    connection: Any,
) -> tuple[str, list[Any]]:
    """The SELECT list for ``fields``: SQL of the due row where given, else a parameter."""
    parts: list[str] = []
    params: list[Any] = []
    for field in fields:
        if field.name in computed:
            sql, values = computed[field.name]
            parts.append(sql)
            params.extend(values)
        else:
            parts.append("%s")
            params.append(field.get_db_prep_save(fixed[field.name], connection))
    return ", ".join(parts), params


def _insert(kind: str, rows: QuerySet[Any], connection: Any) -> tuple[str, list[Any]]:
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    key = quote("dedupe_key")
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    now = timezone.now()
    # What ``_row`` leaves to the model's defaults.
    fixed = {
        "kind": kind,
        "state": Notification.State.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
        "read_at": None,
        "provider_message_id": "",
        "delivery_status": "",
        "delivery_status_at": None,
    }
    shared = {
        "language": ("c.n_language", []),
        "recipient": ("c.n_recipient", []),
        "about_type": ("c.n_about_type", []),
        "about_id": ("c.n_about_id", []),
        "context": ("c.n_context", []),
    }
    suffix = sms_dedupe_key("")
    email_select, email_params = _select(
        fields,
        shared
        | {
            "channel": ("%s", [Notification.Channel.EMAIL]),
            "to_email": ("c.n_email", []),
            "to_phone": ("''", []),
            "dedupe_key": ("c.n_key", []),
            "in_inbox": ("TRUE", []),
        },
        fixed,
        connection,
    )
    sms_select, sms_params = _select(
        fields,
        shared
        | {
            "channel": ("%s", [Notification.Channel.SMS]),
            "to_email": ("''", []),
            "to_phone": ("c.n_phone", []),
            "dedupe_key": ("c.n_key || %s", [suffix]),
            # The in-app copy is the e-mail row; an SMS-only notice's is its SMS row.
            "in_inbox": ("c.n_channels = %s", [ChannelPreference.Channels.SMS]),
        },
        fixed,
        connection,
    )
    rows_sql, rows_params = rows.query.sql_with_params()
    channels_sql, channels_params = _channel_sql(kind)
    conflict = f"ON CONFLICT ({key}) DO NOTHING"
    sql = (
        # One row per key, none whose notice exists on either channel (as notify_user checks).
        f"WITH due AS (SELECT DISTINCT ON (d.n_key) d.* FROM ({rows_sql}) d "  # noqa: S608 (our own SQL and tables) # nosec B608
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{key} IN (d.n_key, d.n_key || %s)) "
        "ORDER BY d.n_key, d.n_first), "
        f"chosen AS (SELECT due.*, {channels_sql} AS n_channels FROM due), "
        f"emails AS (INSERT INTO {table} ({columns}) SELECT {email_select} FROM chosen c "
        "WHERE c.n_channels IN ('email', 'both') ORDER BY c.n_first "
        f"{conflict} RETURNING id, {key} AS n_key), "
        # notify_user writes the SMS of an e-mail notice only when its e-mail row was new.
        f"sms AS (INSERT INTO {table} ({columns}) SELECT {sms_select} FROM chosen c "
        "WHERE c.n_channels = 'sms' OR (c.n_channels = 'both' "
        "AND EXISTS (SELECT 1 FROM emails e WHERE e.n_key = c.n_key)) ORDER BY c.n_first "
        f"{conflict} RETURNING id, in_inbox) "
        "SELECT id, TRUE FROM emails UNION ALL SELECT id, in_inbox FROM sms"
    )
    params = [*rows_params, suffix, *channels_params, *email_params, *sms_params]
    return sql, params


def notify_many(*, kind: str, rows: QuerySet[Any]) -> int:
    """Write a notice of ``kind`` for each row of ``rows`` (``notice_rows``) whose key is free;
    returns how many notices are new (a notice by e-mail and SMS counts once).

    One statement, whatever the number of rows; the new rows are queued for sending after the
    commit of the caller's transaction.
    """
    phone = rows.query.annotations.get("n_phone")
    if may_go_by_sms(kind) and (phone is None or phone == _NO_PHONE):
        # Without the numbers every notice would silently go by e-mail only.
        raise ValueError(f"{kind} may go by SMS: give the recipients' verified numbers.")
    using = router.db_for_write(Notification)
    connection = connections[using]
    sql, params = _insert(kind, rows, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchall()
    ids = sorted(row[0] for row in written)
    if ids:
        transaction.on_commit(lambda: enqueue_many(ids), using=using)
    return sum(1 for _id, counts in written if counts)


def enqueue_many(ids: Iterable[int]) -> int:
    """Queue the sends of ``ids`` after the sweep's commit (``tasks.enqueue_listed``: a few
    hundred to a message); returns how many were queued."""
    from .tasks import enqueue_listed

    return enqueue_listed(ids)


# --- context values in SQL, formatted as the Python code formats them -----------------------


def iso_date(expression: Any) -> Func:
    """A date as ``date.isoformat()`` writes it."""
    return Func(
        expression, Value("YYYY-MM-DD"), function="to_char", output_field=models.TextField()
    )


def local_date(expression: Any, zone: str | None = None) -> Func:
    """The calendar day of a timestamp in ``zone`` (the current time zone by default), as
    ``timezone.localdate`` gives it."""
    return Func(
        expression,
        Value(zone or timezone.get_current_timezone_name()),
        template="((%(expressions)s)::date)",
        arg_joiner=" AT TIME ZONE ",
        output_field=models.DateField(),
    )


def local_text(expression: Any, zone: str, pattern: str) -> Func:
    """A timestamp in ``zone`` formatted with ``to_char``'s ``pattern`` (e.g. 'HH24:MI')."""
    return Func(
        Func(
            expression,
            Value(zone),
            template="(%(expressions)s)",
            arg_joiner=" AT TIME ZONE ",
            output_field=models.DateTimeField(),
        ),
        Value(pattern),
        function="to_char",
        output_field=models.TextField(),
    )


def plus_days(expression: Any, days: int) -> Func:
    """A date ``days`` later (earlier when negative): PostgreSQL's date + integer."""
    return Func(
        expression,
        Value(int(days)),
        template="(%(expressions)s)",
        arg_joiner=" + ",
        output_field=models.DateField(),
    )


def const(value: str | int) -> Cast:
    """A constant of the context, typed (an untyped literal has no JSON type)."""
    field = models.IntegerField() if isinstance(value, int) else models.TextField()
    return Cast(Value(value), field)


def days_between(later: Any, earlier: Any) -> Func:
    """Whole days from ``earlier`` to ``later`` (dates or date expressions):
    ``(later - earlier).days``."""
    later, earlier = (
        Value(day, models.DateField()) if isinstance(day, date) else day for day in (later, earlier)
    )
    return Func(
        later,
        earlier,
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=models.IntegerField(),
    )


def days_until(expression: Any, today: date) -> Func:
    return days_between(expression, today)


def whole_periods(days: Any, length: int) -> Func:
    """``max(days, 0) // length``."""
    # Both integers: PostgreSQL's division truncates, as // does for what is not negative.
    return Func(
        Func(days, Value(0), function="GREATEST", output_field=models.IntegerField()),
        Value(int(length)),
        template="(%(expressions)s)",
        arg_joiner=" / ",
        output_field=models.IntegerField(),
    )


def threshold(days: Any, thresholds: tuple[int, ...]) -> Case:
    """``core.dates.reminder_threshold`` in SQL: the smallest threshold not yet passed."""
    return Case(
        *(When(LessThanOrEqual(days, Value(t)), then=Value(t)) for t in sorted(thresholds)),
        output_field=models.IntegerField(),
    )


def path(url_name: str, pk: Any) -> Concat:
    """``reverse(url_name, args=[pk])`` for each row: the URL's text around a stand-in id."""
    stand_in = 987654321
    before, after = reverse(url_name, args=[stand_in]).split(str(stand_in))
    return Concat(
        Value(before),
        Cast(pk, models.TextField()),
        Value(after),
        output_field=models.TextField(),
    )


def text(*parts: Any) -> Concat:
    """A text joined from values and expressions (a dedupe key): numbers and dates as text."""
    return Concat(
        *(
            Value(part) if isinstance(part, str) else Cast(part, models.TextField())
            for part in parts
        ),
        output_field=models.TextField(),
    )


def or_empty(expression: Any) -> Coalesce:
    """``value or ""`` for a text column that may be NULL."""
    return Coalesce(expression, Value(""), output_field=models.TextField())
