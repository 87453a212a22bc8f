"""What the database derives from the tickets by itself: triggers, one set per database.

- `counts`: repairs_statecount, tickets per establishment and state (repairs/models/counts.py).

Triggers rather than the services, because tickets are also written by bulk seeds, imports, the
admin and raw SQL, and a derived row that only the services maintain drifts at the first of those.

Installed by the migration that creates their tables, and checked after every `migrate` by
`triggers_ensure` (connected in RepairsConfig.ready): on SQLite, Django rebuilds a table to alter
it (a new table, a copy, a rename), and the old table's triggers go with it. A missing trigger is
put back and what it maintains is rebuilt from the tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections

TICKET = "repairs_ticket"


@dataclass(frozen=True)
class Part:
    name: str
    table: str  # the table it maintains; the part is installed once this table exists
    triggers: tuple[str, ...]  # names, to check they are all there
    create: dict[str, tuple[str, ...]]  # vendor → statements
    rebuild: dict[str, tuple[str, ...]]  # vendor → statements recomputing the table from the tickets


_COUNT_UPSERT = (
    "INSERT INTO repairs_statecount (establishment_id, establishment_key, state, tickets) "
    "VALUES ({row}.establishment_id, COALESCE({row}.establishment_id, 0), {row}.state, {n}) "
    "ON CONFLICT (establishment_key, state) DO UPDATE SET tickets = repairs_statecount.tickets + ({n})"
)
_COUNTS_REBUILD = (
    "DELETE FROM repairs_statecount",
    "INSERT INTO repairs_statecount (establishment_id, establishment_key, state, tickets) "
    "SELECT establishment_id, COALESCE(establishment_id, 0), state, COUNT(*) FROM repairs_ticket "
    "GROUP BY establishment_id, state",
)
COUNTS = Part(
    name="counts",
    table="repairs_statecount",
    triggers=("repairs_statecount_insert", "repairs_statecount_update", "repairs_statecount_delete"),
    create={
        "sqlite": (
            f"CREATE TRIGGER IF NOT EXISTS repairs_statecount_insert AFTER INSERT ON {TICKET} BEGIN "
            f"{_COUNT_UPSERT.format(row='NEW', n=1)}; END",
            "CREATE TRIGGER IF NOT EXISTS repairs_statecount_update "
            f"AFTER UPDATE OF state, establishment_id ON {TICKET} "
            "WHEN OLD.state IS NOT NEW.state OR OLD.establishment_id IS NOT NEW.establishment_id BEGIN "
            f"{_COUNT_UPSERT.format(row='OLD', n=-1)}; {_COUNT_UPSERT.format(row='NEW', n=1)}; END",
            f"CREATE TRIGGER IF NOT EXISTS repairs_statecount_delete AFTER DELETE ON {TICKET} BEGIN "
            f"{_COUNT_UPSERT.format(row='OLD', n=-1)}; END",
        ),
        "postgresql": (
            "CREATE OR REPLACE FUNCTION repairs_statecount_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_COUNT_UPSERT.format(row='OLD', n=-1)}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_COUNT_UPSERT.format(row='NEW', n=1)}; END IF; "
            "RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS repairs_statecount_insert ON {TICKET}",
            f"CREATE TRIGGER repairs_statecount_insert AFTER INSERT ON {TICKET} "
            "FOR EACH ROW EXECUTE FUNCTION repairs_statecount_change()",
            f"DROP TRIGGER IF EXISTS repairs_statecount_update ON {TICKET}",
            f"CREATE TRIGGER repairs_statecount_update AFTER UPDATE OF state, establishment_id ON {TICKET} "
            "FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state "
            "OR OLD.establishment_id IS DISTINCT FROM NEW.establishment_id) "
            "EXECUTE FUNCTION repairs_statecount_change()",
            f"DROP TRIGGER IF EXISTS repairs_statecount_delete ON {TICKET}",
            f"CREATE TRIGGER repairs_statecount_delete AFTER DELETE ON {TICKET} "
            "FOR EACH ROW EXECUTE FUNCTION repairs_statecount_change()",
        ),
    },
    rebuild={"sqlite": _COUNTS_REBUILD, "postgresql": _COUNTS_REBUILD},
)


PARTS = {part.name: part for part in (COUNTS,)}


def _execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def triggers_install(connection, *, part: str, rebuild: bool = True) -> None:
    """Create `part`'s triggers (idempotent) and, unless told not to, recompute its table."""
    definition = PARTS[part]
    _execute(connection, definition.create[connection.vendor])
    if rebuild:
        _execute(connection, definition.rebuild[connection.vendor])


def triggers_drop(connection, *, part: str) -> None:
    """Drop `part`'s triggers."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in PARTS[part].triggers:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {TICKET}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")


def _present(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [TICKET])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TICKET])
        return {row[0] for row in cursor.fetchall()}


def triggers_ensure(*, using: str = "default", **kwargs) -> list[str]:
    """After `migrate`: put back any trigger a table rebuild dropped, then rebuild what it kept.
    Returns the names of the parts that were repaired."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if TICKET not in tables:
        return []
    present = _present(connection)
    repaired = []
    for part in PARTS.values():
        if part.table in tables and not set(part.triggers) <= present:
            triggers_install(connection, part=part.name)
            repaired.append(part.name)
    return repaired
