"""What the database derives from the tickets by itself: triggers, one set per database.

- `counts`: repairs_statecount, tickets per establishment and state (repairs/models/counts.py);
- `search`: repairs_ticket_search, each ticket's searchable words (repairs/search.py): its
  reference, its laptop's serial number and asset tag, the name of the student holding the laptop
  and of the student who declared it, and its description, as they were when it was declared or
  last edited. An FTS5 table on SQLite, a tsvector with a GIN index on PostgreSQL;
- `facts`: the repeat-failure flags of each ticket (repairs/models/facts.py), set at its
  declaration and recomputed for the laptop's later tickets when one is cancelled (or back from
  cancelled), deleted, or moved to another laptop or date.

Triggers rather than the services, because tickets are also written by bulk seeds, imports, the
admin and raw SQL, and a derived row that only the services maintain drifts at the first of those.

Installed by the migration that creates their tables, and checked after every `migrate` by
`triggers_ensure` (connected in RepairsConfig.ready). On SQLite, Django rebuilds a table to alter
it (a new table, a copy, a rename) and the old table's triggers would go with it: the project's
schema editor keeps them (config/db/sqlite3/schema.py). A trigger missing all the same (dropped by
hand, or by a tool on Django's own backend) is put back and what it maintains is rebuilt from the
tickets.
"""

# ruff: noqa: S608  (every statement here is a constant of this module: no input reaches it)
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
    column: str = ""  # a column of the tickets table it needs (installed once it exists)


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


def _document(row: str, vendor: str) -> str:
    """The SQL text of a ticket's searchable words; `row` is NEW in a trigger, t in a rebuild."""
    holders = (
        "SELECT {agg} FROM devices_assignment a JOIN auth_user u ON u.id = a.student_id "
        f"WHERE a.device_id = {row}.device_id AND a.returned_at IS NULL"
    )
    reporter = (
        "SELECT u.first_name || ' ' || u.last_name FROM auth_user u JOIN devices_profile p ON p.user_id = u.id "
        f"WHERE u.id = {row}.reporter_id AND p.role = 'student'"
    )
    device = f"SELECT d.serial_number || ' ' || d.asset_tag FROM devices_device d WHERE d.id = {row}.device_id"
    if vendor == "sqlite":
        holders = holders.format(agg="group_concat(u.first_name || ' ' || u.last_name, ' ')")
        return (
            f"{row}.reference || ' ' || COALESCE(({device}), '') || ' ' || COALESCE(({holders}), '') || ' ' "
            f"|| COALESCE(({reporter}), '') || ' ' || {row}.description"
        )
    holders = holders.format(agg="string_agg(u.first_name || ' ' || u.last_name, ' ')")
    words = f"concat_ws(' ', {row}.reference, ({device}), ({holders}), ({reporter}), {row}.description)"
    # unaccent, then only letters and digits: "R-2026-000123" and "l'écran" split as FTS5 splits them.
    return f"to_tsvector('simple', regexp_replace(unaccent({words}), '[^[:alnum:]]+', ' ', 'g'))"


