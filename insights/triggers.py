"""The weekly counts of insights/models.py, kept by the database: triggers, one set per database.

- on the tickets: a ticket declared, edited, moved to another state, laptop, establishment, date or
  category, or deleted takes its old contribution off its rows and adds its new one;
- on the laptops: a laptop whose model or delivery month changes moves its tickets' contributions
  from the old model and batch to the new ones (the counts are keyed by the laptop's model and
  delivery month, which the tickets do not carry).

Triggers rather than the services, for the reasons repairs/triggers.py gives: tickets and laptops
are also written by bulk seeds, imports, the admin and raw SQL. Installed by migration 0002 with
a rebuild from the tickets, kept through SQLite's table rebuilds (config/db/sqlite3/schema.py), and
put back after every `migrate` by `triggers_ensure` (connected in InsightsConfig.ready) if any is
missing all the same.
"""

# ruff: noqa: S608  (every statement here is built from constants of this module: no input reaches it)
from __future__ import annotations

from config.kept_counts import KeptCounts
from insights import params
from repairs.states import State

TICKET, DEVICE = "repairs_ticket", "devices_device"
TABLES = ("insights_failureweek", "insights_batchweek", "insights_turnaroundweek")
TRIGGERS = {
    TICKET: ("insights_counts_ticket_insert", "insights_counts_ticket_update", "insights_counts_ticket_delete"),
    DEVICE: ("insights_counts_device_update",),
}
_NOT_FAILURES = ", ".join(f"'{state}'" for state in params.NOT_FAILURES)
_RETURNED = f"'{State.RETURNED}'"


def _week(value: str, vendor: str) -> str:
    """The Monday (UTC) of the week an instant falls in; exact on both databases (no float)."""
    if vendor == "sqlite":  # Django stores UTC text: the next Sunday (or that day), less six days
        return f"date({value}, 'weekday 0', '-6 days')"
    return f"CAST(date_trunc('week', {value} AT TIME ZONE 'UTC') AS date)"


def _month(value: str, vendor: str) -> str:
    if vendor == "sqlite":
        return f"date({value}, 'start of month')"
    return f"CAST(date_trunc('month', CAST({value} AS timestamp)) AS date)"


def _month_key(value: str, vendor: str) -> str:
    if vendor == "sqlite":
        return f"COALESCE(CAST(strftime('%Y%m', {value}) AS INTEGER), 0)"
    return f"COALESCE(CAST(to_char({value}, 'YYYYMM') AS integer), 0)"


def _away(ticket: str, vendor: str) -> str:
    """Microseconds from declaration to resolution, as an exact integer."""
    if vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({ticket}.resolved_at - {ticket}.declared_at)) * 1000000 AS bigint)"

    def micro(column: str) -> str:  # whole seconds, then the six digits after them (absent when zero)
        value = f"{ticket}.{column}"
        fraction = f"CAST(substr({value} || '.000000', 21, 6) AS INTEGER)"
        return f"(CAST(strftime('%s', {value}) AS INTEGER) * 1000000 + {fraction})"

    return f"({micro('resolved_at')} - {micro('declared_at')})"


def _upserts(*, ticket: str, device: str, source: str, sign: str, vendor: str) -> tuple[str, ...]:
    """Add (sign "") or take off (sign "-") the contribution of the tickets `source` selects.

    `ticket` and `device` name the ticket's and the laptop's row in it (NEW, OLD, or aliases t, d);
    every statement groups, so that tickets that count nowhere insert nothing."""
    failure = f"{ticket}.state NOT IN ({_NOT_FAILURES})"
    return (
        "INSERT INTO insights_failureweek (week, establishment_id, establishment_key, model_id, failures) "
        f"SELECT {_week(f'{ticket}.declared_at', vendor)}, {ticket}.establishment_id, "
        f"COALESCE({ticket}.establishment_id, 0), {device}.model_id, {sign}COUNT(*) "
        f"{source} AND {failure} GROUP BY 1, 2, 3, 4 "
        "ON CONFLICT (week, establishment_key, model_id) "
        "DO UPDATE SET failures = insights_failureweek.failures + excluded.failures",
        "INSERT INTO insights_batchweek (week, model_id, delivered_month, month_key, category, failures) "
        f"SELECT {_week(f'{ticket}.declared_at', vendor)}, {device}.model_id, "
        f"{_month(f'{device}.delivered_on', vendor)}, {_month_key(f'{device}.delivered_on', vendor)}, "
        f"{ticket}.category, {sign}COUNT(*) "
        f"{source} AND {failure} GROUP BY 1, 2, 3, 4, 5 "
        "ON CONFLICT (week, model_id, month_key, category) "
        "DO UPDATE SET failures = insights_batchweek.failures + excluded.failures",
        "INSERT INTO insights_turnaroundweek (week, model_id, returned, microseconds) "
        f"SELECT {_week(f'{ticket}.resolved_at', vendor)}, {device}.model_id, {sign}COUNT(*), "
        f"{sign}SUM({_away(ticket, vendor)}) "
        f"{source} AND {ticket}.state = {_RETURNED} AND {ticket}.resolved_at IS NOT NULL GROUP BY 1, 2 "
        "ON CONFLICT (week, model_id) DO UPDATE SET returned = insights_turnaroundweek.returned + excluded.returned, "
        "microseconds = insights_turnaroundweek.microseconds + excluded.microseconds",
    )


