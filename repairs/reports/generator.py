"""The report generator: tickets + period + scope + grouping → rows. The formatters only format.

Every figure is aggregated by the database in one pass over columns stored with each ticket
(repairs/models/facts.py: the repeat-failure flags, beside the SLA engine's business durations,
due dates and breach flags): one grouped query for the counts (conditional aggregates) and the percentiles
(`percentile_cont` on PostgreSQL; on SQLite the group's values, whose percentiles are taken in
Python), one for the fleet, one for the loaners out, one for the time series, and one for the
per-section breakdown of the PDF. The number of queries does not depend on the number of
tickets or of groups. The totals add the groups' sums in Python (a partition: each ticket is in
exactly one group); their percentiles are the database's on PostgreSQL, from the same pass
(GROUPING SETS), and on SQLite those of all the groups' values together.
The queries are repairs/reports/queries.py (the series', series.py); this module puts their rows
together, adds up the totals and derives the ratios.

Definitions, for a period [start, end) in Europe/Paris:
- opened: declared in the period; closed: reached a final state in the period;
- backlog: declared before the end and not closed at the end; its age is measured at the end
  (or now, for a period not over yet);
- first response and resolution times: business time stored by the SLA engine, for the tickets
  that got their first response (resp. were returned or closed without fault) in the period;
  "within SLA" is the share of those with a due date that did not breach it;
- breaches: due dates that fell in the period and were missed;
- repaired / swapped / manufacturer: tickets returned in the period, by what was done (a swap
  wins, then a manufacturer repair); the manufacturer turnaround is their time there (calendar);
  unrepaired: returned without repair because the family refused the quote (in none of the three);
- repeat failures: tickets opened in the period whose device had another (not cancelled)
  ticket declared within the 30 (90) days before;
- loaners out: lent before the end and not back at the end;
- devices: in service (not retired, lost or stolen) now, and those whose image is not their
  académie's current one. Only for places and models: a technician or a category has no fleet;
- costs: of the tickets closed in the period, the parts and labour stored on each
  (their cost is final then), their sum, and the average over those with any cost; in euros.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Academie, Departement, FaultCategory
from repairs.models import Ticket
from repairs.reports import queries
from repairs.reports.params import Dimension, ReportParams
from repairs.reports.percentiles import PERCENTS, percentile_figures, percentile_measures
from repairs.reports.series import opened_closed_series
from repairs.states import Coverage

DAY = 86400
COUNTS = (
    "opened",
    "closed",
    "backlog",
    "first_response_breaches",
    "resolution_breaches",
    "repaired",
    "swapped",
    "manufacturer",
    "repeat_30_days",
    "repeat_90_days",
    "costed",
    "unrepaired",
)
# Amounts in euros, summed like the counts (the groups partition the tickets).
MONEY = ("parts_cost", "labour_cost")
# Sums kept beside the rows to make their ratios and averages, and the totals'.
SUMS = (
    "backlog_age_seconds",
    "first_response_with_due",
    "first_response_within",
    "resolution_with_due",
    "resolution_within",
)


@dataclass
class Report:
    params: ReportParams
    generated_at: dt.datetime
    as_of: dt.datetime
    rows: list[dict]
    total: dict
    series: list[dict] = field(default_factory=list)  # {"bucket", "opened", "closed"}
    bucket: str = "month"
    breakdown: dict = field(default_factory=dict)  # group key → [{"category", "label", counts…}]

    @property
    def fleet(self) -> bool:
        return self.params.device_scope() is not None


def _label(dimension: Dimension, key, names: list) -> str:
    if dimension.name == "establishment":
        return ", ".join(n for n in names if n) if key else _("Depot (no establishment)")
    if dimension.name == "departement":
        return Departement(key).label if key else _("Depot (no establishment)")
    if dimension.name == "academie":
        return str(Academie(key).label) if key else _("Depot (no establishment)")
    if dimension.name == "technician":
        return (" ".join(n for n in names if n) or key) if key else _("Unassigned")
    if dimension.name == "category":
        return str(FaultCategory(key).label)
    if dimension.name == "coverage":
        return str(Coverage(key).label) if key else _("Not decided yet")
    return " ".join(str(n) for n in names if n) or str(key)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value + 0.0, digits)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _euros(value) -> float:
    return round(float(value or 0), 2)


def _finish(row: dict, sums: dict, percentiles: dict, oldest: dt.datetime | None, as_of: dt.datetime) -> dict:
    """The derived columns of a row from its counts, sums and percentiles."""
    returned = row["repaired"] + row["swapped"] + row["manufacturer"]
    cost = _euros(row["parts_cost"] + row["labour_cost"])
    row.update(
        cost=cost,
        cost_avg=round(cost / row["costed"], 2) if row["costed"] else None,
        backlog_avg_age_days=_round(sums["backlog_age_seconds"] / row["backlog"] / DAY) if row["backlog"] else None,
        backlog_max_age_days=_round((as_of - oldest).total_seconds() / DAY) if oldest else None,
        first_response_within_sla_pct=_pct(sums["first_response_within"], sums["first_response_with_due"]),
        resolution_within_sla_pct=_pct(sums["resolution_within"], sums["resolution_with_due"]),
        repaired_pct=_pct(row["repaired"], returned),
        swapped_pct=_pct(row["swapped"], returned),
        manufacturer_pct=_pct(row["manufacturer"], returned),
    )
    for p in percentile_measures():
        for percent, value in zip(PERCENTS, percentiles.get(p.name, (None, None)), strict=True):
            name = "median" if percent == 50 else f"p{percent}"
            row[f"{p.name}_{name}_{p.suffix}"] = _round(value / p.unit) if value is not None else None
    return row


REPORT_SETTINGS = {
    "jit": "off",
    "work_mem": "64MB",
    # Index pages cost what table pages cost when they are in memory, as the report's are: at
    # the default 4, the planner preferred reading the whole table and sorting it by group to
    # one walk of the covering index in group order (ticket_report).
    "random_page_cost": "1.1",
    # The report's queries are walks of indexes; starting parallel workers for the series'
    # small index ranges took longer than the ranges themselves.
    "max_parallel_workers_per_gather": "0",
}


@contextmanager
def _report_session():
    """On PostgreSQL, one transaction with REPORT_SETTINGS: without JIT compilation, which costs
    these few large aggregates more than it saves (0.3 to 0.8 s of a report over a million
    tickets), with room for the percentiles' sorts in memory (the default 4 MB sent them to
    disk), and planned for data in memory. Not on
    SQLite: its transactions take the write lock at BEGIN (IMMEDIATE), and a report must not
    hold up the people writing tickets."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement for all the settings, each for this transaction only (set_config's true).
        cursor.execute(
            "SELECT set_config(name, value, true) FROM unnest(%s::text[], %s::text[]) AS settings (name, value)",
            [list(REPORT_SETTINGS), list(REPORT_SETTINGS.values())],
        )
        yield