_SEARCH_CHANGED = (
    "OLD.reference IS NOT NEW.reference OR OLD.device_id IS NOT NEW.device_id "
    "OR OLD.reporter_id IS NOT NEW.reporter_id OR OLD.description IS NOT NEW.description"
)
_PG_SEARCH_UPSERT = (
    "INSERT INTO repairs_ticket_search (ticket_id, document) SELECT {row}.id, {document} "
    "ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document"
)
SEARCH = Part(
    name="search",
    table="repairs_ticket_search",
    triggers=("repairs_ticket_search_insert", "repairs_ticket_search_update", "repairs_ticket_search_delete"),
    create={
        "sqlite": (
            # remove_diacritics 2: "ecran" finds "écran"; prefix indexes for the short words typed.
            "CREATE VIRTUAL TABLE IF NOT EXISTS repairs_ticket_search USING fts5(document, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
            f"CREATE TRIGGER IF NOT EXISTS repairs_ticket_search_insert AFTER INSERT ON {TICKET} BEGIN "
            f"INSERT INTO repairs_ticket_search (rowid, document) VALUES (NEW.id, {_document('NEW', 'sqlite')}); END",
            "CREATE TRIGGER IF NOT EXISTS repairs_ticket_search_update "
            f"AFTER UPDATE OF reference, device_id, reporter_id, description ON {TICKET} WHEN {_SEARCH_CHANGED} "
            "BEGIN DELETE FROM repairs_ticket_search WHERE rowid = OLD.id; "
            f"INSERT INTO repairs_ticket_search (rowid, document) VALUES (NEW.id, {_document('NEW', 'sqlite')}); END",
            f"CREATE TRIGGER IF NOT EXISTS repairs_ticket_search_delete AFTER DELETE ON {TICKET} BEGIN "
            "DELETE FROM repairs_ticket_search WHERE rowid = OLD.id; END",
        ),
        "postgresql": (
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            "CREATE TABLE IF NOT EXISTS repairs_ticket_search "
            "(ticket_id bigint PRIMARY KEY, document tsvector NOT NULL)",
            "CREATE INDEX IF NOT EXISTS repairs_ticket_search_document ON repairs_ticket_search USING gin (document)",
            "CREATE OR REPLACE FUNCTION repairs_ticket_search_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' THEN DELETE FROM repairs_ticket_search WHERE ticket_id = OLD.id; RETURN NULL; END IF; "
            f"{_PG_SEARCH_UPSERT.format(row='NEW', document=_document('NEW', 'postgresql'))}; "
            "RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS repairs_ticket_search_insert ON {TICKET}",
            f"CREATE TRIGGER repairs_ticket_search_insert AFTER INSERT ON {TICKET} "
            "FOR EACH ROW EXECUTE FUNCTION repairs_ticket_search_change()",
            f"DROP TRIGGER IF EXISTS repairs_ticket_search_update ON {TICKET}",
            f"CREATE TRIGGER repairs_ticket_search_update "
            f"AFTER UPDATE OF reference, device_id, reporter_id, description ON {TICKET} "
            f"FOR EACH ROW WHEN ({_SEARCH_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
            "EXECUTE FUNCTION repairs_ticket_search_change()",
            f"DROP TRIGGER IF EXISTS repairs_ticket_search_delete ON {TICKET}",
            f"CREATE TRIGGER repairs_ticket_search_delete AFTER DELETE ON {TICKET} "
            "FOR EACH ROW EXECUTE FUNCTION repairs_ticket_search_change()",
        ),
    },
    rebuild={
        "sqlite": (
            "DELETE FROM repairs_ticket_search",
            "INSERT INTO repairs_ticket_search (rowid, document) "
            f"SELECT t.id, {_document('t', 'sqlite')} FROM {TICKET} t",
        ),
        "postgresql": (
            "TRUNCATE repairs_ticket_search",
            f"INSERT INTO repairs_ticket_search (ticket_id, document) SELECT t.id, {_document('t', 'postgresql')} "
            f"FROM {TICKET} t",
        ),
    },
)


def _shift(value: str, days: int, vendor: str) -> str:
    # The same instants as the reports' ShiftDays always used (SQLite's datetime() text, PostgreSQL's interval).
    return f"datetime({value}, '{days:+d} days')" if vendor == "sqlite" else f"({value} + INTERVAL '{days:d} days')"


def _repeat(days: int, vendor: str) -> str:
    earliest = _shift(f"{TICKET}.declared_at", -days, vendor)
    return (
        f"EXISTS (SELECT 1 FROM {TICKET} e WHERE e.device_id = {TICKET}.device_id AND e.state <> 'cancelled' "
        f"AND e.declared_at < {TICKET}.declared_at AND e.declared_at >= {earliest})"
    )


def _recompute(vendor: str, *, device: str = "", since: str = "") -> str:
    """The flags of the laptop's tickets declared from `since` to 91 days later (a ticket at
    `since` counts for those of the next 90 days), or of every ticket."""
    where = (
        f" WHERE device_id = {device} AND declared_at >= {since} AND declared_at <= {_shift(since, 91, vendor)}"
        if device
        else ""
    )
    return f"UPDATE {TICKET} SET repeat_30_days = {_repeat(30, vendor)}, repeat_90_days = {_repeat(90, vendor)}{where}"


