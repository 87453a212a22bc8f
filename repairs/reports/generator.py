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
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Academie, Departement, Device, Establishment, FaultCategory, MasterImage
from repairs.models import Ticket
from repairs.queryhints import unindexed
from repairs.reports.params import Dimension, ReportParams
from repairs.reports.percentiles import (
    PERCENTS,
    native_percentiles,
    percentile_figures,
    percentile_filters,
    percentile_measures,
)
from repairs.reports.series import opened_closed_series
from repairs.reports.sql import Epoch, Grouping, ValuesArray, percentile_native
from repairs.states import Coverage, State

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
# What the counts count: a column of the report's covering index that is never NULL. COUNT(id)
# would be the same number, but the id is not in that index on PostgreSQL (it is in every index on
# SQLite), and PostgreSQL then read the table instead of the index.
ROW = "declared_at"
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


def _periods(params: ReportParams, as_of: dt.datetime) -> dict[str, Q]:
    start, end = params.start, params.end
    closed = Q(resolved_at__gte=start, resolved_at__lt=end)
    # Among final states, written as exclusions: an equality on `state` would lead SQLite's
    # planner (no statistics) to its state index, which matches most tickets, instead of the
    # index on `resolved_at`, which matches the period's.
    returned = closed & ~Q(state__in=[State.CLOSED_NO_FAULT, State.CANCELLED])
    return {
        "opened": Q(declared_at__gte=start, declared_at__lt=end),
        "closed": closed,
        "resolved": closed & ~Q(state=State.CANCELLED),
        "returned": returned,
        "responded": Q(first_responded_at__gte=start, first_responded_at__lt=end),
        "backlog": Q(declared_at__lt=end) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)),
        "loaner_out": Q(loaner_lent_at__lt=end) & (Q(loaner_returned_at__isnull=True) | Q(loaner_returned_at__gte=end)),
        "fr_due_in": Q(first_response_due_at__gte=start, first_response_due_at__lt=end),
        "res_due_in": Q(resolution_due_at__gte=start, resolution_due_at__lt=end),
    }


def _relevant(base: QuerySet, params: ReportParams) -> QuerySet:
    """The tickets that can count in a grouped figure (loaners have their own query): not
    closed before the period, not declared after it. Read in one pass of the report's covering index (ticket_report):
    on SQLite, the condition is marked so that the planner does not start from the resolved_at
    index instead, which would read each ticket's whole row."""
    resolved_at, declared_at = unindexed(base, "resolved_at"), unindexed(base, "declared_at")
    # Declared after the period: in none of its figures (a response, a due date or a closing
    # comes after the declaration). For a past period that is every ticket since, most of
    # them open: the grouped pass no longer reads them.
    return base.alias(report_resolved_at=resolved_at, report_declared_at=declared_at).filter(
        Q(report_resolved_at__isnull=True) | Q(report_resolved_at__gte=params.start),
        report_declared_at__lt=params.end,
    )


# Groups that are rows of a small table: the grouped pass groups by the ticket's own foreign key
# (an integer, no join per ticket; sorting a million rows by three names took a second on
# PostgreSQL) and the names are read afterwards, once per group.
BY_ID = {
    "establishment": ("establishment", Establishment, "uai", ("name", "city")),
    "technician": ("assignee", get_user_model(), "username", ("first_name", "last_name")),
}


def _grouped(relevant: QuerySet, dimension: Dimension, aggregates: dict) -> tuple[list[dict], dict | None]:
    """The groups' rows, and on PostgreSQL the whole scope's row of the same pass (None elsewhere)."""
    spec = BY_ID.get(dimension.name)
    if spec is None:
        return _rows_and_total(
            relevant.values(dimension.ticket_key, *dimension.ticket_labels), dimension.ticket_key, aggregates
        )
    field, model, key, labels = spec
    rows, total = _rows_and_total(relevant.values(field), field, aggregates)
    ids = [row[field] for row in rows if row[field] is not None]
    names = {found["pk"]: found for found in model.objects.filter(pk__in=ids).values("pk", key, *labels)}
    for row in rows:
        found = names.get(row.pop(field), {})
        row[dimension.ticket_key] = found.get(key)
        for path, label in zip(dimension.ticket_labels, labels, strict=True):
            row[path] = found.get(label)
    return rows, total


