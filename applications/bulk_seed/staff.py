"""The team the seeded applications are assigned to: officers and supervisors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import OFFICER, SUPERVISOR
from accounts.services import email_mark_verified, totp_authenticator_set, totp_secret_normalise

from .reference_data import EMAIL_DOMAIN


def seed_staff(*, officers: int, supervisors: int, password: str) -> tuple[list[int], list[int]]:
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
                        "password": password,
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
