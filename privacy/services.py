"""Writes of the privacy app: who read a student's file (one statement per read).

The purge of old personal data is in privacy/purge.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from devices import permissions as fleet
from devices.models import Assignment, Profile, Role
from privacy.models import AccessLog

# Who leaves a trace when reading a student's file: everyone but the students themselves.
LOGGED_ROLES = frozenset({Role.STAFF, Role.TECHNICIAN, Role.MANAGER, Role.SUPERVISOR})


def _hour(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


# A read on its own (autocommit: the statement is its transaction) need not wait for the disk:
# without a synchronous commit PostgreSQL answers at once and writes the WAL a fraction of a
# second later — a crash of the server may lose the last rows of the log, never corrupt anything.
# Set inside the statement, so it costs no round trip; never inside someone else's transaction,
# whose durability is left alone.
_QUICK_COMMIT = "CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS quick"


def _seen_key(*, reader, kind: str, ref: str, hour: dt.datetime) -> str:
    return f"privacy:read:{connection.settings_dict['NAME']}:{reader.pk}:{kind}:{ref}:{hour:%Y%m%d%H}"


def _seen(key: str) -> bool:
    try:
        return bool(cache.get(key))
    except Exception:  # a cache that is down costs a write, never a page
        return False


def _remember(key: str) -> None:
    with contextlib.suppress(Exception):
        cache.set(key, True, timeout=3700)


def _insert(*, reader, role: str, kind: str, ref: str, students_sql: str, params: list, now: dt.datetime) -> None:
    """One INSERT … SELECT … ON CONFLICT DO NOTHING: the students come from `students_sql` (a
    query of one column, `student_id`), and a second read in the same hour changes nothing.
    Both databases take this form; the WHERE lets SQLite read ON CONFLICT as the upsert clause.

    A read already written this hour is remembered in the cache, so the next ones (a technician
    comes back to the ticket after each action) skip the database altogether; the unique key
    keeps one row per hour when the cache forgets or several processes keep their own."""
    key = _seen_key(reader=reader, kind=kind, ref=ref, hour=_hour(now))
    if _seen(key):
        return
    ops = connection.ops
    table = AccessLog._meta.db_table
    quick = connection.vendor == "postgresql" and not connection.in_atomic_block
    sql = (
        f"INSERT INTO {table} (reader_id, reader_role, student_id, kind, object_ref, hour, at) "  # noqa: S608
        f"SELECT %s, %s, s.student_id, %s, %s, %s, %s FROM ({students_sql}) s {_QUICK_COMMIT if quick else ''} "
        "WHERE s.student_id IS NOT NULL AND s.student_id <> %s "
        "ON CONFLICT (reader_id, student_id, kind, object_ref, hour) DO NOTHING"
    )
    values = [
        reader.pk,
        role,
        kind,
        ref,
        ops.adapt_datetimefield_value(_hour(now)),
        ops.adapt_datetimefield_value(now),
        *params,
        reader.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
    _remember(key)


def _reader_role(reader) -> str | None:
    if reader is None or not reader.is_authenticated:
        return None
    role = fleet.role_of(reader)
    return role if role in LOGGED_ROLES else None


def access_record_ticket(*, reader, ticket, now: dt.datetime | None = None) -> None:
    """`reader` opened `ticket`: a row for the student who declared it and for the student who held
    its laptop when it was declared (usually the same person), at most once an hour each."""
    role = _reader_role(reader)
    if role is None:
        return
    now = now or timezone.now()
    declared_at = connection.ops.adapt_datetimefield_value(ticket.declared_at)
    students = (
        f"SELECT a.student_id AS student_id FROM {Assignment._meta.db_table} a "  # noqa: S608
        "WHERE a.device_id = %s AND a.handed_over_at <= %s AND (a.returned_at IS NULL OR a.returned_at > %s) "
        f"UNION SELECT p.user_id FROM {Profile._meta.db_table} p WHERE p.user_id = %s AND p.role = %s"
    )
    params = [ticket.device_id, declared_at, declared_at, ticket.reporter_id, Role.STUDENT.value]
    _insert(
        reader=reader, role=role, kind=AccessLog.Kind.TICKET, ref=ticket.reference, students_sql=students,
        params=params, now=now,
    )  # fmt: skip


def access_record_device(*, reader, device, now: dt.datetime | None = None) -> None:
    """`reader` opened `device`'s page: a row for the student holding it now, if any."""
    role = _reader_role(reader)
    if role is None:
        return
    students = (
        f"SELECT a.student_id AS student_id FROM {Assignment._meta.db_table} a "  # noqa: S608
        "WHERE a.device_id = %s AND a.returned_at IS NULL"
    )
    _insert(
        reader=reader, role=role, kind=AccessLog.Kind.DEVICE, ref=device.serial_number, students_sql=students,
        params=[device.pk], now=now or timezone.now(),
    )  # fmt: skip


def access_record_export(*, reader, student, now: dt.datetime | None = None) -> None:
    """`reader` downloaded everything the service holds about `student`."""
    role = _reader_role(reader)
    if role is None:
        return
    one = "SELECT CAST(%s AS bigint) AS student_id"
    _insert(
        reader=reader, role=role, kind=AccessLog.Kind.EXPORT, ref="", students_sql=one, params=[student.pk],
        now=now or timezone.now(),
    )  # fmt: skip
