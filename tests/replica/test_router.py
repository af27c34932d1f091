"""The router without a real replica: who reads where, and DATABASE_REPLICA_URL in settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import router
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from accounts.models import User
from core.replica import REPLICA_ALIAS, reads_from_replica, replica_reads

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def configured_replica(settings):
    """A ``replica`` alias in settings only: nothing here connects to it."""
    settings.DATABASES = {**settings.DATABASES, REPLICA_ALIAS: {"ENGINE": "unused"}}


def test_the_router_is_installed():
    assert django_settings.DATABASE_ROUTERS == ["portal.db_router.ReplicaRouter"]


def test_without_a_replica_everything_reads_and_writes_default():
    assert REPLICA_ALIAS not in django_settings.DATABASES
    assert router.db_for_read(User) == "default"
    with replica_reads():
        assert router.db_for_read(User) == "default"
        assert router.db_for_write(User) == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.usefixtures("configured_replica")
def test_only_reads_inside_the_block_go_to_the_replica():
    assert router.db_for_read(User) == "default"
    with replica_reads():
        assert router.db_for_read(User) == REPLICA_ALIAS
        assert router.db_for_write(User) == "default"
        with replica_reads():
            pass
        # A nested block leaves the outer one as it was.
        assert router.db_for_read(User) == REPLICA_ALIAS
    assert router.db_for_read(User) == "default"
    assert router.allow_migrate("default", "accounts")
    assert not router.allow_migrate(REPLICA_ALIAS, "accounts")


@pytest.mark.django_db
def test_a_write_inside_the_block_goes_to_default_without_a_replica():
    with replica_reads():
        user = User.objects.create(email="in-the-block@example.org")
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.usefixtures("configured_replica")
def test_a_streamed_body_is_made_on_the_replica_after_the_view_returns():
    seen_by_the_body: list[str] = []
    seen_between_chunks: list[str] = []

    def body():
        for _ in range(3):
            seen_by_the_body.append(router.db_for_read(User))
            yield b"line\n"

    @reads_from_replica
    def view(request):
        assert router.db_for_read(User) == REPLICA_ALIAS
        return StreamingHttpResponse(body())

    response = view(RequestFactory().get("/"))
    assert seen_by_the_body == []
    for _chunk in response.streaming_content:
        seen_between_chunks.append(router.db_for_read(User))
    assert seen_by_the_body == [REPLICA_ALIAS] * 3
    # The switch is off while the consumer holds a chunk.
    assert seen_between_chunks == ["default"] * 3


def _settings_databases(**env: str) -> dict:
    script = (
        "import json, portal.settings as s; "
        "print(json.dumps({'dbs': s.DATABASES, 'routers': s.DATABASE_ROUTERS}, default=str))"
    )
    keep = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed script) # nosec B603
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**keep, "DJANGO_ENV": "development", **env},
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_settings_add_the_replica_only_when_its_url_is_set():
    assert "replica" not in _settings_databases()["dbs"]
    found = _settings_databases(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal",
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5433/portal",
        CONN_MAX_AGE="60",
    )
    replica = found["dbs"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("10.0.0.2", 5433, "reader")
    assert replica["CONN_MAX_AGE"] == 60
    assert replica["TEST"] == {"MIRROR": "default"}
    assert found["routers"] == ["portal.db_router.ReplicaRouter"]
