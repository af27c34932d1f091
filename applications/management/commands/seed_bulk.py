"""Bulk data for benchmarks and load tests: ``manage.py seed_bulk --applications 100000``.

What a national portal holds after a few years: students (some with an earlier application),
applications in every status with dates that fit together, the history of each (events and the
notices they sent), documents (as metadata; the first few applications get real small files),
information requests, permits, and a team of officers and supervisors. Names are Azerbaijani,
with their letters (``Məmmədova``, ``İsmayılov``), universities and provinces are the reference
data the migrations loaded.

Speed: rows go in with PostgreSQL's ``COPY`` (psycopg's ``cursor.copy``), chunk by chunk, each
chunk in its own transaction, so 100,000 applications with their ~1.5 million related rows take
about a minute. ``COPY`` skips ``Model.save()``, so what ``save()`` derives is derived here with
the same functions: ``search_text`` (``search.fold``) and the keyed hashes of the encrypted
identifiers (``crypto.identifier_hash``); the identifiers themselves are encrypted by the field's
own ``get_db_prep_save``. References are numbered on from ``ReferenceCounter`` and the counters
are moved past them, so the portal's next submission gets a fresh number.

Reproducible: the same ``--seed`` on the same database state gives the same rows (the random
generator is seeded with the seed and the number of students already seeded). Running it again
adds more (students are numbered on). Refuses to run with DEBUG off unless ``--force``: every
seeded account has the demo password.
"""

from __future__ import annotations

import hashlib
import queue
import random
import sys
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone, translation
from tqdm import tqdm

from accounts.models import Profile, User
from accounts.roles import OFFICER, SUPERVISOR
from accounts.services import (
    PRIVACY_NOTICE_VERSION,
    email_mark_verified,
    totp_authenticator_set,
    totp_secret_normalise,
)
from applications import notices as app_notices
from applications.models import Application, ApplicationEvent, InfoRequest, ReferenceCounter, Status
from applications.notices import STATUS_NOTICES
from applications.references import format_reference
from core.crypto import identifier_hash
from core.search import fold
from documents.models import Document
from notifications.models import Notification
from permits.models import Permit
from rules import eligibility
from rules.models import Level, PolicyVersion
from rules.policies import policy_from_version
from universities.models import Province, University

from .seed_demo import tiny_pdf, tiny_png

# Seeded students' addresses end with this: the bench and the load test find them by it.
EMAIL_DOMAIN = "bulk.example.com"

# Shares of each status; the counts are exact (see ``status_plan``).
STATUS_MIX: tuple[tuple[str, float], ...] = (
    (Status.DRAFT, 0.08),
    (Status.SUBMITTED, 0.10),
    (Status.UNDER_REVIEW, 0.09),
    (Status.INFO_REQUESTED, 0.03),
    (Status.APPROVED, 0.55),
    (Status.REJECTED, 0.08),
    (Status.WITHDRAWN, 0.07),
)
OPEN = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
FINAL = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)
# A decided or withdrawn application belongs to a student who applied before this often.
RETURNING_STUDENT_SHARE = 0.2

