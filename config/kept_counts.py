"""Counts kept by the database's triggers (insights' weekly counts, the campaign's equipped days):
creating the triggers, dropping them, and putting them back after a `migrate` if any is missing
(SQLite's table rebuilds keep them: config/db/sqlite3/schema.py), with the counts recomputed from
their source tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections


def execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@dataclass(frozen=True)
class KeptCounts:
    triggers: dict[str, tuple[str, ...]]  # table watched → its triggers' names
    tables: tuple[str, ...]  # the counts' own tables
    create: Callable[[str], tuple[str, ...]]  # vendor → the statements creating the triggers (idempotent)
    rebuild: Callable[[str], tuple[str, ...]]  # vendor → the statements recomputing the counts

    def install(self, connection, *, rebuild: bool = True) -> None:
        """Create the triggers and, unless told not to, recompute the counts from their sources."""
        execute(connection, self.create(connection.vendor))
        if rebuild:
            execute(connection, self.rebuild(connection.vendor))

    def drop(self, connection) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, names in self.triggers.items():
                for name in names:
                    if connection.vendor == "postgresql":
                        cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {table}")
                    else:
                        cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")

    def present(self, connection) -> set[str]:
        watched = list(self.triggers)
        marks = ", ".join(["%s"] * len(watched))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                casts = ", ".join(["%s::regclass"] * len(watched))
                cursor.execute(f"SELECT tgname FROM pg_trigger WHERE tgrelid IN ({casts})", watched)  # noqa: S608
            else:
                cursor.execute(
                    f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",  # noqa: S608
                    watched,
                )
            return {row[0] for row in cursor.fetchall()}

    def ensure(self, *, using: str = "default", **kwargs) -> bool:
        """After `migrate`: put the triggers back if any is missing, and recompute the
        counts they keep. Returns whether it had to."""
        connection = connections[using]
        if connection.vendor not in ("sqlite", "postgresql"):
            return False
        if not {*self.triggers, *self.tables} <= set(connection.introspection.table_names()):
            return False
        if {name for names in self.triggers.values() for name in names} <= self.present(connection):
            return False
        self.install(connection)
        return True
