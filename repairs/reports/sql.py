"""SQL building blocks of the reports, one per database where they differ.

Percentiles are `percentile_cont` (linear interpolation between the two nearest ranks): native
on PostgreSQL; on SQLite, which has no such aggregate, the grouped query gathers each group's
values (json_group_array, in the same pass as the counts) and `percentile_cont` below takes the
same percentile of them, for each group and for the total (all the groups' values together:
no second pass).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection
from django.db.models import Aggregate, FloatField, Func, IntegerField, TextField


class Epoch(Func):
    """Seconds since 1970 of a datetime column, as a number both databases can add and average."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        # unixepoch() (SQLite 3.38) is the same whole seconds as strftime('%s') read back as a
        # number, without writing and reading the text: half the cost of the backlog's ages, about
        # a tenth of the report's grouped pass. As a REAL or an INTEGER, the same sums.
        if connection.Database.sqlite_version_info >= (3, 38):
            return self.as_sql(compiler, connection, template="unixepoch(%(expressions)s)", **extra)
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS REAL)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate; FILTER (WHERE …) is appended by Django as usual."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, *, percent: int, **extra):
        super().__init__(expression, fraction=f"{int(percent) / 100:.2f}", **extra)


class Grouping(Aggregate):
    """PostgreSQL's GROUPING(key): 1 on the row of a grouping set that leaves the key out (the
    total of GROUPING SETS ((key), ())), 0 on the groups' rows. An aggregate for Django, so that it
    stays out of the GROUP BY."""

    function = "GROUPING"
    output_field = IntegerField()
    allow_distinct = False


def percentile_native() -> bool:
    return connection.vendor == "postgresql"


class ValuesArray(Aggregate):
    """SQLite's json_group_array: the values of a group as a JSON array, gathered by the
    database in the grouped query's one pass (FILTER appended by Django as usual); the
    percentiles are then taken in Python (`percentile_cont`), the way PostgreSQL's does."""

    function = "json_group_array"
    output_field = TextField()
    allow_distinct = False


def percentile_cont(ordered: Sequence[float], percent: int) -> float | None:
    """PostgreSQL's percentile_cont over values sorted in ascending order: the value at rank
    h = (n - 1) * percent / 100, interpolated between the two nearest ranks. Integer arithmetic
    for the rank, as exact as the database's."""
    if not ordered:
        return None
    low, rest = divmod((len(ordered) - 1) * int(percent), 100)
    if not rest:
        return float(ordered[low])
    return ordered[low] + (rest / 100) * (ordered[low + 1] - ordered[low])


def values_of(array: str | None) -> list[float]:
    """The numbers of a ValuesArray result (its filter leaves NULLs out)."""
    return json.loads(array or "[]")