def report_build(
    *,
    params: ReportParams,
    tickets: QuerySet[Ticket] | None = None,
    now: dt.datetime | None = None,
    series: bool = True,
    breakdown: bool = False,
) -> Report:
    """The report over `tickets` (default: all; pass a person's visible tickets to scope it)."""
    with _report_session():
        return _report_build(params=params, tickets=tickets, now=now, series=series, breakdown=breakdown)


def _report_build(*, params: ReportParams, tickets, now, series: bool, breakdown: bool) -> Report:
    now = now or timezone.now()
    as_of = min(params.end, now)
    dimension = params.dimension
    q = queries.periods(params, as_of)
    base = (Ticket.objects.all() if tickets is None else tickets).filter(params.ticket_scope())
    relevant = queries.relevant(base, params)
    grouped, whole = queries.grouped(relevant, dimension, queries.aggregates(q, as_of))
    percentiles, total_percentiles = percentile_figures(relevant, grouped, q, dimension, whole=whole)
    loaners, fleet = queries.loaners(base, dimension, q), queries.fleet(params)

    rows = {}
    for key, source, labels in (
        *((g[dimension.ticket_key], g, dimension.ticket_labels) for g in grouped),
        *((key, row, dimension.ticket_labels) for key, row in loaners.items()),
        *((key, row, dimension.device_labels) for key, row in fleet.items()),  # places with no ticket
    ):
        if key not in rows:
            rows[key] = {"key": key, "label": _label(dimension, key, [source[f] for f in labels])}
    counts = {g[dimension.ticket_key]: g for g in grouped}
    total, total_sums = dict.fromkeys((*COUNTS, "loaners_out", *MONEY), 0), dict.fromkeys(SUMS, 0)
    oldest = [g["backlog_oldest"] for g in grouped if g["backlog_oldest"]]
    for key, row in rows.items():
        group = counts.get(key, {})
        row.update({name: group.get(name) or 0 for name in COUNTS})
        row.update({name: _euros(group.get(name)) for name in MONEY})
        row["loaners_out"] = loaners[key]["loaners_out"] if key in loaners else 0
        row.update(fleet_figures(fleet, key))
        sums = {name: group.get(name) or 0 for name in SUMS}
        _finish(row, sums, percentiles.get(key, {}), group.get("backlog_oldest"), as_of)
        for name in (*COUNTS, "loaners_out"):
            total[name] += row[name]
        for name in MONEY:
            total[name] = _euros(total[name] + row[name])
        for name in SUMS:
            total_sums[name] += sums[name]
    total.update(key=None, label=_("Total"))
    for name in ("devices", "devices_outdated_image"):
        total[name] = sum(r[name] for r in fleet.values()) if fleet else None
    _finish(total, total_sums, total_percentiles, min(oldest) if oldest else None, as_of)
    ordered = sorted(rows.values(), key=lambda r: (r["key"] is None, str(r["label"]).casefold(), str(r["key"])))
    report = Report(params=params, generated_at=now, as_of=as_of, rows=ordered, total=total)
    if series:
        report.bucket, report.series = opened_closed_series(base, params)
    if breakdown:
        report.breakdown = queries.breakdown(relevant, dimension, q)
    return report


def fleet_figures(fleet: dict, key) -> dict:
    if not fleet:
        return {"devices": None, "devices_outdated_image": None}
    row = fleet.get(key)
    return {
        "devices": row["devices"] if row else 0,
        "devices_outdated_image": row["devices_outdated_image"] if row else 0,
    }
