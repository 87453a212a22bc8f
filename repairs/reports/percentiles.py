"""The report's percentiles (median and 90th percentile of the first response, resolution and
manufacturer times): `percentile_cont` in the grouped query on PostgreSQL; on SQLite the grouped
query gathers each group's values and they are taken here, with the same definition."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from repairs.reports.params import Dimension
from repairs.reports.sql import PercentileCont, percentile_cont, percentile_native, values_of

PERCENTS = (50, 90)
HOUR, DAY = 3600, 86400


@dataclass(frozen=True)
class Percentile:
    name: str  # column prefix
    field: str
    unit: int  # seconds per hour or per day
    suffix: str


def percentile_measures() -> tuple[Percentile, ...]:
    return (
        Percentile("first_response", "first_response_seconds", HOUR, "hours"),
        Percentile("resolution", "resolution_seconds", HOUR, "hours"),
        Percentile("manufacturer", "manufacturer_seconds", DAY, "days"),
    )


def percentile_filters(q: dict[str, Q]) -> dict[str, Q]:
    """The tickets whose value counts, for each measure. A percentile ignores missing values: the
    database is told so first, and skips the dates of most tickets (most have no manufacturer
    time, and open ones no resolution time)."""
    periods = {"first_response": q["responded"], "resolution": q["resolved"], "manufacturer": q["returned"]}
    return {p.name: Q(**{f"{p.field}__isnull": False}) & periods[p.name] for p in percentile_measures()}


def native_percentiles(q: dict[str, Q]) -> dict:
    filters = percentile_filters(q)
    return {
        f"{p.name}_p{percent}": PercentileCont(p.field, percent=percent, filter=filters[p.name])
        for p in percentile_measures()
        for percent in PERCENTS
    }


def percentile_figures(relevant: QuerySet, grouped: list[dict], q, dimension: Dimension, *, whole: dict | None = None):
    """{group key: {measure: [p50, p90]}}, and the same for the total. `whole`: the total's row of
    the grouped pass, when the database computed it in the same pass (PostgreSQL)."""
    names = [p.name for p in percentile_measures()]
    if percentile_native():  # computed by the grouped query already; the total needs its own pass
        by_group = {
            row[dimension.ticket_key]: {n: [row[f"{n}_p{pc}"] for pc in PERCENTS] for n in names} for row in grouped
        }
        totals = whole if whole is not None else relevant.aggregate(**native_percentiles(q))
        return by_group, {n: [totals[f"{n}_p{pc}"] for pc in PERCENTS] for n in names}
    by_group, everything = {}, {n: [] for n in names}
    for row in grouped:
        figures = {}
        for n in names:
            values = sorted(values_of(row[f"{n}_values"]))
            figures[n] = [percentile_cont(values, pc) for pc in PERCENTS]
            everything[n] += values
        by_group[row[dimension.ticket_key]] = figures
    return by_group, {n: [percentile_cont(sorted(v), pc) for pc in PERCENTS] for n, v in everything.items()}