GROUP_BY_NUMBERS = re.compile(r"\d+(, \d+)*")


def _rows_and_total(values: QuerySet, key: str, aggregates: dict) -> tuple[list[dict], dict | None]:
    """On PostgreSQL, the groups and their total in one pass (GROUPING SETS): the total's
    percentiles cannot be added up from the groups', and a second pass over the period's tickets
    for them cost a third of the report. Django has no GROUPING SETS: its GROUP BY by column
    numbers is rewritten, and the query runs as it was written if its GROUP BY is not that."""
    if not percentile_native():
        return list(values.annotate(**aggregates).order_by()), None
    grouped = values.annotate(**aggregates, is_total=Grouping(key)).order_by()
    compiler = grouped.query.get_compiler(using=grouped.db)
    sql, params = compiler.as_sql()
    head, _sep, keys = sql.rpartition(" GROUP BY ")
    if not GROUP_BY_NUMBERS.fullmatch(keys):
        return [row for row in grouped if not row.pop("is_total")], None
    with connection.cursor() as cursor:
        cursor.execute(f"{head} GROUP BY GROUPING SETS (({keys}), ())", params)
        names = [column.name for column in cursor.description]
        found = cursor.fetchall()
    # The conversions Django applies to values() rows (numbers to floats, for one).
    converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    rows = [dict(zip(names, row, strict=True)) for row in compiler.apply_converters(found, converters)]
    total = next(row for row in rows if row["is_total"])
    return [row for row in rows if not row.pop("is_total")], total


def _aggregates(q: dict[str, Q], as_of: dt.datetime) -> dict:
    due_fr, due_res = Q(first_response_due_at__isnull=False), Q(resolution_due_at__isnull=False)
    # The rare condition first in each filter: the database stops at it for most tickets instead of
    # comparing their dates (on SQLite, 20 % of the grouped pass).
    measures = {
        "opened": Count(ROW, filter=q["opened"]),
        "closed": Count(ROW, filter=q["closed"]),
        "backlog": Count(ROW, filter=q["backlog"]),
        "backlog_age_seconds": Sum(Value(as_of.timestamp()) - Epoch("declared_at"), filter=q["backlog"]),
        "backlog_oldest": Min("declared_at", filter=q["backlog"]),
        "first_response_with_due": Count(ROW, filter=q["responded"] & due_fr),
        "first_response_within": Count(ROW, filter=q["responded"] & due_fr & Q(first_response_breached=False)),
        "resolution_with_due": Count(ROW, filter=q["resolved"] & due_res),
        "resolution_within": Count(ROW, filter=q["resolved"] & due_res & Q(resolution_breached=False)),
        "first_response_breaches": Count(ROW, filter=Q(first_response_breached=True) & q["fr_due_in"]),
        "resolution_breaches": Count(ROW, filter=Q(resolution_breached=True) & q["res_due_in"]),
        "swapped": Count(ROW, filter=Q(replacement__isnull=False) & q["returned"]),
        "manufacturer": Count(ROW, filter=~Q(rma_number="") & Q(replacement__isnull=True) & q["returned"]),
        "repaired": Count(
            ROW, filter=q["returned"] & Q(replacement__isnull=True, rma_number="", returned_unrepaired=False)
        ),
        "unrepaired": Count(ROW, filter=Q(returned_unrepaired=True) & q["returned"]),
        "repeat_30_days": Count(ROW, filter=Q(repeat_30_days=True) & q["opened"]),
        "repeat_90_days": Count(ROW, filter=Q(repeat_90_days=True) & q["opened"]),
        "costed": Count(ROW, filter=(Q(parts_cost__gt=0) | Q(labour_cost__gt=0)) & q["closed"]),
        "parts_cost": Sum("parts_cost", filter=q["closed"]),
        "labour_cost": Sum("labour_cost", filter=q["closed"]),
    }
    if percentile_native():
        measures.update(native_percentiles(q))
    else:
        filters = percentile_filters(q)
        measures.update(
            {f"{p.name}_values": ValuesArray(p.field, filter=filters[p.name]) for p in percentile_measures()}
        )
    return measures


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


