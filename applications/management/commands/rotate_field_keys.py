"""Re-encrypt passport numbers, FINs and two-factor secrets under the first key."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from applications.rotation import ROTATION_BATCH_SIZE, account_secrets_rotate, field_keys_rotate
from core.crypto import DecryptionFailed


class Command(BaseCommand):
    help = (
        "Re-encrypt every passport number and FIN with the first key of FIELD_ENCRYPTION_KEYS "
        "and recompute their search hashes with FIELD_HASH_KEY. Run it after putting a new key "
        "first; remove the old key only once it has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=ROTATION_BATCH_SIZE,
            help="Applications per transaction (default: %(default)s).",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            result = field_keys_rotate(batch_size=options["batch_size"])
            accounts = account_secrets_rotate()
            # Apps above this one that hold encrypted fields (reports) rotate their own.
            others = [
                config.rotate_secrets()
                for config in apps.get_app_configs()
                if hasattr(config, "rotate_secrets")
            ]
        except DecryptionFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Examined {result.examined} application(s); rewrote {result.rewritten}.")
        self.stdout.write(f"Rewrote {accounts} profile FIN(s) and two-factor secret(s).")
        for line in others:
            self.stdout.write(line)
