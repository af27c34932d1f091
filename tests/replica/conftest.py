"""A real streaming replica of the test cluster, and the ``replica`` alias pointing at it.

``streaming_replica`` copies the running primary with ``pg_basebackup -R -X stream`` into a
temporary directory and starts it as a hot standby on a free port of 127.0.0.1, as the
``postgres`` OS user (PostgreSQL refuses to run as root). It is stopped (``-m immediate``) and
its directory removed when the tests of the module are done, whether they passed or not.

The primary must accept replication connections from 127.0.0.1. When its pg_hba.conf has no
``replication`` line, one is appended (``host replication all 127.0.0.1/32 trust``) and the
configuration reloaded: the suite runs as root on a machine whose PostgreSQL serves only the
tests (README, "Reads off the primary"). The line stays for the next runs. Where the file
cannot be written the tests are skipped, and fail under CI.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REPLICATION_LINE = "host replication all 127.0.0.1/32 trust"
TIMEOUT_SECONDS = 30
# A hot standby refuses to start with less of these than its primary has.
STANDBY_MATCHES_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"No streaming replica under CI: {reason}")
    pytest.skip(f"No streaming replica: {reason}")


def _connect(**params: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(autocommit=True, connect_timeout=5, **params)


def _scalar(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


@dataclass
class Replica:
    """The running standby and how to reach it; ``primary`` and ``params`` are psycopg's."""

    port: int
    primary: dict[str, Any]
    params: dict[str, Any]

    def connect(self) -> psycopg.Connection[Any]:
        return _connect(**self.params)

    def catch_up(self) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        with _connect(**self.primary) as primary:
            target = _scalar(primary, "SELECT pg_current_wal_lsn()")
        with self.connect() as conn:
            self._wait(conn, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))

    def pause(self) -> None:
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            self._wait(conn, "SELECT pg_get_wal_replay_pause_state() = 'paused'")

    def resume(self) -> None:
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    @staticmethod
    def _wait(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...] = ()) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not _scalar(conn, sql, params):
            if time.monotonic() > deadline:
                raise AssertionError(f"The replica did not get there in time: {sql}")
            time.sleep(0.05)


def _primary_params(settings_dict: dict[str, Any]) -> dict[str, Any]:
    return {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": int(settings_dict["PORT"] or 5432),
        "user": settings_dict["USER"] or "postgres",
        "password": settings_dict["PASSWORD"] or None,
        "dbname": settings_dict["NAME"],
    }


def _allow_replication(primary: psycopg.Connection[Any]) -> None:
    wal_level = _scalar(primary, "SHOW wal_level")
    if wal_level not in {"replica", "logical"}:
        _unavailable(f"the primary's wal_level is {wal_level}, not replica")
    if int(_scalar(primary, "SHOW max_wal_senders")) < 2:
        _unavailable("the primary's max_wal_senders is below 2 (pg_basebackup -X stream)")
    rules = "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)"
    if _scalar(primary, rules):
        return
    hba_file = Path(_scalar(primary, "SHOW hba_file"))
    try:
        with hba_file.open("a") as hba:
            hba.write("\n# Added by tests/replica (README, Reads off the primary).\n")
            hba.write(REPLICATION_LINE + "\n")
    except OSError as exc:
        _unavailable(f"{hba_file} has no replication line and cannot be written ({exc})")
    primary.execute("SELECT pg_reload_conf()")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str | Path) -> list[str]:
    args = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(  # noqa: S603 (our own fixed commands) # nosec B603
        _as_postgres(*command), capture_output=True, text=True, timeout=60, env=env, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{Path(str(command[0])).name} failed: {done.stderr or done.stdout}")


def _base_backup(primary: dict[str, Any], data: Path) -> None:
    env = dict(os.environ, PGPASSWORD=primary["password"] or "")
    command = [PG_BIN / "pg_basebackup", "-h", primary["host"], "-p", str(primary["port"])]
    command += ["-U", primary["user"], "-D", data, "-R", "-X", "stream"]
    # A fast checkpoint: the default spreads it over minutes.
    command += ["--checkpoint=fast", "--no-sync"]
    for attempt in range(20):
        try:
            return _run(*command, env=env)
        except RuntimeError as exc:
            # pg_reload_conf() only signals the postmaster: the new line may not be read yet.
            if "pg_hba.conf" not in str(exc) or attempt == 19:
                raise
            shutil.rmtree(data, ignore_errors=True)
            time.sleep(0.25)


def _configure_standby(workdir: Path, data: Path, port: int, limits: dict[str, str]) -> None:
    """Its own port, socket and pg_hba.conf (Debian keeps the primary's outside its data)."""
    hba = workdir / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    lines = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{workdir}'",
        f"hba_file = '{hba}'",
        "hot_standby = on",
        "logging_collector = off",
        *(f"{name} = {value}" for name, value in limits.items()),
    ]
    # Appended: a copied postgresql.conf (other distributions keep it in the data) is overruled.
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("\n" + "\n".join(lines) + "\n")
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        for path in (hba, data / "postgresql.conf"):
            os.chown(path, postgres.pw_uid, postgres.pw_gid)