def facts_correct(vendor: str) -> str:
    """The facts' rebuild limited to the tickets whose stored flags it disagrees with: after a bulk
    load that wrote flags of its own with the triggers off (bench/region_derive.py), only its
    mistakes are written, not a second version of every ticket and of each of its index entries."""
    return (
        f"{_recompute(vendor)} WHERE repeat_30_days <> ({_repeat(30, vendor)}) "
        f"OR repeat_90_days <> ({_repeat(90, vendor)})"
    )


_FACTS_MOVED = (
    "(OLD.state = 'cancelled') IS NOT (NEW.state = 'cancelled') OR OLD.device_id IS NOT NEW.device_id "
    "OR OLD.declared_at IS NOT NEW.declared_at"
)
FACTS = Part(
    name="facts",
    table=TICKET,
    column="repeat_30_days",
    triggers=("repairs_facts_insert", "repairs_facts_update", "repairs_facts_delete"),
    create={
        "sqlite": (
            f"CREATE TRIGGER IF NOT EXISTS repairs_facts_insert AFTER INSERT ON {TICKET} BEGIN "
            f"{_recompute('sqlite', device='NEW.device_id', since='NEW.declared_at')}; END",
            "CREATE TRIGGER IF NOT EXISTS repairs_facts_update "
            f"AFTER UPDATE OF state, device_id, declared_at ON {TICKET} WHEN {_FACTS_MOVED} BEGIN "
            f"{_recompute('sqlite', device='OLD.device_id', since='OLD.declared_at')}; "
            f"{_recompute('sqlite', device='NEW.device_id', since='NEW.declared_at')}; END",
            f"CREATE TRIGGER IF NOT EXISTS repairs_facts_delete AFTER DELETE ON {TICKET} BEGIN "
            f"{_recompute('sqlite', device='OLD.device_id', since='OLD.declared_at')}; END",
        ),
        "postgresql": (
            "CREATE OR REPLACE FUNCTION repairs_facts_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            f"{_recompute('postgresql', device='OLD.device_id', since='OLD.declared_at')}; END IF; "
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
            f"{_recompute('postgresql', device='NEW.device_id', since='NEW.declared_at')}; END IF; "
            "RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS repairs_facts_insert ON {TICKET}",
            f"CREATE TRIGGER repairs_facts_insert AFTER INSERT ON {TICKET} "
            "FOR EACH ROW EXECUTE FUNCTION repairs_facts_change()",
            f"DROP TRIGGER IF EXISTS repairs_facts_update ON {TICKET}",
            f"CREATE TRIGGER repairs_facts_update AFTER UPDATE OF state, device_id, declared_at ON {TICKET} "
            f"FOR EACH ROW WHEN ({_FACTS_MOVED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
            "EXECUTE FUNCTION repairs_facts_change()",
            f"DROP TRIGGER IF EXISTS repairs_facts_delete ON {TICKET}",
            f"CREATE TRIGGER repairs_facts_delete AFTER DELETE ON {TICKET} "
            "FOR EACH ROW EXECUTE FUNCTION repairs_facts_change()",
        ),
    },
    rebuild={"sqlite": (_recompute("sqlite"),), "postgresql": (_recompute("postgresql"),)},
)
PARTS = {part.name: part for part in (COUNTS, SEARCH, FACTS)}


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


def triggers_drop(connection, *, part: str, tables: bool = False) -> None:
    """Drop `part`'s triggers (and, with `tables`, what they maintain outside the models)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in PARTS[part].triggers:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {TICKET}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
        if tables and part == "search":
            cursor.execute("DROP TABLE IF EXISTS repairs_ticket_search")


def _present(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [TICKET])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TICKET])
        return {row[0] for row in cursor.fetchall()}


def triggers_ensure(*, using: str = "default", **kwargs) -> list[str]:
    """After `migrate`: put back any trigger that is missing, then rebuild what it kept.
    Returns the names of the parts that were repaired."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if TICKET not in tables:
        return []
    present = _present(connection)
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, TICKET)}
    repaired = []
    for part in PARTS.values():
        installable = part.table in tables and (not part.column or part.column in columns)
        if installable and not set(part.triggers) <= present:
            triggers_install(connection, part=part.name)
            repaired.append(part.name)
    return repaired
