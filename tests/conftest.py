"""Suite-wide fixtures. The suite runs on PostgreSQL only (see scripts/check_services.py)."""

import pytest
from django.conf import settings


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(
            "The test suite runs against PostgreSQL: set DATABASE_URL "
            "(make test uses postgres://postgres@127.0.0.1:5432/portal).",
            returncode=2,
        )


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a real password on every user; a cheap hasher keeps the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def student(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def officer(db):
    from tests.factories import OfficerFactory

    return OfficerFactory()
