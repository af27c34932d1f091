"""Delete drafts untouched for DRAFT_RETENTION_DAYS days (data minimisation, KVKK Art. 4)."""

from django.core.management.base import BaseCommand

from applications.services import drafts_purge_inactive


class Command(BaseCommand):
    help = "Delete never-submitted drafts that nobody has changed for DRAFT_RETENTION_DAYS days."

    def handle(self, *args, **options):
        count = drafts_purge_inactive()
        self.stdout.write(f"Deleted {count} inactive draft(s).")
