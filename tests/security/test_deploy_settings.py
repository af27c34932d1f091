"""Production settings: `check --deploy` is clean with the example; bad set-ups refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.production.example"


def example_environment() -> dict[str, str]:
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def manage(*args: str, **overrides: str | None) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the developer's or the test run's own configuration leaks in.
        if not key.startswith(("DJANGO", "DATABASE", "SECRET", "ALLOWED", "DEBUG"))
    }
    environment |= example_environment()
    for key, value in overrides.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_example():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_local_development_key():
    result = manage("check", SECRET_KEY="django-insecure-local-development-key-change-me")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "overrides",
    [
        {"FIELD_ENCRYPTION_KEYS": None},
        {"FIELD_HASH_KEY": None},
        {"FIELD_ENCRYPTION_KEYS": "pxWQ9rJDOazS2XBO-LN7ET-pIZXSH1V-U7p4kXzKa7o="},
        {"FIELD_HASH_KEY": "local-only-field-hash-key-54DjIgKymLq67oeA_OGN2coZyXi9KIgl9YZEoZg6yfE"},
    ],
    ids=["no-encryption-key", "no-hash-key", "local-encryption-key", "local-hash-key"],
)
def test_production_refuses_the_published_field_keys(overrides):
    result = manage("check", **overrides)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set" in result.stderr


def test_production_accepts_the_local_key_behind_its_own_while_rotating():
    own = example_environment()["FIELD_ENCRYPTION_KEYS"]
    local = "pxWQ9rJDOazS2XBO-LN7ET-pIZXSH1V-U7p4kXzKa7o="
    result = manage("check", FIELD_ENCRYPTION_KEYS=f"{own},{local}")
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_hosts():
    result = manage("check", ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("DEBUG", "False"),
        ("SESSION_COOKIE_SECURE", "True"),
        ("CSRF_COOKIE_SECURE", "True"),
        ("SESSION_COOKIE_HTTPONLY", "True"),
        ("CSRF_COOKIE_HTTPONLY", "True"),
        ("SECURE_SSL_REDIRECT", "True"),
        ("SECURE_PROXY_SSL_HEADER", "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ("SECURE_HSTS_SECONDS", "31536000"),
        (
            "STORAGES['staticfiles']['BACKEND']",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    ],
)
def test_production_values(setting, expected):
    # DEBUG=true in the environment is ignored in production.
    result = manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{setting})", DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