def _for_ticket(row: str, sign: str, vendor: str) -> tuple[str, ...]:
    source = f"FROM {DEVICE} d WHERE d.id = {row}.device_id"
    return _upserts(ticket=row, device="d", source=source, sign=sign, vendor=vendor)


def _for_device(row: str, sign: str, vendor: str) -> tuple[str, ...]:
    # The device's tickets under its OLD or NEW model and delivery date (the tickets are the same).
    source = f"FROM {TICKET} t WHERE t.device_id = NEW.id"
    return _upserts(ticket="t", device=row, source=source, sign=sign, vendor=vendor)


_TICKET_COLUMNS = "state, device_id, establishment_id, declared_at, resolved_at, category"
_TICKET_CHANGED = (
    "OLD.device_id IS NOT NEW.device_id OR OLD.establishment_id IS NOT NEW.establishment_id "
    "OR OLD.declared_at IS NOT NEW.declared_at OR OLD.resolved_at IS NOT NEW.resolved_at "
    "OR OLD.category IS NOT NEW.category "
    f"OR (OLD.state IN ({_NOT_FAILURES})) IS NOT (NEW.state IN ({_NOT_FAILURES})) "
    f"OR (OLD.state = {_RETURNED}) IS NOT (NEW.state = {_RETURNED})"
)


def _device_changed(vendor: str) -> str:
    return (
        f"OLD.model_id IS NOT NEW.model_id "
        f"OR {_month_key('OLD.delivered_on', vendor)} IS NOT {_month_key('NEW.delivered_on', vendor)}"
    )


def _pg(condition: str) -> str:
    return condition.replace(" IS NOT ", " IS DISTINCT FROM ")


def _create_sqlite() -> tuple[str, ...]:
    def body(*statements: str) -> str:
        return " ".join(f"{statement};" for statement in statements)

    insert, update, delete = TRIGGERS[TICKET]
    return (
        f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {TICKET} BEGIN "
        f"{body(*_for_ticket('NEW', '', 'sqlite'))} END",
        f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {_TICKET_COLUMNS} ON {TICKET} "
        f"WHEN {_TICKET_CHANGED} BEGIN "
        f"{body(*_for_ticket('OLD', '-', 'sqlite'), *_for_ticket('NEW', '', 'sqlite'))} END",
        f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {TICKET} BEGIN "
        f"{body(*_for_ticket('OLD', '-', 'sqlite'))} END",
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[DEVICE][0]} AFTER UPDATE OF model_id, delivered_on ON {DEVICE} "
        f"WHEN {_device_changed('sqlite')} BEGIN "
        f"{body(*_for_device('OLD', '-', 'sqlite'), *_for_device('NEW', '', 'sqlite'))} END",
    )


def _create_postgresql() -> tuple[str, ...]:
    def block(*statements: str) -> str:
        return " ".join(f"{statement};" for statement in statements)

    insert, update, delete = TRIGGERS[TICKET]
    return (
        "CREATE OR REPLACE FUNCTION insights_counts_ticket_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {block(*_for_ticket('OLD', '-', 'postgresql'))} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {block(*_for_ticket('NEW', '', 'postgresql'))} END IF; "
        "RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {insert} ON {TICKET}",
        f"CREATE TRIGGER {insert} AFTER INSERT ON {TICKET} "
        "FOR EACH ROW EXECUTE FUNCTION insights_counts_ticket_change()",
        f"DROP TRIGGER IF EXISTS {update} ON {TICKET}",
        f"CREATE TRIGGER {update} AFTER UPDATE OF {_TICKET_COLUMNS} ON {TICKET} "
        f"FOR EACH ROW WHEN ({_pg(_TICKET_CHANGED)}) EXECUTE FUNCTION insights_counts_ticket_change()",
        f"DROP TRIGGER IF EXISTS {delete} ON {TICKET}",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {TICKET} "
        "FOR EACH ROW EXECUTE FUNCTION insights_counts_ticket_change()",
        "CREATE OR REPLACE FUNCTION insights_counts_device_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{block(*_for_device('OLD', '-', 'postgresql'), *_for_device('NEW', '', 'postgresql'))} "
        "RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {TRIGGERS[DEVICE][0]} ON {DEVICE}",
        f"CREATE TRIGGER {TRIGGERS[DEVICE][0]} AFTER UPDATE OF model_id, delivered_on ON {DEVICE} "
        f"FOR EACH ROW WHEN ({_pg(_device_changed('postgresql'))}) "
        "EXECUTE FUNCTION insights_counts_device_change()",
    )


def _rebuild(vendor: str) -> tuple[str, ...]:
    source = f"FROM {TICKET} t JOIN {DEVICE} d ON d.id = t.device_id WHERE 1 = 1"
    return (
        *(f"DELETE FROM {table}" for table in TABLES),
        *_upserts(ticket="t", device="d", source=source, sign="", vendor=vendor),
    )


COUNTS = KeptCounts(
    triggers=TRIGGERS,
    tables=TABLES,
    create=lambda vendor: _create_sqlite() if vendor == "sqlite" else _create_postgresql(),
    rebuild=_rebuild,
)
triggers_install, triggers_drop, triggers_ensure = COUNTS.install, COUNTS.drop, COUNTS.ensure
