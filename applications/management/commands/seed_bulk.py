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

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from applications.bulk_seed.context import prepare_context
from applications.bulk_seed.reference_data import EMAIL_DOMAIN
from applications.bulk_seed.run import write_applications
from applications.bulk_seed.status_plan import expected_counts, status_plan

# The bench, the load test and the tests import these from here.
__all__ = ["EMAIL_DOMAIN", "Command", "expected_counts"]


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
        ctx = prepare_context(
            seed=options["seed"],
            officers=options["officers"],
            supervisors=options["supervisors"],
            files=options["files"],
        )
        plan = status_plan(total, rng=ctx.rng)
        progress = tqdm(
            total=total,
            unit="app",
            desc="seed_bulk",
            file=sys.stderr,
            disable=options["no_progress"],
            dynamic_ncols=True,
        )
        tables = write_applications(ctx, plan, chunk=options["chunk"], progress=progress)
        seconds = (timezone.now() - started).total_seconds()
        counts = ", ".join(f"{t.model._meta.model_name} {t.count}" for t in tables)
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {total} applications in {seconds:.1f} s ({counts}).")
        )
