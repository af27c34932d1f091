"""The profile's FIN and the two-factor secrets are encrypted at rest and rotate with the keys."""

import io

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accounts.models import Profile
from accounts.services import totp_authenticator_set
from applications.management.commands.seed_demo import current_totp_code
from tests.factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def raw(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_the_profile_fin_is_stored_encrypted():
    user = UserFactory()
    profile = Profile.objects.get(user=user)
    profile.fin = "5ABC12P"
    profile.save()
    stored = raw("SELECT fin FROM accounts_profile WHERE id = %s", [profile.pk])
    assert "5ABC12P" not in stored
    assert Profile.objects.get(pk=profile.pk).fin == "5ABC12P"


def test_the_totp_secret_is_stored_encrypted_and_still_gives_codes():
    officer = OfficerFactory()
    authenticator = totp_authenticator_set(user=officer, secret=SECRET)
    stored = raw("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
    assert SECRET not in stored
    from allauth.mfa.totp.internal.auth import TOTP

    code = current_totp_code(SECRET)
    assert TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(code)


def test_rotation_covers_profiles_and_authenticators(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    officer = OfficerFactory()
    authenticator = totp_authenticator_set(user=officer, secret=SECRET)
    profile = Profile.objects.get(user=officer)
    profile.fin = "5ABC12P"
    profile.save()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    # The profile, the TOTP authenticator and the recovery codes' seed.
    assert "Rewrote 3 profile FIN(s) and two-factor secret(s)." in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert Profile.objects.get(pk=profile.pk).fin == "5ABC12P"
    from allauth.mfa.totp.internal.auth import TOTP

    assert TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(
        current_totp_code(SECRET)
    )
    again = io.StringIO()
    call_command("rotate_field_keys", stdout=again)
    assert "Rewrote 0 profile FIN(s)" in again.getvalue()
