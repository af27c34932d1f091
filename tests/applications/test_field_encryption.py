"""Passport numbers and FINs at rest: encrypted columns, keyed search hashes, rotation, masks.

The database is read with plain SQL where it matters: what a dump, a backup or a replica holds is
the column as stored, not what the model shows.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import importlib
import io
import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application, Status
from core import crypto
from core.search import identifier_match
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSPORT = "C12345678"
# Not the FIN the user factory gives every profile: accounts.Profile.fin is not encrypted (yet).
FIN = "7XYZ12P"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(application: Application) -> dict[str, str]:
    """The row as the database holds it."""
    columns = ["passport_number", "fin", "passport_number_hash", "fin_hash", "search_text"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM applications_application WHERE id = %s",  # noqa: S608
            [application.pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def application():
    return ApplicationFactory(passport_number=PASSPORT, fin=FIN)


# --- at rest ---------------------------------------------------------------------------------


def test_the_columns_hold_no_clear_identifier(application, settings):
    row = stored(application)

    for value in row.values():
        assert PASSPORT not in value
        assert FIN not in value
        assert PASSPORT.lower() not in value
        assert FIN.lower() not in value
    # Fernet tokens, readable with the configured key and nothing else.
    key = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
    assert key.decrypt(row["passport_number"].encode()).decode() == PASSPORT
    assert key.decrypt(row["fin"].encode()).decode() == FIN
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(row["passport_number"].encode())


def test_the_model_reads_the_clear_values_back(application):
    loaded = fresh(application)

    assert (loaded.passport_number, loaded.fin) == (PASSPORT, FIN)
    assert Application.objects.filter(pk=application.pk).values_list(
        "passport_number", "fin"
    ).get() == (PASSPORT, FIN)


def test_equal_values_are_stored_differently_but_hash_alike():
    first = ApplicationFactory(passport_number=PASSPORT)
    second = ApplicationFactory(passport_number=PASSPORT)

    assert stored(first)["passport_number"] != stored(second)["passport_number"]
    assert stored(first)["passport_number_hash"] == stored(second)["passport_number_hash"]


def test_an_empty_value_stays_empty(settings):
    draft = ApplicationFactory(passport_number="", fin="")

    row = stored(draft)

    assert row["passport_number"] == row["fin"] == ""
    assert row["passport_number_hash"] == row["fin_hash"] == ""
    assert fresh(draft).passport_number == ""


def test_the_hash_is_a_keyed_hmac_of_the_normalised_value(application, settings):
    row = stored(application)

    expected = hmac.new(
        settings.FIELD_HASH_KEY.encode(), f"passport_number\x00{PASSPORT}".encode(), hashlib.sha256
    ).hexdigest()
    assert row["passport_number_hash"] == expected
    # Not a plain hash: without the key, the few possible passport numbers cannot be tried.
    assert row["passport_number_hash"] != hashlib.sha256(PASSPORT.encode()).hexdigest()
    # Each field under its own label: equal strings in two fields do not link.
    assert crypto.identifier_hash("X", purpose="fin") != crypto.identifier_hash(
        "X", purpose="passport_number"
    )


def test_the_hash_finds_the_application_by_exact_value_only(application):
    ApplicationFactory()  # someone else

    for term in (PASSPORT, PASSPORT.lower(), " c 1234 5678 ", FIN, FIN.lower()):
        assert list(Application.objects.filter(identifier_match(term))) == [application], term
    for term in (PASSPORT[:-1], FIN[1:], "", "   "):
        assert not Application.objects.filter(identifier_match(term)).exists(), term


def test_search_text_no_longer_holds_the_identifiers(application):
    assert stored(application)["search_text"] == "memmedova gulsen aygun"  # Məmmədova Gülşən Aygün


def test_the_hashes_follow_every_save(application):
    application.passport_number = "C87654321"
    application.save(update_fields=["passport_number"])

    assert list(Application.objects.filter(identifier_match("C87654321"))) == [application]
    assert not Application.objects.filter(identifier_match(PASSPORT)).exists()
    assert Application.objects.filter(identifier_match(FIN)).exists()  # untouched


def test_the_encrypted_columns_refuse_comparisons(application):
    """The tokens are randomised: a comparison would silently match nothing, so it is refused."""
    for lookup in ({"passport_number": PASSPORT}, {"fin__icontains": "ABC"}, {"fin__in": [FIN]}):
        with pytest.raises(FieldError):
            list(Application.objects.filter(**lookup))
    assert Application.objects.filter(fin__isnull=False, pk=application.pk).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("passport_number", "c1234567"),
        ("passport_number", "C1234"),
        ("passport_number", "C12345678901234"),
        ("fin", "5ABCDOK"),
        ("fin", "5ABCD7KK"),
    ],
)
def test_validators_apply_to_the_clear_value(field, value):
    with pytest.raises(ValidationError) as excinfo:
        ApplicationFactory.build(**{field: value}).full_clean(
            exclude=["applicant", "university", "province"]
        )
    assert set(excinfo.value.message_dict) == {field}


# --- never in the clear on the way out -------------------------------------------------------


def test_no_query_carries_a_clear_identifier(officer, client_for):
    """What the database (and its statement log) is sent holds no clear identifier."""
    with CaptureQueriesContext(connection) as captured:
        application = ApplicationFactory(passport_number=PASSPORT, fin=FIN)
        client_for(officer).get(reverse("officer-queue"), {"q": PASSPORT, "status": "draft"})
        application.save()

    sql = "\n".join(query["sql"] for query in captured.captured_queries)
    assert PASSPORT not in sql
    assert FIN not in sql


def test_the_model_never_prints_an_identifier(application, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValidationError) as excinfo:
        ApplicationFactory.build(passport_number="c1234567x").full_clean()

    for text in (str(application), repr(application), str(excinfo.value), repr(excinfo.value)):
        assert PASSPORT not in text
        assert "c1234567x" not in text
    assert PASSPORT not in caplog.text


def test_a_token_no_key_opens_fails_without_showing_anything(application, settings):
    token = stored(application)["passport_number"]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(crypto.DecryptionFailed) as excinfo:
        fresh(application)

    assert token not in str(excinfo.value)
    assert excinfo.value.__cause__ is None


# --- masks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "keep_start", "masked"),
    [
        ("C12345432", 1, "C•••••432"),
        ("AA1234567", 1, "A•••••567"),
        ("5ABCD7K", 0, "••••D7K"),
        ("AB12", 1, "••12"),
        ("", 1, ""),
    ],
)
def test_mask(value, keep_start, masked):
    assert crypto.mask(value, keep_start=keep_start) == masked


def test_lists_show_masks_and_the_review_page_the_full_values(application_in, officer, client_for):
    submitted = application_in(Status.SUBMITTED, passport_number=PASSPORT, fin=FIN)
    client = client_for(officer)

    queue = client.get(reverse("officer-queue")).content.decode()
    export = b"".join(client.get(reverse("officer-queue-export")).streaming_content).decode()
    review = client.get(reverse("officer-review", args=[submitted.pk])).content.decode()

    for page in (queue, export):
        assert PASSPORT not in page
        assert FIN not in page
        assert "C•••••678" in page
        assert "••••12P" in page
    row = next(
        r for r in csv.reader(io.StringIO(export.lstrip("\ufeff"))) if r[0] == submitted.reference
    )
    assert row[-3:-1] == ["C•••••678", "••••12P"]
    # Opening the application shows the full values, and the opening is recorded.
    assert PASSPORT in review
    assert FIN in review
    assert submitted.events.filter(kind="viewed", actor=officer).exists()


def test_the_admin_shows_masks_and_finds_by_exact_value(application_in, client_for):
    submitted = application_in(Status.SUBMITTED, passport_number=PASSPORT, fin=FIN)
    other = application_in(Status.SUBMITTED)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(admin)
    changelist = reverse("admin:applications_application_changelist")

    listing = client.get(changelist).content.decode()
    found = client.get(changelist, {"q": "c1234 5678"}).content.decode()
    by_part = client.get(changelist, {"q": PASSPORT[:5]}).content.decode()
    detail = client.get(
        reverse("admin:applications_application_change", args=[submitted.pk])
    ).content.decode()

    assert "C•••••678" in listing
    assert PASSPORT not in listing
    assert FIN not in listing
    assert submitted.reference in found
    assert other.reference not in found
    assert submitted.reference not in by_part
    assert "C•••••678" in detail
    assert PASSPORT not in detail
    assert FIN not in detail


# --- rotation --------------------------------------------------------------------------------


def test_rows_stay_readable_through_a_rotation(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    application = ApplicationFactory(passport_number=PASSPORT, fin=FIN)
    written_under_old = stored(application)["passport_number"]

    # A new key goes first; the old one stays for the rows written under it.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert (fresh(application).passport_number, fresh(application).fin) == (PASSPORT, FIN)
    assert stored(application)["passport_number"] == written_under_old

    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "Examined 1 application(s); rewrote 1." in out.getvalue()

    row = stored(application)
    assert Fernet(NEW_KEY).decrypt(row["passport_number"].encode()).decode() == PASSPORT
    assert Fernet(NEW_KEY).decrypt(row["fin"].encode()).decode() == FIN
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(row["passport_number"].encode())

    # The old key can go now.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    loaded = fresh(application)
    assert (loaded.passport_number, loaded.fin) == (PASSPORT, FIN)
    assert loaded.updated_at == application.updated_at  # not a change anybody made
    assert loaded.version == application.version
    assert list(Application.objects.filter(identifier_match(PASSPORT))) == [application]


def test_rotation_works_in_batches_and_leaves_current_rows_alone(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old_rows = [ApplicationFactory() for _ in range(3)]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    new_rows = [ApplicationFactory(), ApplicationFactory(passport_number="", fin="")]
    untouched = {a.pk: stored(a)["passport_number"] for a in new_rows}

    out = io.StringIO()
    call_command("rotate_field_keys", "--batch-size", "2", stdout=out)
    again = io.StringIO()
    call_command("rotate_field_keys", stdout=again)

    assert "Examined 5 application(s); rewrote 3." in out.getvalue()
    assert "rewrote 0." in again.getvalue()
    assert {a.pk: stored(a)["passport_number"] for a in new_rows} == untouched
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    for application in old_rows:
        assert fresh(application).passport_number == application.passport_number


def test_rotation_refreshes_the_hashes_after_a_new_hash_key(application, settings):
    settings.FIELD_HASH_KEY = "a-new-hash-key-for-this-test-only"
    assert not Application.objects.filter(identifier_match(PASSPORT)).exists()

    call_command("rotate_field_keys", stdout=io.StringIO())

    assert list(Application.objects.filter(identifier_match(PASSPORT))) == [application]
    assert list(Application.objects.filter(identifier_match(FIN))) == [application]


def test_rotation_stops_at_a_row_no_key_opens(application, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the only key that wrote it is gone

    with pytest.raises(CommandError) as excinfo:
        call_command("rotate_field_keys", stdout=io.StringIO())

    assert f"Application #{application.pk}" in str(excinfo.value)
    assert PASSPORT not in str(excinfo.value)


def test_bad_keys_are_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured) as excinfo:
        crypto.encrypt(PASSPORT)
    assert "not-a-fernet-key" not in str(excinfo.value)

    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt(PASSPORT)


def test_the_system_check_reports_unusable_keys_at_start(settings):
    assert crypto.check_keys() == []

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key", NEW_KEY]
    settings.FIELD_HASH_KEY = ""

    assert [error.id for error in crypto.check_keys()] == [
        "applications.E001",
        "applications.E002",
    ]


# --- the migration ---------------------------------------------------------------------------

BEFORE = [("applications", "0008_reminder_indexes")]
AFTER = [("applications", "0009_encrypt_identifiers")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_existing_rows_in_batches_and_back(monkeypatch):
    migration = importlib.import_module("applications.migrations.0009_encrypt_identifiers")
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)
    applicant_ids = [UserFactory().pk for _ in range(5)]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        OldApplication = old_apps.get_model("applications", "Application")
        rows = [
            OldApplication.objects.create(
                applicant_id=applicant_id,
                surname="Çelik",
                passport_number=f"C0000000{n}",
                fin=f"5ABCD{n}K" if n else "",
                search_text=f"celik c0000000{n} 5abcd{n}k",
            ).pk
            for n, applicant_id in enumerate(applicant_ids)
        ]

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        for n, pk in enumerate(rows):
            row = stored(Application(pk=pk))
            assert row["passport_number"].startswith("gAAAAA")
            assert crypto.decrypt(row["passport_number"]) == f"C0000000{n}"
            assert crypto.decrypt(row["fin"]) == ("" if n == 0 else f"5ABCD{n}K")
            assert (row["fin"] == "") is (n == 0)  # an empty value stays empty
            assert row["search_text"] == "celik"
            assert row["passport_number_hash"] == crypto.identifier_hash(
                f"C0000000{n}", purpose="passport_number"
            )
        # The model as of this migration: later migrations add columns this schema lacks.
        NewApplication = executor.loader.project_state(AFTER).apps.get_model(
            "applications", "Application"
        )
        found = NewApplication.objects.filter(identifier_match("5ABCD3K"))
        assert list(found.values_list("pk", flat=True)) == [rows[3]]

        # Back again: the clear values return, to the columns and to the search text.
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT passport_number, fin, search_text FROM applications_application "
                "WHERE id = %s",
                [rows[3]],
            )
            assert cursor.fetchone() == ("C00000003", "5ABCD3K", "celik c00000003 5abcd3k")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