def _breakdown(tickets: QuerySet, dimension: Dimension, q: dict[str, Q]) -> dict:
    rows = (
        tickets.values(dimension.ticket_key, "category")
        .annotate(
            opened=Count(ROW, filter=q["opened"]),
            closed=Count(ROW, filter=q["closed"]),
            backlog=Count(ROW, filter=q["backlog"]),
            breaches=Count(
                ROW,
                filter=(q["fr_due_in"] & Q(first_response_breached=True))
                | (q["res_due_in"] & Q(resolution_breached=True)),
            ),
        )
        .order_by(dimension.ticket_key, "category")
    )
    result: dict = {}
    for row in rows:
        if row["opened"] or row["closed"] or row["backlog"]:
            row["label"] = str(FaultCategory(row["category"]).label)
            result.setdefault(row[dimension.ticket_key], []).append(row)
    return result


OUT_OF_SERVICE = (Device.Status.RETIRED, Device.Status.LOST)


def _fleet(params: ReportParams) -> dict:
    scope = params.device_scope()
    if scope is None:
        return {}
    dimension = params.dimension
    in_service = ~Q(status__in=OUT_OF_SERVICE)
    # The images that are not current, as a subquery that the database reads once, rather than a
    # join per device; devices without an image are not counted as outdated.
    outdated = Q(image__in=MasterImage.objects.filter(is_current=False).values("pk"))
    measures = {
        # Counted on a column of the fleet's index (device_fleet_image), which PostgreSQL can then
        # read alone; the id is not in it.
        "devices": Count("status", filter=in_service),
        "devices_outdated_image": Count("status", filter=in_service & outdated),
    }
    devices = Device.objects.filter(scope)
    if dimension.name != "establishment":
        rows = devices.values(dimension.device_key, *dimension.device_labels).annotate(**measures).order_by()
        return {row[dimension.device_key]: row for row in rows}
    # By establishment: grouped by the device's own foreign key, in the order of its index, and
    # named afterwards (a sort of every device by three names cost most of this query). Grouped by
    # image and status too, the whole key of that index (device_fleet_image), and the statuses in
    # service added up here: the database then tests no status per device (30 → 19 ms of SQL).
    per_status = (
        devices.values("establishment_id", "image_id", "status")
        .annotate(devices=Count("status"), devices_outdated_image=Count("status", filter=outdated))
        .order_by()
    )
    rows: dict = {}
    for part in per_status:
        row = rows.setdefault(part["establishment_id"], {"devices": 0, "devices_outdated_image": 0})
        if part["status"] not in OUT_OF_SERVICE:
            row["devices"] += part["devices"]
            row["devices_outdated_image"] += part["devices_outdated_image"]
    ids = [key for key in rows if key is not None]
    names = {e["pk"]: e for e in Establishment.objects.filter(pk__in=ids).values("pk", "uai", "name", "city")}
    result = {}
    for establishment_id, row in rows.items():
        found = names.get(establishment_id, {})
        row.update(zip(dimension.device_labels, (found.get("name"), found.get("city")), strict=True))
        row[dimension.device_key] = found.get("uai")
        result[row[dimension.device_key]] = row
    return result


def _loaners(base: QuerySet, dimension: Dimension, q: dict[str, Q]) -> dict:
    """Loaners out at the end, per group: a query of its own, because a loaner can stay out long
    after its ticket closed, outside the tickets the grouped query reads."""
    rows = (
        base.filter(q["loaner_out"])
        .values(dimension.ticket_key, *dimension.ticket_labels)
        .annotate(loaners_out=Count("loaner_lent_at"))  # a column of ticket_loaners_by_place: read alone
        .order_by()
    )
    return {row[dimension.ticket_key]: row for row in rows}


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
    q = _periods(params, as_of)
    base = (Ticket.objects.all() if tickets is None else tickets).filter(params.ticket_scope())
    relevant = _relevant(base, params)
    grouped, whole = _grouped(relevant, dimension, _aggregates(q, as_of))
    percentiles, total_percentiles = percentile_figures(relevant, grouped, q, dimension, whole=whole)
    loaners, fleet = _loaners(base, dimension, q), _fleet(params)

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
        report.breakdown = _breakdown(relevant, dimension, q)
    return report


def fleet_figures(fleet: dict, key) -> dict:
    if not fleet:
        return {"devices": None, "devices_outdated_image": None}
    row = fleet.get(key)
    return {
        "devices": row["devices"] if row else 0,
        "devices_outdated_image": row["devices_outdated_image"] if row else 0,
    }
