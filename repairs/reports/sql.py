"""SQL building blocks of the reports, one per database where they differ.

Percentiles are `percentile_cont` (linear interpolation between the two nearest ranks): native
on PostgreSQL, and on SQLite (which has no such aggregate) the same definition written with the
window functions ROW_NUMBER and COUNT, still computed by the database in one query per measure.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Aggregate, Count, DateTimeField, F, FloatField, Func, QuerySet, Window
from django.db.models.functions import RowNumber


class Epoch(Func):
    """Seconds since 1970 of a datetime column, as a number both databases can add and average."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS REAL)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)


class ShiftDays(Func):
    """A datetime column moved by a whole number of days (a constant, never user input)."""

    output_field = DateTimeField()

    def __init__(self, expression, *, days: int, **extra):
        super().__init__(expression, **extra)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; datetime() answers the same shape.
        template = f"datetime(%(expressions)s, '{self.days:+d} days')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = f"(%(expressions)s + INTERVAL '{self.days:d} days')"
        return self.as_sql(compiler, connection, template=template, **extra)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate; FILTER (WHERE …) is appended by Django as usual."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, *, percent: int, **extra):
        super().__init__(expression, fraction=f"{int(percent) / 100:.2f}", **extra)


def percentile_native() -> bool:
    return connection.vendor == "postgresql"


def percentiles_by_window(
    *, queryset: QuerySet, group_fields: Sequence[str], value: str, percents: Sequence[int]
) -> dict[tuple, list[float | None]]:
    """`percentile_cont` of `value` for each percent, per group of `group_fields` (all rows if
    empty), in one query: rank the values in each group, keep the ranks next to each percentile's
    position, interpolate. Returns {group values: [one figure per percent]}."""
    quote = connection.ops.quote_name
    groups = {f"pg{i}": F(field) for i, field in enumerate(group_fields)}
    partition = [F(field) for field in group_fields] or None
    ranked = (
        queryset.filter(**{f"{value}__isnull": False})
        .annotate(
            **groups,
            pv=F(value),
            prn=Window(RowNumber(), partition_by=partition, order_by=F(value).asc()),
            pn=Window(Count("pk"), partition_by=partition),
        )
        .values(*groups, "pv", "prn", "pn")
    )
    sql, params = ranked.query.sql_with_params()
    v, rn, n = quote("pv"), quote("prn"), quote("pn")
    positions, figures, wanted = [], [], []
    for i, percent in enumerate(int(p) for p in percents):
        # Rank h = (n - 1) * p / 100 (0-based): lower rank floor(h) + 1, weight of the next h - floor(h).
        # Integer division keeps it exact and identical on both databases.
        positions.append(
            f"(({n} - 1) * {percent}) / 100 + 1 AS lo{i}, ((({n} - 1) * {percent}) %% 100) / 100.0 AS w{i}"
        )
        low = f"MAX(CASE WHEN {rn} = lo{i} THEN {v} END)"
        high = f"COALESCE(MAX(CASE WHEN {rn} = lo{i} + 1 THEN {v} END), {low})"
        figures.append(f"{low} + MAX(w{i}) * ({high} - {low})")
        wanted.append(f"lo{i}, lo{i} + 1")
    keys = ", ".join(quote(alias) for alias in groups)
    outer = (
        f"SELECT {keys + ', ' if keys else ''}{', '.join(figures)} "  # noqa: S608 (no user input: aliases and integers)
        f"FROM (SELECT ranked.*, {', '.join(positions)} FROM ({sql}) ranked) positioned "
        f"WHERE {rn} IN ({', '.join(wanted)})" + (f" GROUP BY {keys}" if keys else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    width = len(groups)
    return {tuple(row[:width]): [None if x is None else float(x) for x in row[width:]] for row in rows}
