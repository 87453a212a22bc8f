"""The report's time series: tickets opened and closed per day, week, month or year of the period,
counted by the database in one query."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db.models import Count, IntegerField, QuerySet, Value

from repairs.reports.params import ReportParams
from repairs.sla.calendar import PARIS

# Opened: declared in the bucket; closed: reached a final state in it (the generator's periods).
MEASURES = (("opened", "declared_at"), ("closed", "resolved_at"))


def _buckets(params: ReportParams) -> tuple[str, list[dt.date]]:
    """Days for a month, weeks (from the first day) up to about six months, calendar months up to
    five years, else calendar years: a chart keeps a readable number of columns for any period."""
    days = (params.date_to - params.date_from).days + 1
    if days <= 31:
        return "day", [params.date_from + dt.timedelta(days=n) for n in range(days)]
    if days <= 190:
        return "week", [params.date_from + dt.timedelta(days=n) for n in range(0, days, 7)]
    if days > 5 * 366:
        years = range(params.date_from.year + 1, params.date_to.year + 1)
        return "year", [params.date_from, *(dt.date(year, 1, 1) for year in years)]
    starts, month = [params.date_from], params.date_from.replace(day=1)
    while True:
        month = (month + dt.timedelta(days=32)).replace(day=1)
        if month > params.date_to:
            return "month", starts
        starts.append(month)


def opened_closed_series(tickets: QuerySet, params: ReportParams) -> tuple[str, list[dict]]:
    """Opened and closed per bucket, in one query: a count per bucket and measure over the range of
    its column (UNION ALL), each one a walk of that column's index between two Paris midnights
    computed here. A single grouped pass computing each ticket's bucket (a CASE) then sorted every
    ticket of the period; the ranges read the same tickets without either (20 ms → 3 ms for a
    school year of 100,000 tickets on SQLite)."""
    name, starts = _buckets(params)
    bounds = [params.start, *(dt.datetime.combine(day, dt.time(), tzinfo=PARIS) for day in starts[1:]), params.end]
    series = [{"bucket": day, "opened": 0, "closed": 0} for day in starts]
    counts = [
        # The bucket's range alone (the period's too would be a second range on the same column,
        # which SQLite may choose to walk instead, for every bucket).
        tickets.filter(**{f"{column}__gte": low, f"{column}__lt": high})
        .annotate(measure=Value(n, output_field=IntegerField()), bucket=Value(i, output_field=IntegerField()))
        .values("measure", "bucket")
        .annotate(tickets=Count(column))  # the indexed column: PostgreSQL reads the index alone
        .order_by()
        for n, (_measure, column) in enumerate(MEASURES)
        for i, (low, high) in enumerate(itertools.pairwise(bounds))
    ]
    for row in counts[0].union(*counts[1:], all=True):
        series[row["bucket"]][MEASURES[row["measure"]][0]] = row["tickets"]
    return name, series
