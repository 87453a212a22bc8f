"""The report's queries (repairs/reports/generator.py puts their rows together and defines what
each figure counts). Each is one pass of the database over columns stored with each ticket or
device: the grouped counts and percentiles, with on PostgreSQL the whole scope's row from the
same pass (GROUPING SETS); the fleet; the loaners out; the PDF's breakdown by category."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum, Value

from devices.models import Device, Establishment, FaultCategory, MasterImage
from repairs.queryhints import unindexed
from repairs.reports.params import Dimension, ReportParams
from repairs.reports.percentiles import native_percentiles, percentile_filters, percentile_measures
from repairs.reports.sql import Epoch, Grouping, ValuesArray, percentile_native
from repairs.states import State

# What the counts count: a column of the report's covering index that is never NULL. COUNT(id)
# would be the same number, but the id is not in that index on PostgreSQL (it is in every index on
# SQLite), and PostgreSQL then read the table instead of the index.
ROW = "declared_at"


def periods(params: ReportParams, as_of: dt.datetime) -> dict[str, Q]:
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


def relevant(base: QuerySet, params: ReportParams) -> QuerySet:
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


def grouped(relevant: QuerySet, dimension: Dimension, aggregates: dict) -> tuple[list[dict], dict | None]:
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


def aggregates(q: dict[str, Q], as_of: dt.datetime) -> dict:
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


def breakdown(tickets: QuerySet, dimension: Dimension, q: dict[str, Q]) -> dict:
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


def fleet(params: ReportParams) -> dict:
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


def loaners(base: QuerySet, dimension: Dimension, q: dict[str, Q]) -> dict:
    """Loaners out at the end, per group: a query of its own, because a loaner can stay out long
    after its ticket closed, outside the tickets the grouped query reads."""
    rows = (
        base.filter(q["loaner_out"])
        .values(dimension.ticket_key, *dimension.ticket_labels)
        .annotate(loaners_out=Count("loaner_lent_at"))  # a column of ticket_loaners_by_place: read alone
        .order_by()
    )
    return {row[dimension.ticket_key]: row for row in rows}
