"""The campaign's counts kept by the database: distribution_equippedday (distribution/models.py),
students equipped per establishment, day the laptop reached them and day it was given back.

- an assignment inserted, deleted, or changed in its student, delivery or return moves one count
  (one upsert per row: the hand-over's only extra write);
- a student's profile changing establishment (or created, or deleted) moves the counts of that
  student's assignments, since the dashboard counts a student where they are enrolled now.

Triggers rather than the services, for the reasons repairs/triggers.py gives: assignments are also
written by imports, bulk seeds, the admin and raw SQL. Installed by migration 0002 with a rebuild
from the assignments, kept through SQLite's table rebuilds (config/db/sqlite3/schema.py), and put
back after every `migrate` by `triggers_ensure` (connected in DistributionConfig.ready) if any is
missing all the same.

Days are local days of settings.TIME_ZONE, the dashboard's days; its name is written into the
triggers (a change of TIME_ZONE needs `triggers_install` again). PostgreSQL converts with its own
time zone data; SQLite has none, so its triggers call `django_datetime_cast_date`, the function
Django registers on each SQLite connection it opens (the ORM's own TruncDate uses it): an
assignment written to the SQLite file by a program other than Django fails with "no such function".
"""

# ruff: noqa: S608  (every statement here is built from constants of this module and settings.TIME_ZONE)
from __future__ import annotations

from django.conf import settings

from config.kept_counts import KeptCounts

ASSIGNMENT, PROFILE, TABLE = "devices_assignment", "devices_profile", "distribution_equippedday"
TRIGGERS = {
    ASSIGNMENT: ("distribution_equipped_insert", "distribution_equipped_update", "distribution_equipped_delete"),
    PROFILE: ("distribution_equipped_profile_insert", "distribution_equipped_profile_update",
              "distribution_equipped_profile_delete"),
}  # fmt: skip
STILL_HELD = "9999-12-31"  # returned_on of an assignment not given back (a key column cannot be null)


def _zone() -> str:
    zone = settings.TIME_ZONE
    if not zone.replace("/", "").replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"unexpected TIME_ZONE {zone!r}")
    return zone


def _day(value: str, vendor: str) -> str:
    if vendor == "sqlite":  # Django stores UTC text
        return f"django_datetime_cast_date({value}, '{_zone()}', 'UTC')"
    return f"CAST(({value} AT TIME ZONE '{_zone()}') AS date)"


def _returned(value: str, vendor: str) -> str:
    held = f"'{STILL_HELD}'" if vendor == "sqlite" else f"DATE '{STILL_HELD}'"
    return f"COALESCE({_day(value, vendor)}, {held})"


_UPSERT = (
    f"INSERT INTO {TABLE} (establishment_id, delivered_on, returned_on, students) {{select}} "
    f"ON CONFLICT (establishment_id, delivered_on, returned_on) "
    f"DO UPDATE SET students = {TABLE}.students + excluded.students"
)


def _for_assignment(row: str, sign: str, vendor: str) -> str:
    """Count (sign "") or uncount (sign "-") the assignment `row` (NEW or OLD)."""
    return _UPSERT.format(
        select=f"SELECT p.establishment_id, {_day(f'{row}.delivered_at', vendor)}, "
        f"{_returned(f'{row}.returned_at', vendor)}, {sign}1 FROM {PROFILE} p "
        f"WHERE p.user_id = {row}.student_id AND p.establishment_id IS NOT NULL AND {row}.delivered_at IS NOT NULL"
    )


def _for_profile(row: str, sign: str, vendor: str) -> str:
    """Count (or uncount) every assignment of the student of profile `row` at its establishment."""
    return _UPSERT.format(
        select=f"SELECT {row}.establishment_id, {_day('a.delivered_at', vendor)}, "
        f"{_returned('a.returned_at', vendor)}, {sign}COUNT(*) FROM {ASSIGNMENT} a "
        f"WHERE a.student_id = {row}.user_id AND {row}.establishment_id IS NOT NULL "
        "AND a.delivered_at IS NOT NULL GROUP BY 1, 2, 3"
    )