MALE_NAMES = (
    "Əli", "Rəşad", "Elvin", "Tural", "Orxan", "Kamran", "Elçin", "Vüqar", "Fərid", "Ramil",
    "Nicat", "Ülvi", "Murad", "Səbuhi", "Cavid", "Emin", "Rauf", "Şahin", "Oqtay", "Əkbər",
    "İlkin", "Hüseyn", "Anar", "Tofiq", "Zaur", "Rüfət", "Fuad", "Şəhriyar", "Ağamirzə", "Nurlan",
)  # fmt: skip
FEMALE_NAMES = (
    "Aysel", "Nigar", "Leyla", "Günel", "Səbinə", "Aynur", "Ülviyyə", "Lalə", "Nərmin", "Şəbnəm",
    "Könül", "Sevinc", "Gülnar", "Aytən", "Fidan", "Xədicə", "Zəhra", "Nurlana", "İlahə", "Aygün",
    "Türkan", "Ləman", "Röya", "Gülşən", "Əsmər", "Pərvin", "Vüsalə", "Səidə", "Şəlalə", "Ülkər",
)  # fmt: skip
# Surnames in -ov/-ev take an "a" for women; the others are the same for both.
SURNAMES = (
    "Məmmədov", "Əliyev", "Hüseynov", "Quliyev", "İsmayılov", "Həsənov", "Cavadov", "Rzayev",
    "Nəsirov", "Babayev", "Şükürov", "Qasımov", "Abbasov", "Səfərov", "Ağayev", "Hacıyev",
    "Kərimov", "Bağırov", "İbrahimov", "Musayev", "Əhmədov", "Süleymanov", "Rəhimov", "Orucov",
    "Zeynalov", "Vəliyev", "Nağıyev", "Salmanov", "Qurbanov", "Xəlilov", "Mirzəyev", "Əsədov",
    "Cəfərov", "Novruzov", "Şirinov", "Yusifov", "Əzizov", "Hümbətov", "Tağıyev", "Sadıqov",
    "Əlizadə", "Hüseynzadə", "Məmmədli", "Qasımlı", "Rüstəmli", "Şıxəliyev", "Çələbiyev",
    "Ötgün", "Ünsalov", "Gülməmmədov",
)  # fmt: skip
BIRTH_PLACES = (
    "Bakı", "Gəncə", "Sumqayıt", "Mingəçevir", "Naxçıvan", "Şəki", "Lənkəran", "Şirvan", "Quba",
    "Qəbələ", "Şamaxı", "Zaqatala", "Ağdam", "Bərdə", "Göyçay", "Şəmkir", "Xaçmaz", "İsmayıllı",
)  # fmt: skip
FACULTIES = {
    "general": (
        ("Mühendislik Fakültesi", "Bilgisayar Mühendisliği"),
        ("Mühendislik Fakültesi", "Elektrik-Elektronik Mühendisliği"),
        ("Mühendislik Fakültesi", "İnşaat Mühendisliği"),
        ("İktisadi ve İdari Bilimler Fakültesi", "İşletme"),
        ("İktisadi ve İdari Bilimler Fakültesi", "Uluslararası İlişkiler"),
        ("İktisadi ve İdari Bilimler Fakültesi", "İktisat"),
        ("Hukuk Fakültesi", "Hukuk"),
        ("Fen-Edebiyat Fakültesi", "Psikoloji"),
        ("Fen-Edebiyat Fakültesi", "Türk Dili ve Edebiyatı"),
        ("Eğitim Fakültesi", "Sınıf Öğretmenliği"),
        ("Mimarlık Fakültesi", "Mimarlık"),
        ("İletişim Fakültesi", "Gazetecilik"),
    ),
    "medicine": (("Tıp Fakültesi", "Tıp"),),
    "dentistry": (("Diş Hekimliği Fakültesi", "Diş Hekimliği"),),
    "pharmacy": (("Eczacılık Fakültesi", "Eczacılık"),),
    "veterinary": (("Veteriner Fakültesi", "Veteriner Hekimliği"),),
}
GRADUATE_SCHOOLS = (
    "Fen Bilimleri Enstitüsü",
    "Sosyal Bilimler Enstitüsü",
    "Sağlık Bilimleri Enstitüsü",
)
DISTRICTS = {
    6: ("Çankaya", "Keçiören", "Yenimahalle", "Etimesgut"),
    34: ("Kadıköy", "Beşiktaş", "Fatih", "Üsküdar", "Şişli"),
    35: ("Bornova", "Karşıyaka", "Buca", "Konak"),
}
NEIGHBOURHOODS = ("Atatürk", "Cumhuriyet", "Yeni", "İstiklal", "Fatih", "Gazi", "Bahçelievler")
STREETS = ("Gül", "Lale", "Menekşe", "Çınar", "Papatya", "Karanfil", "Şehit Ömer", "Öğretmenler")
LEVEL_MIX = (
    (Level.BACHELOR, 0.6),
    (Level.MASTER, 0.25),
    (Level.DOCTORAL, 0.08),
    (Level.ASSOCIATE, 0.07),
)
FIELD_MIX = (
    ("general", 0.85),
    ("medicine", 0.07),
    ("dentistry", 0.03),
    ("pharmacy", 0.03),
    ("veterinary", 0.02),
)
LANGUAGE_MIX = (("az", 0.8), ("tr", 0.1), ("en", 0.1))
WITHDRAW_NOTES = (
    "I am moving to another university.",
    "I will apply again with my new passport.",
    "My programme starts next year.",
)
REJECT_REASONS = (
    ("conditions_not_met", "The conditions for the whole-programme permit are not met."),
    ("studies_cannot_continue", "The university reports that the registration was cancelled."),
)
INFO_MESSAGES = (
    "The photo is not a biometric photo. Please upload a new one taken within the last 6 months.",
    "The student certificate is older than 3 months. Please upload a current one.",
    "The health insurance does not cover the whole permit period.",
)
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Passport numbers: "C" and 8 digits, a bijection of the student's number (all distinct).
PASSPORT_PRIME = 99_999_989
PASSPORT_STEP = 48_271


def status_plan(total: int, *, rng: random.Random) -> list[str]:
    """Exactly ``round(share × total)`` of each status (the rest approved), shuffled."""
    counts = {status: int(share * total) for status, share in STATUS_MIX}
    counts[Status.APPROVED] += total - sum(counts.values())
    plan = [status for status, count in counts.items() for _ in range(count)]
    rng.shuffle(plan)
    return plan


def expected_counts(total: int) -> dict[str, int]:
    """The number of applications per status that ``seed_bulk --applications total`` creates."""
    counts = {str(status): int(share * total) for status, share in STATUS_MIX}
    counts[Status.APPROVED.value] += total - sum(counts.values())
    return counts


def _pick(rng: random.Random, mix) -> str:
    roll, acc = rng.random(), 0.0
    for value, share in mix:
        acc += share
        if roll < acc:
            return value
    return mix[-1][0]


