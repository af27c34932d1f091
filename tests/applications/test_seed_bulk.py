"""`manage.py seed_bulk`: bulk data that behaves like the real thing (issue 8).

The command writes with COPY and skips ``Model.save()``, so these tests check that what ``save()``
and the workflow would have made is there all the same: derived search fields, hashes, references
and counters, valid values, and pages that work on the result.
"""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.http import QueryDict
from django.urls import reverse

from accounts.models import User
from applications.management.commands.seed_bulk import EMAIL_DOMAIN, expected_counts
from applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    InfoRequest,
    ReferenceCounter,
    Status,
)
from applications.queue import queue_filtered
from applications.references import REFERENCE_RE
from core.search import fold
from documents.models import Document
from notifications.models import Notification
from permits.models import Permit

pytestmark = pytest.mark.django_db

N = 300


def seed(**options) -> str:
    out = StringIO()
    options = {"officers": 2, "supervisors": 1, "files": 0, "no_progress": True} | options
    call_command("seed_bulk", applications=options.pop("applications", N), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    seed(files=2, chunk=120)  # three chunks: returning students come from earlier ones


def test_the_status_mix_is_exact(seeded):
    counts = dict(Application.objects.values_list("status").annotate(n=Count("pk")))
    assert counts == {status: n for status, n in expected_counts(N).items() if n}
    assert sum(counts.values()) == N


def test_references_are_unique_and_the_counters_moved_past_them(seeded):
    references = list(
        Application.objects.exclude(reference=None).values_list("reference", flat=True)
    )
    assert len(references) == len(set(references)) == N - expected_counts(N)["draft"]
    highest: dict[int, int] = {}
    for reference in references:
        match = REFERENCE_RE.match(reference)
        assert match, reference
        year, number = int(match["year"]), int(match["number"])
        highest[year] = max(highest.get(year, 0), number)
    assert dict(ReferenceCounter.objects.values_list("year", "last")) == highest


def test_identifiers_are_encrypted_and_found_by_the_queue_search(seeded, officer):
    application = Application.objects.filter(status__in=OPEN_STATUSES).order_by("pk").first()
    # Encrypted at rest: the column holds a token, the model gives the clear value back.
    stored = Application.objects.filter(pk=application.pk).values_list("passport_number")[0][0]
    assert application.passport_number.startswith("C")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT passport_number FROM applications_application WHERE id = %s", [application.pk]
        )
        assert cursor.fetchone()[0] != application.passport_number
    assert stored == application.passport_number

    def found(term: str) -> bool:
        params = QueryDict(mutable=True)
        params["q"] = term
        return queue_filtered(params=params, officer=officer).qs.filter(pk=application.pk).exists()

    assert found(application.passport_number)
    assert found(application.passport_number.lower())
    assert found(application.fin)
    assert found(fold(f"{application.given_names} {application.surname}"))
    assert found(application.reference)


def test_rows_are_valid_and_their_history_fits(seeded):
    # Every field passes the model's validators (names in Latin letters with Azerbaijani ones,
    # FIN and passport formats, postal codes); the database's check constraints held on COPY.
    for application in Application.objects.exclude(status=Status.DRAFT).order_by("pk")[:40]:
        application.full_clean(exclude=["applicant"])
        assert application.search_text == fold(
            f"{application.reference} {application.surname} {application.given_names}"
        )
        assert (
            application.eligibility_outcome["policy_version"] == application.policy_version.number
        )
        assert application.submitted_at >= application.created_at
    assert any(
        letter in "".join(Application.objects.values_list("surname", flat=True))
        for letter in "ƏəĞğıİÖöÜüÇçŞş"
    )
    # Each decided application has its permit or refusal, each open request its row.
    assert Permit.objects.count() == expected_counts(N)["approved"]
    assert InfoRequest.objects.filter(state="open").count() == expected_counts(N)["info_requested"]
    submitted = ApplicationEvent.objects.filter(to_status=Status.SUBMITTED).count()
    assert submitted == N - expected_counts(N)["draft"]
    # ... and the notices those changes sent, already delivered.
    assert Notification.objects.filter(kind="submitted", state="sent").count() == submitted
    # A student has at most one active application, as the constraint demands; some have more
    # than one over the years.
    applicants = User.objects.filter(email__endswith="@" + EMAIL_DOMAIN, applications__isnull=False)
    assert applicants.distinct().count() < N


def test_a_few_documents_are_real_files(seeded):
    documents = Document.objects.all()
    assert documents.count() > 5 * (N - expected_counts(N)["draft"])
    real = [d for d in documents.order_by("pk")[:40] if d.file.storage.exists(d.file.name)]
    assert real, "the first applications get real files"
    for document in real:
        with document.file.open("rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert len(content) == document.size


def test_the_pages_work_on_seeded_data(seeded, client_for):
    officer = User.objects.get(email=f"officer1@{EMAIL_DOMAIN}")
    assert client_for(officer).get(reverse("officer-queue")).status_code == 200
    application = Application.objects.filter(status=Status.UNDER_REVIEW).first()
    review = client_for(officer).get(reverse("officer-review", args=[application.pk]))
    assert review.status_code == 200
    student = application.applicant
    dashboard = client_for(student).get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert application.reference in dashboard.content.decode()


def test_the_same_seed_gives_the_same_rows(settings):
    settings.DEBUG = True

    def fingerprint() -> list[tuple]:
        with transaction.atomic():
            seed(applications=60)
            rows = list(
                Application.objects.order_by("pk").values_list(
                    "status", "surname", "given_names", "reference", "passport_number_hash", "level"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = fingerprint()
    assert first == fingerprint()
    assert len(first) == 60


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed(applications=1)