_ASSIGNMENT_COLUMNS = "student_id, delivered_at, returned_at"
_ASSIGNMENT_CHANGED = (
    "OLD.student_id IS NOT NEW.student_id OR OLD.delivered_at IS NOT NEW.delivered_at "
    "OR OLD.returned_at IS NOT NEW.returned_at"
)
_PROFILE_CHANGED = "OLD.establishment_id IS NOT NEW.establishment_id OR OLD.user_id IS NOT NEW.user_id"


def _pg(condition: str) -> str:
    return condition.replace(" IS NOT ", " IS DISTINCT FROM ")


def _create_sqlite() -> tuple[str, ...]:
    insert, update, delete = TRIGGERS[ASSIGNMENT]
    p_insert, p_update, p_delete = TRIGGERS[PROFILE]
    return (
        f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {ASSIGNMENT} BEGIN "
        f"{_for_assignment('NEW', '', 'sqlite')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {_ASSIGNMENT_COLUMNS} ON {ASSIGNMENT} "
        f"WHEN {_ASSIGNMENT_CHANGED} BEGIN "
        f"{_for_assignment('OLD', '-', 'sqlite')}; {_for_assignment('NEW', '', 'sqlite')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {ASSIGNMENT} BEGIN "
        f"{_for_assignment('OLD', '-', 'sqlite')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {p_insert} AFTER INSERT ON {PROFILE} BEGIN "
        f"{_for_profile('NEW', '', 'sqlite')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {p_update} AFTER UPDATE OF establishment_id, user_id ON {PROFILE} "
        f"WHEN {_PROFILE_CHANGED} BEGIN "
        f"{_for_profile('OLD', '-', 'sqlite')}; {_for_profile('NEW', '', 'sqlite')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {p_delete} AFTER DELETE ON {PROFILE} BEGIN "
        f"{_for_profile('OLD', '-', 'sqlite')}; END",
    )


def _create_postgresql() -> tuple[str, ...]:
    insert, update, delete = TRIGGERS[ASSIGNMENT]
    p_insert, p_update, p_delete = TRIGGERS[PROFILE]
    statements = []
    for table, function, count, (on_insert, on_update, on_delete), columns, changed in (
        (ASSIGNMENT, "distribution_equipped_change", _for_assignment, (insert, update, delete),
         _ASSIGNMENT_COLUMNS, _ASSIGNMENT_CHANGED),
        (PROFILE, "distribution_equipped_profile_change", _for_profile, (p_insert, p_update, p_delete),
         "establishment_id, user_id", _PROFILE_CHANGED),
    ):  # fmt: skip
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {count('OLD', '-', 'postgresql')}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {count('NEW', '', 'postgresql')}; END IF; "
            "RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {on_insert} ON {table}",
            f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS {on_update} ON {table}",
            f"CREATE TRIGGER {on_update} AFTER UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW WHEN ({_pg(changed)}) EXECUTE FUNCTION {function}()",
            f"DROP TRIGGER IF EXISTS {on_delete} ON {table}",
            f"CREATE TRIGGER {on_delete} AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    return tuple(statements)


def _rebuild(vendor: str) -> tuple[str, ...]:
    return (
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} (establishment_id, delivered_on, returned_on, students) "
        f"SELECT p.establishment_id, {_day('a.delivered_at', vendor)}, {_returned('a.returned_at', vendor)}, "
        f"COUNT(*) FROM {ASSIGNMENT} a JOIN {PROFILE} p ON p.user_id = a.student_id "
        "WHERE p.establishment_id IS NOT NULL AND a.delivered_at IS NOT NULL GROUP BY 1, 2, 3",
    )


COUNTS = KeptCounts(
    triggers=TRIGGERS,
    tables=(TABLE,),
    create=lambda vendor: _create_sqlite() if vendor == "sqlite" else _create_postgresql(),
    rebuild=_rebuild,
)
triggers_install, triggers_drop, triggers_ensure = COUNTS.install, COUNTS.drop, COUNTS.ensure
