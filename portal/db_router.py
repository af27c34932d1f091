"""Sends the reads that opted in (``core.replica``) to the read replica, everything else to
the primary.

Installed whether or not a replica is configured: without a ``replica`` alias in DATABASES
(``DATABASE_REPLICA_URL`` unset, or a test) every read goes to ``default``.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

from core.replica import read_alias


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases are the same data, one of them a moment behind.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica replays the primary's migrations; it cannot run any itself.
        return db == DEFAULT_DB_ALIAS