def _wait_until_standby(params: dict[str, Any]) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            with _connect(**params) as conn:
                if _scalar(conn, "SELECT pg_is_in_recovery()"):
                    return
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("The replica did not accept connections as a standby in time.")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def streaming_replica(django_db_setup: None) -> Iterator[Replica]:
    from django.db import connections

    if shutil.which("runuser") is None and os.geteuid() == 0:
        _unavailable("runuser is missing (PostgreSQL will not run as root)")
    # The test database exists by now: the copy carries it.
    primary = _primary_params(connections["default"].settings_dict)
    with _connect(**primary) as conn:
        _allow_replication(conn)
        limits = {
            name: _scalar(conn, "SELECT current_setting(%s)", (name,))
            for name in STANDBY_MATCHES_PRIMARY
        }
    workdir = Path(tempfile.mkdtemp(prefix="portal-replica-"))
    data = workdir / "data"
    log = workdir / "replica.log"
    started = False
    try:
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(workdir, postgres.pw_uid, postgres.pw_gid)
        _base_backup(primary, data)
        port = _free_port()
        _configure_standby(workdir, data, port, limits)
        started = True  # from here a half-started server is stopped too
        try:
            _run(PG_BIN / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "30", "start")
        except RuntimeError as exc:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{exc}\n{tail}") from exc
        params = {**primary, "host": "127.0.0.1", "port": port}
        _wait_until_standby(params)
        yield Replica(port=port, primary=primary, params=params)
    finally:
        if started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _run(PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_alias(streaming_replica: Replica) -> Iterator[str]:
    """DATABASES["replica"]: the test database on the standby, as DATABASE_REPLICA_URL would.

    Module-scoped, so that the alias exists before the test case is set up: a test lists it in
    ``django_db(databases=[...])``, and Django refuses an alias it does not know then. MIRROR
    keeps the test case from flushing it (a standby is read-only). The router looks at
    settings.DATABASES, the connection handler at its own dict: today they are one object, but
    both are set so that neither is missed. The connection is closed and forgotten afterwards.
    """
    from django.conf import settings
    from django.db import connections

    from core.replica import REPLICA_ALIAS

    default = connections["default"].settings_dict
    entry = {
        **default,
        "HOST": "127.0.0.1",
        "PORT": str(streaming_replica.port),
        "OPTIONS": dict(default["OPTIONS"]),
        "TEST": {**default["TEST"], "MIRROR": "default"},
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(connections.settings, REPLICA_ALIAS, entry)
        patch.setitem(settings.DATABASES, REPLICA_ALIAS, entry)
        try:
            yield REPLICA_ALIAS
        finally:
            for connection in connections.all(initialized_only=True):
                if connection.alias == REPLICA_ALIAS:
                    connection.close()
                    del connections[REPLICA_ALIAS]
