"""Fail fast, with instructions, when the services the test suite needs are not running.

The suite runs against PostgreSQL on purpose (partial unique indexes, row locks, SKIP LOCKED);
it never falls back to SQLite.
"""

import os
import sys

import environ
import psycopg

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        print(f"make test needs PostgreSQL; DATABASE_URL is {url!r}.", file=sys.stderr)
        return 2
    try:
        psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        print(
            f"PostgreSQL is not reachable at {config['HOST']}:{config['PORT']} ({exc}).\n"
            f"Start it with:\n    {START_POSTGRES}\n"
            "or point DATABASE_URL at a running server.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
