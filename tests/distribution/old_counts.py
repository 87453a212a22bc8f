"""The counting query of the campaign dashboard before its counts were kept by the database
(distribution/triggers.py): every assignment read and counted per establishment and day. Kept
here, as it was, to check that the kept counts give the same figures."""

# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

from devices.models import Assignment, Profile
from distribution.dates import day_start


def _day_index(bounds: list[dt.datetime], low: int, high: int) -> tuple[str, list[dt.datetime]]:
    """SQL giving i - 1 for the first bound i that `delivered_at` is under (len(bounds) - 1 when
    under none): -1 before the first day, then the day's index. Nested by halves, so that a row
    takes a handful of comparisons rather than one per day of the campaign."""
    if high - low == 0:
        return str(low - 1), []
    middle = (low + high) // 2
    below, below_params = _day_index(bounds, low, middle)
    above, above_params = _day_index(bounds, middle + 1, high)
    return (
        f"CASE WHEN a.delivered_at < %s THEN {below} ELSE {above} END",
        [bounds[middle], *below_params, *above_params],
    )


# Above this many establishments, the counting query reads every assignment once and looks each
# student's establishment up, rather than starting from the establishments' students.
SCAN_FROM = 50


def _counts(found: list[tuple], *, days: list[dt.date], first: dt.date, as_of: dt.datetime) -> dict:
    """{establishment id: {day index (-1: before the first day): students equipped}}: one query.

    Written in SQL rather than through the ORM: the ORM reaches a student's profile through the
    users' table (a join for nothing), and SQLite must be told the join order — from the
    establishments' students for a small scope, one pass over the assignments for a region
    (CROSS JOIN fixes that order on SQLite; PostgreSQL's planner finds both by itself)."""
    adapt = connection.ops.adapt_datetimefield_value
    establishment_ids = [row[0] for row in found]
    ends: dict[dt.date, list[int]] = defaultdict(list)
    for row in found:
        ends[row[7]].append(row[0])
    params: list = []
    # Returned after the campaign's end still counts (the campaign was done); each establishment
    # has its own end, usually the region's one.
    kept = []
    for end, ids in ends.items():
        params.append(adapt(day_start(end + dt.timedelta(days=1))))
        if len(ends) == 1:
            kept.append("a.returned_at >= %s")
        else:
            kept.append(f"(a.returned_at >= %s AND p.establishment_id IN ({', '.join(map(str, ids))}))")
    bounds = [day_start(first)] + [day_start(day + dt.timedelta(days=1)) for day in days]
    day_sql, day_params = _day_index(bounds, 0, len(bounds))
    day_params = [adapt(bound) for bound in day_params]
    scan = len(establishment_ids) > SCAN_FROM
    join = "CROSS JOIN" if scan and connection.vendor == "sqlite" else "INNER JOIN"
    scope = "" if scan else f"AND p.establishment_id IN ({', '.join(map(str, establishment_ids))})"
    sql = f"""
        SELECT p.establishment_id, {day_sql} AS day_index, COUNT(*)
        FROM {Assignment._meta.db_table} a {join} {Profile._meta.db_table} p ON p.user_id = a.student_id
        WHERE (a.returned_at IS NULL OR {" OR ".join(kept)}) AND a.delivered_at < %s {scope}
        GROUP BY p.establishment_id, day_index
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*day_params, *params, adapt(as_of)])
        rows = cursor.fetchall()
    wanted = set(establishment_ids)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for est_id, day, n in rows:
        if est_id in wanted:
            counts[est_id][day] = counts[est_id].get(day, 0) + n
    return counts