def _ascii(text: str) -> str:
    return "".join(ch for ch in fold(text) if "a" <= ch <= "z")


def _add_years(day: date, years: int) -> date:
    return eligibility.add_years(day, years)


# --- writing rows with COPY ---------------------------------------------------------------------

# Fields whose Python value psycopg writes as it is; every other field (encrypted text, JSON, any
# field added later) goes through its own get_db_prep_save, as bulk_create would.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.EmailField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.ForeignKey,
    models.OneToOneField,
    models.FileField,
)


class Table:
    """Rows of one model, written with COPY. A row is a dict by attribute name (``user_id``);
    a field missing from it gets the field's default, as ``Model()`` would give it."""

    def __init__(self, model: type[models.Model], *, with_pk: bool) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self._attnames = [f.attname for f in self.fields]
        # Defaults worked out once, except those a callable makes anew for every row.
        self._constant = {
            f.attname: f.get_default()
            for f in self.fields
            if not (f.has_default() and callable(f.default))
        }
        self._per_row = [f for f in self.fields if f.has_default() and callable(f.default)]
        self._prepared = [(i, f) for i, f in enumerate(self.fields) if type(f) not in _PLAIN_FIELDS]

    def add(self, **values: Any) -> None:
        self.rows.append(values)

    def _values(self, row: dict[str, Any]) -> list[Any]:
        full = self._constant | row
        for f in self._per_row:
            if f.attname not in row:
                full[f.attname] = f.get_default()
        values = [full[name] for name in self._attnames]
        for i, f in self._prepared:
            values[i] = f.get_db_prep_save(values[i], connection)
        return values

    def take(self) -> tuple[str, list[list[Any]]] | None:
        """The COPY statement and the rows as database values; the table is empty after it."""
        if not self.rows:
            return None
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        values = [self._values(row) for row in self.rows]
        self.count += len(self.rows)
        self.rows = []
        return sql, values


@dataclass
class Batch:
    """One chunk's rows, and the reference counters as they stand after it."""

    copies: list[tuple[str, list[list[Any]]]]
    counters: dict[int, int]


