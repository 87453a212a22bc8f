"""The region's tickets and timelines written with the database's triggers off, and what those
triggers keep derived once afterwards (bench/region_data.py).

Through the triggers, every ticket written by COPY ran four of them (the counts per state, its
search words, the weekly counts, its repeat-failure flags: an UPDATE of the ticket just written,
which gave each of the 35 indexes of the tickets a second entry), and every ticket and timeline
row queued the checks of its foreign keys for the COMMIT: 97 minutes for a million tickets. Here:

- PostgreSQL loads with `session_replication_role = replica` for the transaction: neither the
  app's triggers nor the foreign-key checks fire. SQLite drops the tickets' triggers and puts them
  back afterwards (its foreign-key checks are a counter: they stay on);
- the counts per state, the search words and the weekly counts are rebuilt by the statements
  the apps use to rebuild them after a migration (repairs/triggers.py, insights/triggers.py);
- the repeat-failure flags are written by the generator, and the database's own definition then
  rewrites the tickets whose flags it disagrees with (none, when the generator was right): the
  flags are the database's whatever the generator computed, without an UPDATE of every ticket;
- on PostgreSQL, each foreign key of the tickets and timelines is checked by one anti-join:
  a row pointing nowhere stops the build, as the COMMIT's checks would have.

bench/region_equal.py compares a region built this way with one built through the triggers.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

# ruff: noqa: S608  (statements built from the models' and the apps' own table and column names)


def _ticket_parts():
    from insights.triggers import COUNTS as WEEKLY_COUNTS
    from repairs.triggers import PARTS

    return PARTS, WEEKLY_COUNTS


@contextmanager
def triggers_off(connection):
    """Within the build's transaction: the tickets' and timelines' writes fire nothing."""
    parts, weekly = _ticket_parts()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        return
    from repairs.triggers import triggers_drop, triggers_install

    for name in parts:
        triggers_drop(connection, part=name)
    weekly.drop(connection)
    yield
    for name in parts:
        triggers_install(connection, part=name, rebuild=False)
    weekly.install(connection, rebuild=False)


def derive(connection) -> dict[str, float | int]:
    """What the triggers would have kept, from the tickets as written. Returns each step's seconds
    and the number of tickets whose repeat flags the database corrected."""
    from repairs.triggers import facts_correct

    parts, weekly = _ticket_parts()
    steps: dict[str, float | int] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(facts_correct(connection.vendor))
        steps["facts corrected"] = cursor.rowcount
    steps["facts"] = time.perf_counter() - started
    for label, statements in (
        ("counts per state", parts["counts"].rebuild[connection.vendor]),
        ("search words", parts["search"].rebuild[connection.vendor]),
        ("weekly counts", weekly.rebuild(connection.vendor)),
    ):
        started = time.perf_counter()
        _execute(connection, statements)
        steps[label] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        foreign_keys_check(connection)
        steps["foreign keys"] = time.perf_counter() - started
    return steps


def foreign_keys_check(connection) -> None:
    """The checks the load skipped: one anti-join per foreign key of the tickets and timelines."""
    from repairs.models import Ticket, TimelineEntry

    quote = connection.ops.quote_name
    orphans = []
    with connection.cursor() as cursor:
        for model in (Ticket, TimelineEntry):
            for field in model._meta.concrete_fields:
                if not (field.is_relation and field.db_constraint):
                    continue
                target = field.target_field
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} c WHERE c.{quote(field.column)} IS NOT NULL "
                    f"AND NOT EXISTS (SELECT 1 FROM {quote(target.model._meta.db_table)} p "
                    f"WHERE p.{quote(target.column)} = c.{quote(field.column)})"
                )
                if count := cursor.fetchone()[0]:
                    orphans.append(f"{model._meta.db_table}.{field.column}: {count}")
    if orphans:
        raise RuntimeError(f"rows pointing nowhere: {', '.join(orphans)}")


def _execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
