"""The report's time series: tickets opened and closed per day, week, month or year."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from repairs.reports.params import ReportParams
from repairs.sla.calendar import PARIS


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


def report_series(tickets: QuerySet, params: ReportParams, q: dict[str, Q]) -> tuple[str, list[dict]]:
    """Opened and closed per bucket: the bucket of each ticket is a CASE over the buckets' Paris
    midnights, computed here, so that the database compares instants (no date function per row)."""
    name, starts = _buckets(params)
    bounds = [dt.datetime.combine(day, dt.time(), tzinfo=PARIS) for day in starts[1:]]
    series = [{"bucket": day, "opened": 0, "closed": 0} for day in starts]
    for measure, column in (("opened", "declared_at"), ("closed", "resolved_at")):
        bucket = Case(
            *(When(**{f"{column}__lt": bound}, then=Value(i)) for i, bound in enumerate(bounds)),
            default=Value(len(bounds)),
            output_field=IntegerField(),
        )
        rows = tickets.filter(q[measure]).annotate(bucket=bucket).values("bucket").annotate(n=Count("pk")).order_by()
        for row in rows:
            series[row["bucket"]][measure] = row["n"]
    return name, series