def write_batch(batch: Batch) -> None:
    """COPY one chunk and move the reference counters past it, in one transaction."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql, rows in batch.copies:
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        for year, number in batch.counters.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last": number})


class Writer:
    """Writes each chunk while the next one is being made.

    Making rows is Python work and ingesting them (indexes, foreign-key checks) is PostgreSQL
    work; in a thread with its own connection the two overlap, which nearly halves the time on
    two cores. Inside a transaction (a test, a caller's ``atomic``) the chunks are written in
    line instead, on the caller's connection: another connection could neither see the caller's
    uncommitted rows nor be rolled back with them.
    """

    def __init__(self, *, threaded: bool) -> None:
        self.error: BaseException | None = None
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, daemon=True) if threaded else None
        if self.thread is not None:
            self.thread.start()

    def put(self, batch: Batch) -> None:
        if self.thread is None:
            write_batch(batch)
            return
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        write_batch(batch)
                    except BaseException as exc:  # handed to the main thread
                        self.error = exc
        finally:
            connection.close()


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys from the table's own sequence (race-free, as inserts would be)."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# --- the people ---------------------------------------------------------------------------------


@dataclass
class Student:
    pk: int
    number: int
    sex: str
    given_names: str
    surname: str
    email: str
    language: str
    date_of_birth: date
    fin: str
    phone: str
    father_name: str
    mother_name: str
    place_of_birth: str
    joined: datetime | None = None


@dataclass
class Event:
    kind: str
    at: datetime
    actor_id: int | None
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)


class Command(BaseCommand):
    help = (
        "Bulk-insert realistic students, applications and their history with PostgreSQL COPY "
        "(for benchmarks and load tests; every account gets the demo password)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True, help="How many to add.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument("--officers", type=int, default=40, help="Officers (default 40).")
        parser.add_argument("--supervisors", type=int, default=4, help="Supervisors (default 4).")
        parser.add_argument(
            "--files",
            type=int,
            default=20,
            help="Applications whose documents are real small files (default 20); the others "
            "are metadata only.",
        )
        parser.add_argument("--chunk", type=int, default=5000, help="Applications per COPY.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, **options):
        total = options["applications"]
        if total < 1:
            raise CommandError("--applications must be at least 1.")
        if connection.vendor != "postgresql":
            raise CommandError("seed_bulk writes with PostgreSQL COPY: set DATABASE_URL.")
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_bulk creates accounts with a known password; it refuses to run with DEBUG "
                "off. Use --force only on a throw-away benchmark database."
            )
        started = timezone.now()
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.password = make_password(settings.DEMO_PASSWORD)
        self.officer_ids, self.supervisor_ids = self._staff(
            options["officers"], options["supervisors"]
        )
        self.universities = list(University.objects.values_list("pk", "province_id"))
        self.provinces = dict(Province.objects.values_list("pk", "code"))
        self.versions = list(
            PolicyVersion.objects.prefetch_related("lengths").order_by("effective_from")
        )
        if not self.versions:
            raise CommandError("No policy version: run the migrations first.")
        self.policies = {v.pk: policy_from_version(v) for v in self.versions}
        self.first_day = self.versions[0].effective_from + timedelta(days=7)
        if self.first_day >= self.today - timedelta(days=30):
            raise CommandError("The first policy version is too recent to seed a history.")

        start_number = User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).count()
        # Not for secrets: a seeded generator, so a run can be repeated exactly.
        self.rng = random.Random(f"{options['seed']}:{start_number}")  # noqa: S311 # nosec B311
        plan = status_plan(total, rng=self.rng)
        self.next_number = start_number
        self.students: list[Student] = []
        self.files_left = options["files"]
        self.verification_codes: set[str] = set()

        progress = tqdm(
            total=total,
            unit="app",
            desc="seed_bulk",
            file=sys.stderr,
            disable=options["no_progress"],
            dynamic_ncols=True,
        )
        self.references = dict(ReferenceCounter.objects.values_list("year", "last"))
        tables = self._tables()
        chunk = max(1, options["chunk"])
        writer = Writer(threaded=not connection.in_atomic_block)
        try:
            with progress:
                for begin in range(0, total, chunk):
                    statuses = plan[begin : begin + chunk]
                    self._chunk(statuses, tables)
                    copies = [taken for table in tables.values() if (taken := table.take())]
                    writer.put(Batch(copies=copies, counters=dict(self.references)))
                    progress.update(len(statuses))
        finally:
            writer.close()
        # Fresh statistics for the planner, and (outside a transaction) the visibility map that
        # index-only scans need, rather than waiting for autovacuum.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in tables.values():
                cursor.execute(f"{command} {connection.ops.quote_name(table.model._meta.db_table)}")
        seconds = (timezone.now() - started).total_seconds()
        counts = ", ".join(f"{t.model._meta.model_name} {t.count}" for t in tables.values())
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {total} applications in {seconds:.1f} s ({counts}).")
        )

    # --- staff ----------------------------------------------------------------------------------

    def _staff(self, officers: int, supervisors: int) -> tuple[list[int], list[int]]:
        """Officers and supervisors (created once), with the demo authenticator app."""
        try:
            secret = totp_secret_normalise(settings.DEMO_TOTP_SECRET)
        except ValueError as exc:
            raise CommandError(f"DEMO_TOTP_SECRET: {exc}") from exc
        ids: dict[str, list[int]] = {OFFICER: [], SUPERVISOR: []}
        names = ("Kemal", "Ayşe", "Mehmet", "Zeynep", "Emre", "Elif", "Burak", "Selin", "Oğuz")
        surnames = ("Yıldız", "Demir", "Kaya", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan")
        with transaction.atomic():
            for role, count in ((OFFICER, officers), (SUPERVISOR, supervisors)):
                group = Group.objects.get_or_create(name=role)[0]
                for n in range(1, count + 1):
                    email = f"{role}{n}@{EMAIL_DOMAIN}"
                    user, created = User.objects.get_or_create(
                        email=email,
                        defaults={
                            "first_name": names[n % len(names)],
                            "last_name": surnames[n % len(surnames)],
                            "password": self.password,
                            "preferred_language": "tr",
                            "is_staff": role == SUPERVISOR,
                        },
                    )
                    if created:
                        user.groups.add(group)
                        email_mark_verified(user=user)
                        totp_authenticator_set(user=user, secret=secret)
                    ids[role].append(user.pk)
        return ids[OFFICER], ids[SUPERVISOR]

    # --- one chunk ------------------------------------------------------------------------------

    def _tables(self) -> dict[str, Table]:
        return {
            "user": Table(User, with_pk=True),
            "email": Table(_email_model(), with_pk=False),
            "profile": Table(Profile, with_pk=False),
            "application": Table(Application, with_pk=True),
            "info_request": Table(InfoRequest, with_pk=True),
            "permit": Table(Permit, with_pk=False),
            "event": Table(ApplicationEvent, with_pk=True),
            "document": Table(Document, with_pk=False),
            "notification": Table(Notification, with_pk=False),
        }

    def _chunk(self, statuses: list[str], t: dict[str, Table]) -> None:
        """Make the rows of one chunk of applications (written by the caller)."""
        rng = self.rng
        # Who applies: an active application always belongs to a student with no other active
        # one; a decided or withdrawn one may belong to a student who applied before. Unused
        # reserved user ids leave gaps in the sequence, as rolled-back inserts do.
        user_ids = iter(allocate_ids(User, len(statuses)))
        owners: list[Student] = []
        new_students: list[Student] = []
        for status in statuses:
            if status in FINAL and self.students and rng.random() < RETURNING_STUDENT_SHARE:
                owners.append(rng.choice(self.students))
            else:
                student = self._student(next(user_ids))
                owners.append(student)
                new_students.append(student)
        app_ids = allocate_ids(Application, len(statuses))
        apps = [
            self._application(app_id, status, owner)
            for app_id, status, owner in zip(app_ids, statuses, owners, strict=True)
        ]
        # New students signed up shortly before their first application.
        for app, owner in zip(apps, owners, strict=True):
            joined = app["created_at"] - timedelta(
                days=rng.randint(0, 20), minutes=rng.randint(5, 600)
            )
            if owner.joined is None or joined < owner.joined:
                owner.joined = joined
        for student in new_students:
            self._add_student(t, student)
        # References in submission order within each year, numbered on from the counters.
        references = self.references
        submitted = sorted(
            (a for a in apps if a["submitted_at"] is not None), key=lambda a: a["submitted_at"]
        )
        for app in submitted:
            year = timezone.localtime(app["submitted_at"], self.tz).year
            references[year] = references.get(year, 0) + 1
            app["reference"] = format_reference(year=year, number=references[year])
        asking = sum(1 for a in apps if a["status"] == Status.INFO_REQUESTED)
        info_ids = iter(allocate_ids(InfoRequest, asking))
        all_events: list[tuple[dict, Student, Event]] = []
        for app, owner in zip(apps, owners, strict=True):
            info_id = next(info_ids) if app["status"] == Status.INFO_REQUESTED else None
            events = self._history(app, owner, t, info_id)
            all_events.extend((app, owner, event) for event in events)
            self._documents(app, owner, t)
            self._derive(app)
            # Every status change bumps the version, as workflow._move does.
            app["version"] = 1 + sum(1 for e in events if e.to_status)
            t["application"].add(**{k: v for k, v in app.items() if not k.startswith("_")})
        event_ids = allocate_ids(ApplicationEvent, len(all_events))
        for event_id, (app, owner, event) in zip(event_ids, all_events, strict=True):
            t["event"].add(
                id=event_id,
                application_id=app["id"],
                kind=event.kind,
                actor_id=event.actor_id,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                data=event.data,
                created_at=event.at,
            )
            self._notice(event_id, app, owner, event, t)

    # --- students -------------------------------------------------------------------------------

    def _student(self, pk: int) -> Student:
        rng = self.rng
        self.next_number += 1
        sex = rng.choice("FM")
        given = rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES)
        surname = rng.choice(SURNAMES)
        if sex == "F" and surname.endswith(("ov", "ev")):
            surname += "a"
        number = self.next_number
        # Born 17 to 29 years before today; a few are still minors when they apply.
        dob = self.today - timedelta(days=rng.randint(17 * 365 + 30, 29 * 365))
        student = Student(
            pk=pk,
            number=number,
            sex=sex,
            given_names=given,
            surname=surname,
            email=f"{_ascii(given)}.{_ascii(surname)}.{number:06d}@{EMAIL_DOMAIN}",
            language=_pick(rng, LANGUAGE_MIX),
            date_of_birth=dob,
            fin="".join(rng.choice(FIN_ALPHABET) for _ in range(7)),
            phone=f"+90 5{rng.randint(30, 59)} {rng.randint(100, 999)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            father_name=rng.choice(MALE_NAMES),
            mother_name=rng.choice(FEMALE_NAMES),
            place_of_birth=rng.choice(BIRTH_PLACES),
        )
        self.students.append(student)
        return student

    def _add_student(self, t: dict[str, Table], s: Student) -> None:
        t["user"].add(
            id=s.pk,
            password=self.password,
            email=s.email,
            first_name=s.given_names,
            last_name=s.surname,
            preferred_language=s.language,
            date_joined=s.joined,
            last_login=s.joined,
        )
        t["email"].add(user_id=s.pk, email=s.email, verified=True, primary=True)
        t["profile"].add(
            user_id=s.pk,
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            privacy_notice_accepted_at=s.joined,
            surname=s.surname,
            given_names=s.given_names,
            date_of_birth=s.date_of_birth,
            phone=s.phone,
            fin=s.fin,
        )

    # --- applications ---------------------------------------------------------------------------

    def _at(self, day: date, *, earliest: int = 8, latest: int = 18) -> datetime:
        rng = self.rng
        moment = time(rng.randint(earliest, latest - 1), rng.randint(0, 59), rng.randint(0, 59))
        return timezone.make_aware(datetime.combine(day, moment), self.tz)

    def _version_for(self, day: date) -> PolicyVersion:
        in_force = [v for v in self.versions if v.effective_from <= day]
        return in_force[-1]

    def _application(self, pk: int, status: str, s: Student) -> dict[str, Any]:
        rng = self.rng
        today = self.today
        # When it was submitted (or, for a draft, last changed).
        if status == Status.DRAFT:
            submitted_on = None
            touched = today - timedelta(days=rng.randint(0, 58))
            created_on = touched - timedelta(days=rng.randint(0, 10))
            on = touched
        else:
            if status == Status.SUBMITTED:
                age = int(rng.triangular(0, 60, 3))
            elif status == Status.UNDER_REVIEW:
                age = int(rng.triangular(2, 110, 20))
            elif status == Status.INFO_REQUESTED:
                age = rng.randint(5, 80)
            else:
                span = (today - timedelta(days=10) - self.first_day).days
                age = 10 + int(rng.random() * span)
            submitted_on = today - timedelta(days=age)
            created_on = submitted_on - timedelta(days=rng.randint(0, 15))
            if created_on < self.first_day:
                created_on = submitted_on
            on = submitted_on
        level = _pick(rng, LEVEL_MIX)
        field_ = _pick(rng, FIELD_MIX) if level == Level.BACHELOR else "general"
        # An approved application was eligible; otherwise a few could not be.
        eligible_only = status == Status.APPROVED
        if eligible_only and level == Level.ASSOCIATE:
            level = Level.BACHELOR
        academic_year = on.year if on.month >= 9 else on.year - 1
        upper_years = 0 if rng.random() < 0.7 or level != Level.BACHELOR else rng.randint(1, 2)
        programme_start = date(academic_year - upper_years, 9, rng.choice((9, 16, 23)))
        if programme_start > on:
            programme_start = date(academic_year - 1, 9, 16)
        entry_gap = (
            rng.randint(5, 80) if rng.random() < 0.94 or eligible_only else rng.randint(95, 200)
        )
        entry_date = on - timedelta(days=entry_gap)
        short_passport = not eligible_only and rng.random() < 0.12
        issued_before = (
            rng.randint(7 * 365, 9 * 365) if short_passport else rng.randint(30, 4 * 365)
        )
        passport_issue = on - timedelta(days=issued_before)
        passport_expiry = _add_years(passport_issue, 10)
        faculty, department = rng.choice(FACULTIES[field_])
        if level in (Level.MASTER, Level.DOCTORAL):
            faculty = rng.choice(GRADUATE_SCHOOLS)
        university_id, university_province = rng.choice(self.universities)
        province_id = (
            university_province if rng.random() < 0.85 else rng.choice(list(self.provinces))
        )
        code = self.provinces[province_id]
        passport_number = f"C{(s.number * PASSPORT_STEP) % PASSPORT_PRIME:08d}"
        app: dict[str, Any] = {
            "id": pk,
            "reference": None,
            "applicant_id": s.pk,
            "status": status,
            "assignee_id": None,
            "surname": s.surname,
            "given_names": s.given_names,
            "father_name": s.father_name,
            "mother_name": s.mother_name,
            "sex": s.sex,
            "date_of_birth": s.date_of_birth,
            "place_of_birth": s.place_of_birth,
            "marital_status": "single" if rng.random() < 0.9 else "married",
            "fin": s.fin,
            "phone": s.phone,
            "contact_email": s.email if rng.random() < 0.3 else "",
            "passport_number": passport_number,
            "passport_issue_date": passport_issue,
            "passport_expiry_date": passport_expiry,
            "passport_issuing_authority": "DMX",
            "entry_date": entry_date,
            "university_id": university_id,
            "faculty": faculty,
            "department": department,
            "student_number": str(rng.randint(10**8, 10**10 - 1)),
            "level": level,
            "field": field_,
            "programme_start": programme_start,
            "programme_end": None,
            "prep_year": rng.random() < 0.2 and level == Level.BACHELOR,
            "province_id": province_id,
            "district": rng.choice(DISTRICTS.get(code, ("Merkez",))),
            "neighbourhood": f"{rng.choice(NEIGHBOURHOODS)} Mahallesi",
            "address_line": f"{rng.choice(STREETS)} Sokak No: {rng.randint(1, 120)} "
            f"Daire {rng.randint(1, 24)}",
            "postal_code": f"{code:02d}{rng.randint(0, 999):03d}",
            "created_at": self._at(created_on),
            "submitted_at": None,
            "decided_at": None,
        }
        if status == Status.DRAFT:
            # A draft is filled up to some step: personal details first.
            filled = rng.randint(1, 4)
            blank_from = (
                (
                    {"passport_number", "passport_issue_date", "passport_expiry_date", "entry_date"}
                    if filled < 2
                    else set()
                )
                | (
                    {"university_id", "faculty", "department", "student_number", "programme_start"}
                    if filled < 3
                    else set()
                )
                | (
                    {"province_id", "district", "neighbourhood", "address_line", "postal_code"}
                    if filled < 4
                    else set()
                )
            )
            for name in blank_from:
                app[name] = None if name.endswith(("_id", "_date", "_start")) else ""
            app["updated_at"] = self._at(touched)
            if app["updated_at"] < app["created_at"]:
                app["created_at"] = app["updated_at"]
            app["_filled"] = filled
            return app
        app["submitted_at"] = self._at(submitted_on)
        if app["created_at"] > app["submitted_at"]:
            app["created_at"] = app["submitted_at"] - timedelta(hours=1)
        app["declaration_accepted_at"] = app["submitted_at"] - timedelta(minutes=rng.randint(1, 30))
        version = self._version_for(submitted_on)
        inputs = eligibility.EligibilityInput(
            level=level,
            field=field_,
            programme_start=programme_start,
            programme_end=None,
            prep_year=app["prep_year"],
            passport_expiry=passport_expiry,
            entry_date=entry_date,
            on=submitted_on,
        )
        with translation.override(s.language):
            outcome = eligibility.evaluate(inputs, self.policies[version.pk])
        app["eligibility_outcome"] = outcome.to_dict()
        app["passport_required_until"] = outcome.passport_required_until
        app["policy_version_id"] = version.pk
        app["evaluated_on"] = submitted_on
        app["_outcome"] = outcome
        app["_version"] = version
        return app

    def _derive(self, app: dict[str, Any]) -> None:
        """What ``Application.save()`` derives, with the same functions."""
        app["search_text"] = fold(
            " ".join(str(app.get(name) or "") for name in Application.SEARCHED_FIELDS)
        )
        for name, hash_name in Application.HASHED_FIELDS.items():
            app[hash_name] = identifier_hash(app.get(name) or "", purpose=name)

    # --- history --------------------------------------------------------------------------------

    def _history(
        self, app: dict[str, Any], s: Student, t: dict[str, Table], info_id: int | None
    ) -> list[Event]:
        """The events from creation to the current status, and the rows they made."""
        rng = self.rng
        status = app["status"]
        events = [Event(ApplicationEvent.Kind.CREATED, app["created_at"], s.pk)]
        if status == Status.DRAFT:
            return events
        submitted_at = app["submitted_at"]
        events.append(
            Event(
                ApplicationEvent.Kind.STATUS_CHANGED,
                submitted_at,
                s.pk,
                Status.DRAFT,
                Status.SUBMITTED,
                data={"reference": app["reference"], "policy_version": app["_version"].number},
            )
        )
        if status == Status.SUBMITTED:
            app["updated_at"] = submitted_at
            return events
        now = timezone.now()
        age = (now - submitted_at).days
        if status == Status.WITHDRAWN:
            reviewed = rng.random() < 0.4
            at = submitted_at + timedelta(days=rng.randint(1, max(1, min(age, 30))))
            from_status = Status.SUBMITTED
            if reviewed:
                officer = rng.choice(self.officer_ids)
                app["assignee_id"] = officer
                review_at = submitted_at + (at - submitted_at) / 2
                events.append(self._review_started(review_at, officer))
                from_status = Status.UNDER_REVIEW
            events.append(
                Event(
                    ApplicationEvent.Kind.STATUS_CHANGED,
                    at,
                    s.pk,
                    from_status,
                    Status.WITHDRAWN,
                    note=rng.choice(WITHDRAW_NOTES),
                )
            )
            app["updated_at"] = at
            return events
        officer = rng.choice(self.officer_ids)
        app["assignee_id"] = officer
        review_at = submitted_at + timedelta(
            days=rng.randint(0, max(0, min(age - 1, 25))), hours=rng.randint(1, 6)
        )
        review_at = min(review_at, now - timedelta(hours=1))
        events.append(self._review_started(review_at, officer))
        events.append(
            Event(ApplicationEvent.Kind.VIEWED, review_at + timedelta(minutes=2), officer)
        )
        last = review_at + timedelta(minutes=2)
        if status == Status.UNDER_REVIEW:
            app["updated_at"] = review_at
            return events
        if status == Status.INFO_REQUESTED:
            asked_at = review_at + timedelta(minutes=rng.randint(5, 90))
            # Mostly open for a while; a few are past their deadline.
            due = timezone.localdate(asked_at) + timedelta(days=30)
            t["info_request"].add(
                id=info_id,
                application_id=app["id"],
                requested_by_id=officer,
                document_kinds=["photo"],
                message=rng.choice(INFO_MESSAGES),
                due_date=due,
                state=InfoRequest.State.OPEN,
                created_at=asked_at,
            )
            events.append(
                Event(
                    ApplicationEvent.Kind.STATUS_CHANGED,
                    asked_at,
                    officer,
                    Status.UNDER_REVIEW,
                    Status.INFO_REQUESTED,
                    note=INFO_MESSAGES[0],
                    data={"info_request": info_id, "due_date": due.isoformat()},
                )
            )
            app["updated_at"] = asked_at
            return events
        # Decided: within 3 to 80 days of submission, never in the future.
        decided_at = max(
            last + timedelta(hours=1),
            submitted_at + timedelta(days=rng.randint(3, 80), hours=rng.randint(0, 6)),
        )
        decided_at = min(decided_at, now - timedelta(hours=1))
        app["decided_at"] = decided_at
        app["updated_at"] = decided_at
        if status == Status.APPROVED:
            outcome = app["_outcome"]
            valid_from = timezone.localdate(decided_at)
            valid_to = outcome.permit_end
            if outcome.max_permit_end_by_passport is not None:
                valid_to = min(valid_to, outcome.max_permit_end_by_passport)
            valid_to = max(valid_to, valid_from + timedelta(days=180))
            number = f"IKM-{app['reference']}"
            t["permit"].add(
                application_id=app["id"],
                number=number,
                valid_from=valid_from,
                valid_to=valid_to,
                verification_code=self._verification_code(),
                issued_by_id=officer,
                issued_at=decided_at,
                letter="",
            )
            events.append(
                Event(
                    ApplicationEvent.Kind.STATUS_CHANGED,
                    decided_at,
                    officer,
                    Status.UNDER_REVIEW,
                    Status.APPROVED,
                    data={
                        "permit": number,
                        "valid_from": valid_from.isoformat(),
                        "valid_to": valid_to.isoformat(),
                    },
                )
            )
        else:
            code, explanation = rng.choice(REJECT_REASONS)
            events.append(
                Event(
                    ApplicationEvent.Kind.STATUS_CHANGED,
                    decided_at,
                    officer,
                    Status.UNDER_REVIEW,
                    Status.REJECTED,
                    note=explanation,
                    data={"reasons": [code]},
                )
            )
        return events

    def _review_started(self, at: datetime, officer: int) -> Event:
        return Event(
            ApplicationEvent.Kind.STATUS_CHANGED,
            at,
            officer,
            Status.SUBMITTED,
            Status.UNDER_REVIEW,
        )

    def _verification_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(VERIFICATION_ALPHABET) for _ in range(10))
            if code not in self.verification_codes:
                self.verification_codes.add(code)
                return code

    def _notice(
        self, event_id: int, app: dict[str, Any], s: Student, event: Event, t: dict[str, Table]
    ) -> None:
        """The email a status change sent at the time (as ``notify_status_change`` does)."""
        if event.kind != ApplicationEvent.Kind.STATUS_CHANGED:
            return
        kind = STATUS_NOTICES.get((event.from_status, event.to_status))
        if kind is None and event.to_status == Status.WITHDRAWN:
            kind = app_notices.WITHDRAWN
        if kind is None:
            return
        sent_at = event.at + timedelta(seconds=self.rng.randint(2, 90))
        t["notification"].add(
            recipient_id=s.pk,
            to_email=s.email,
            application_id=app["id"],
            kind=kind,
            language=s.language,
            context={
                "reference": app["reference"] or "",
                "path": f"/applications/{app['id']}/",
                "date": timezone.localdate(event.at).isoformat(),
            },
            dedupe_key=f"event:{event_id}",
            state=Notification.State.SENT,
            attempts=1,
            next_attempt_at=event.at,
            created_at=event.at,
            sent_at=sent_at,
            # Most students have opened the bell since.
            read_at=sent_at + timedelta(hours=self.rng.randint(1, 72))
            if self.rng.random() < 0.85
            else None,
        )

    # --- documents ------------------------------------------------------------------------------

    def _documents(self, app: dict[str, Any], s: Student, t: dict[str, Table]) -> None:
        rng = self.rng
        status = app["status"]
        on = timezone.localdate(app["submitted_at"] or app["updated_at"])
        kinds = [
            requirement.code
            for requirement in eligibility.required_documents(birth_date=s.date_of_birth, on=on)
        ]
        if status == Status.DRAFT:
            kinds = kinds[: rng.randint(0, len(kinds))] if app["_filled"] >= 3 else []
        real = bool(kinds) and status != Status.DRAFT and self.files_left > 0
        if real:
            self.files_left -= 1
        uploaded_base = app["created_at"]
        for position, kind in enumerate(kinds):
            uploaded_at = uploaded_base + timedelta(minutes=3 * position + 1)
            if kind == "photo":
                content_type, original = "image/jpeg", "foto.jpg"
            else:
                content_type, original = "application/pdf", f"{kind.replace('_', '-')}.pdf"
            if real:
                content = tiny_png() if kind == "photo" else tiny_pdf(kind.replace("_", " "))
                if kind == "photo":
                    content_type, original = "image/png", "foto.png"
                name = Document._meta.get_field("file").storage.save(
                    f"documents/seed/{app['id']}-{kind}.{original.rsplit('.', 1)[1]}",
                    ContentFile(content),
                )
                size, digest = len(content), hashlib.sha256(content).hexdigest()
            else:
                name = f"documents/seed/{app['id']}-{kind}.{original.rsplit('.', 1)[1]}"
                size, digest = rng.randint(60_000, 2_500_000), f"{rng.getrandbits(256):064x}"
            review, reason, reviewer, reviewed_at = Document.Review.PENDING, "", None, None
            if status in (Status.APPROVED, Status.REJECTED) or (
                status in (Status.UNDER_REVIEW, Status.INFO_REQUESTED) and rng.random() < 0.5
            ):
                review, reviewer = Document.Review.ACCEPTED, app["assignee_id"]
                reviewed_at = app["updated_at"]
            if status == Status.INFO_REQUESTED and kind == "photo":
                review, reviewer = Document.Review.NEEDS_REPLACEMENT, app["assignee_id"]
                reason, reviewed_at = "Not a biometric photo.", app["updated_at"]
            t["document"].add(
                application_id=app["id"],
                kind=kind,
                file=name,
                original_name=original,
                content_type=content_type,
                size=size,
                sha256=digest,
                uploaded_by_id=s.pk,
                uploaded_at=uploaded_at,
                is_current=True,
                review=review,
                review_reason=reason,
                reviewed_by_id=reviewer,
                reviewed_at=reviewed_at,
            )


def _email_model():
    from allauth.account.models import EmailAddress

    return EmailAddress
