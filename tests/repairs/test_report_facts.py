"""Reports from stored facts give the figures the reports computed before, on the same data:
repeat failures as the correlated subqueries counted them, within-SLA shares as the due dates
and breach flags said, percentiles as percentile_cont (native on PostgreSQL, gathered values on
SQLite, both against statistics.quantiles)."""

import copy
import datetime as dt
import random
import statistics
from itertools import pairwise

import pytest
from django.db import connection
from django.db.models import Count, DateTimeField, Exists, Func, OuterRef, Q

from devices.models import Device
from repairs import services
from repairs.models import Ticket
from repairs.reports.generator import report_build
from repairs.reports.params import ReportParams
from repairs.reports.sql import percentile_cont
from repairs.sla.calendar import PARIS
from repairs.triggers import triggers_drop, triggers_ensure
from tests.devices.factories import DeviceFactory, EstablishmentFactory
from tests.once import kept_for_the_module
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


class OldShiftDays(Func):
    """The reports' own day shift before the facts (SQLite's datetime() text, PostgreSQL's interval)."""

    output_field = DateTimeField()

    def __init__(self, expression, *, days: int):
        super().__init__(expression)
        self.days = days

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=f"datetime(%(expressions)s, '{self.days:+d} days')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=f"(%(expressions)s + INTERVAL '{self.days:d} days')", **extra)


def old_repeat(days: int) -> Exists:
    """The correlated subquery the reports ran for each ticket opened in the period."""
    earlier = Ticket.objects.filter(
        device_id=OuterRef("device_id"),
        declared_at__lt=OuterRef("declared_at"),
        declared_at__gte=OldShiftDays(OuterRef("declared_at"), days=-days),
    ).exclude(state="cancelled")
    return Exists(earlier)


@pytest.fixture(scope="module")
def module_history(django_db_setup, django_db_blocker):
    """Written once for the module's tests (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, build_history) as world:
        yield world


@pytest.fixture
def history(module_history):
    return copy.deepcopy(module_history)


def build_history():
    """A hundred and twenty tickets on twelve laptops of three lycées over a year, declared at
    gaps around 30 and 90 days (a second either side), some cancelled or deleted afterwards."""
    world = build_world()
    rng = random.Random(30)
    places = [world.establishment, world.other_establishment, EstablishmentFactory(departement="31")]
    devices = [DeviceFactory(establishment=places[n % 3], status=Device.Status.ASSIGNED) for n in range(12)]
    start = dt.datetime(2025, 9, 1, 8, tzinfo=PARIS)
    gaps = [dt.timedelta(days=d, seconds=s) for d in (29, 30, 31, 89, 90, 91, 5, 200) for s in (-1, 0, 1)]
    rows, n, open_faults = [], 0, set()
    for device in devices:
        moment = start + dt.timedelta(hours=rng.randrange(0, 2000))
        for _ in range(10):
            n += 1
            moment += rng.choice(gaps)
            due = moment + dt.timedelta(hours=rng.randrange(10, 200))
            responded = moment + dt.timedelta(hours=rng.randrange(1, 300)) if rng.random() < 0.8 else None
            resolved = moment + dt.timedelta(hours=rng.randrange(5, 900)) if rng.random() < 0.7 else None
            category = rng.choice(["screen", "battery", "keyboard", "network", "other"])
            if not resolved and (device.pk, category) in open_faults:
                resolved = moment + dt.timedelta(hours=48)  # one open ticket per laptop and fault
            if not resolved:
                open_faults.add((device.pk, category))
            rows.append(
                Ticket(
                    reference=f"R-2025-{800000 + n:06d}",
                    device=device,
                    reporter=world.staff,
                    establishment=device.establishment,
                    category=category,
                    description="Historique.",
                    state="returned" if resolved else rng.choice(["declared", "diagnosing", "in_repair"]),
                    declared_at=moment,
                    first_responded_at=responded,
                    first_response_seconds=rng.randrange(600, 90000) if responded else None,
                    first_response_due_at=None if n % 9 == 0 else moment + dt.timedelta(hours=8),
                    first_response_breached=rng.random() < 0.3,
                    resolved_at=resolved,
                    resolution_seconds=rng.randrange(3600, 900000) if resolved else None,
                    resolution_due_at=None if n % 13 == 0 else due,
                    resolution_breached=rng.random() < 0.3,
                    rma_number="RMA" if resolved and rng.random() < 0.3 else "",
                    manufacturer_seconds=rng.randrange(86400, 30 * 86400) if resolved and rng.random() < 0.3 else None,
                )
            )
    Ticket.objects.bulk_create(rows)
    tickets = list(Ticket.objects.order_by("pk"))
    # Afterwards: cancellations (raw, and one through the service), a deletion, a laptop swapped.
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[3::11]]).update(state="cancelled")
    declared = Ticket.objects.filter(state="declared").select_related("establishment").first()
    services.ticket_cancel(ticket=declared, actor=world.staff)
    Ticket.objects.filter(pk=tickets[40].pk).delete()
    moved = next(t for t in tickets[50:] if t.state == "returned" and t.device_id != devices[0].pk)
    Ticket.objects.filter(pk=moved.pk).update(device=devices[0])
    return world


PERIODS = [(dt.date(2025, 9, 1), dt.date(2026, 8, 31)), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))]


@pytest.mark.parametrize("group_by", ["establishment", "departement", "category"])
@pytest.mark.parametrize(("date_from", "date_to"), PERIODS)
def test_repeat_and_within_sla_figures_are_those_of_the_old_subqueries(history, group_by, date_from, date_to):
    params = ReportParams(date_from=date_from, date_to=date_to, group_by=group_by)
    report = report_build(params=params, now=dt.datetime(2027, 1, 1, tzinfo=PARIS))
    key = params.dimension.ticket_key
    start, end = params.start, params.end
    opened = Q(declared_at__gte=start, declared_at__lt=end)
    responded = Q(first_responded_at__gte=start, first_responded_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end) & ~Q(state="cancelled")
    old = {
        row[key]: row
        for row in Ticket.objects.values(key).annotate(
            repeat_30_days=Count("pk", filter=opened & Q(old_repeat(30))),
            repeat_90_days=Count("pk", filter=opened & Q(old_repeat(90))),
            fr_due=Count("pk", filter=responded & Q(first_response_due_at__isnull=False)),
            fr_in=Count("pk", filter=responded & Q(first_response_due_at__isnull=False, first_response_breached=False)),
            res_due=Count("pk", filter=resolved & Q(resolution_due_at__isnull=False)),
            res_in=Count("pk", filter=resolved & Q(resolution_due_at__isnull=False, resolution_breached=False)),
        )
    }
    assert sum(row["repeat_30_days"] for row in old.values()) > 3  # the data set has repeats to count
    for row in report.rows:
        expected = old.get(row["key"])
        if expected is None:
            continue
        assert (row["repeat_30_days"], row["repeat_90_days"]) == (
            expected["repeat_30_days"],
            expected["repeat_90_days"],
        ), row["key"]
        fr = round(100 * expected["fr_in"] / expected["fr_due"], 1) if expected["fr_due"] else None
        res = round(100 * expected["res_in"] / expected["res_due"], 1) if expected["res_due"] else None
        assert (row["first_response_within_sla_pct"], row["resolution_within_sla_pct"]) == (fr, res), row["key"]


def reference_percentiles(values: list[float]) -> list[float | None]:
    """percentile_cont's definition, from the standard library (linear, 'inclusive')."""
    if not values:
        return [None, None]
    if len(values) == 1:
        return [values[0], values[0]]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return [cuts[49], cuts[89]]


def test_percentiles_are_percentile_cont_on_both_databases(history):
    params = ReportParams(date_from=dt.date(2025, 9, 1), date_to=dt.date(2026, 8, 31), group_by="establishment")
    report = report_build(params=params, now=dt.datetime(2027, 1, 1, tzinfo=PARIS))
    start, end = params.start, params.end
    closed = Q(resolved_at__gte=start, resolved_at__lt=end)
    measures = {
        "first_response": (
            "first_response_seconds",
            Q(first_responded_at__gte=start, first_responded_at__lt=end),
            3600,
        ),
        "resolution": ("resolution_seconds", closed & ~Q(state="cancelled"), 3600),
        "manufacturer": ("manufacturer_seconds", closed & ~Q(state__in=["cancelled", "closed_no_fault"]), 86400),
    }
    rows = {row["key"]: row for row in report.rows} | {"__total__": report.total}
    for name, (field, period, unit) in measures.items():
        suffix = "days" if unit == 86400 else "hours"
        for key, row in rows.items():
            tickets = Ticket.objects.filter(period, **{f"{field}__isnull": False})
            if key != "__total__":
                tickets = tickets.filter(establishment__uai=key)
            expected = reference_percentiles(sorted(tickets.values_list(field, flat=True)))
            shown = [row[f"{name}_median_{suffix}"], row[f"{name}_p90_{suffix}"]]
            assert shown == [None if v is None else round(v / unit, 1) for v in expected], (name, key)


@pytest.mark.parametrize("values", [[7, 1, 100, 45, 45, 3, 12, 99, 61], [5], [2, 4], list(range(1, 102))])
def test_the_sqlite_percentile_is_the_database_one_and_the_standard_library_one(values):
    ordered = sorted(values)
    ours = [percentile_cont(ordered, 50), percentile_cont(ordered, 90)]
    assert ours == pytest.approx(reference_percentiles(ordered))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP (ORDER BY v) "
                "FROM unnest(%s::float8[]) AS v",
                [values],
            )
            assert ours == pytest.approx(list(cursor.fetchone()))


def test_a_cancellation_after_the_fact_clears_the_later_repeat(history):
    device = DeviceFactory(establishment=history.establishment, status=Device.Status.ASSIGNED)
    first = history.declare(device=device, by=history.staff, at=dt.datetime(2026, 3, 1, 9, tzinfo=PARIS))
    second = history.declare(
        device=device, by=history.staff, category="battery", at=dt.datetime(2026, 3, 20, 9, tzinfo=PARIS)
    )
    assert Ticket.objects.filter(pk=second.pk, repeat_30_days=True, repeat_90_days=True).exists()
    services.ticket_cancel(ticket=Ticket.objects.get(pk=first.pk), actor=history.staff)
    assert Ticket.objects.filter(pk=second.pk, repeat_30_days=False, repeat_90_days=False).exists()


def test_dropped_fact_triggers_come_back_with_the_flags_recomputed(history):
    triggers_drop(connection, part="facts")
    Ticket.objects.update(repeat_30_days=False, repeat_90_days=False)
    assert triggers_ensure(using="default") == ["facts"]
    stored = Ticket.objects.filter(repeat_90_days=True).count()
    assert stored == Ticket.objects.filter(old_repeat(90)).count() > 0


def test_a_bulk_load_with_wrong_flags_gets_only_those_rewritten(history):
    """What bench/region_derive.py relies on after loading tickets with the triggers off."""
    from repairs.triggers import facts_correct

    expected = Ticket.objects.filter(old_repeat(90)).count()
    wrong = list(Ticket.objects.filter(repeat_90_days=True).values_list("pk", flat=True)[:5])
    Ticket.objects.filter(pk__in=wrong).update(repeat_30_days=False, repeat_90_days=False)
    with connection.cursor() as cursor:
        cursor.execute(facts_correct(connection.vendor))
        assert cursor.rowcount == len(wrong) == 5
        cursor.execute(facts_correct(connection.vendor))
        assert cursor.rowcount == 0
    assert Ticket.objects.filter(repeat_90_days=True).count() == expected
    assert not Ticket.objects.filter(repeat_30_days=True).exclude(old_repeat(30)).exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_figures_are_written_as_django_writes_them(language):
    from django.utils import translation
    from django.utils.formats import number_format

    from repairs.reports.numbers import number_text

    values = [0, 7, 999, 1000, 12345, 1234567, -4321, 0.0, 0.5, 12.3, 1234.5, 99999.9, 100.0, -12.5, 1e-07, 3.14159]
    with translation.override(language):
        for value in values:
            for digits in (0, 1):
                expected = number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)
                assert number_text(value, digits) == expected, (value, digits)


def plain_figures(tickets: list[Ticket], start: dt.datetime, end: dt.datetime) -> dict:
    """Each count of a report row, ticket by ticket in Python, from the definitions."""

    def within(moment):
        return moment is not None and start <= moment < end

    names = "opened closed backlog first_response_breaches resolution_breaches swapped manufacturer repaired"
    figures = dict.fromkeys((*names.split(), "unrepaired", "repeat_30_days", "repeat_90_days", "costed"), 0)
    for t in tickets:
        closed = within(t.resolved_at)
        returned = closed and t.state not in ("closed_no_fault", "cancelled")
        figures["opened"] += within(t.declared_at)
        figures["closed"] += closed
        figures["backlog"] += t.declared_at < end and (t.resolved_at is None or t.resolved_at >= end)
        figures["first_response_breaches"] += within(t.first_response_due_at) and t.first_response_breached
        figures["resolution_breaches"] += within(t.resolution_due_at) and t.resolution_breached
        figures["swapped"] += returned and t.replacement_id is not None
        figures["manufacturer"] += returned and t.replacement_id is None and t.rma_number != ""
        figures["repaired"] += returned and t.replacement_id is None and not t.rma_number and not t.returned_unrepaired
        figures["unrepaired"] += returned and t.returned_unrepaired
        figures["repeat_30_days"] += within(t.declared_at) and t.repeat_30_days
        figures["repeat_90_days"] += within(t.declared_at) and t.repeat_90_days
        figures["costed"] += closed and (t.parts_cost > 0 or t.labour_cost > 0)
    return figures


@pytest.mark.parametrize(
    ("date_from", "date_to", "bucket"),
    [
        (dt.date(2025, 9, 1), dt.date(2026, 8, 31), "month"),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "week"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31), "day"),  # a month with the change to summer time
        (dt.date(2020, 1, 1), dt.date(2027, 12, 31), "year"),
    ],
)
def test_counts_and_series_are_those_of_a_plain_count_of_each_ticket(history, date_from, date_to, bucket):
    tickets = list(Ticket.objects.order_by("pk"))
    # Outcomes the history has not: swaps, refused quotes, costs, closings without fault.
    for n, t in enumerate(t for t in tickets if t.state == "returned"):
        changes = [
            {"replacement": DeviceFactory(establishment=t.establishment)},
            {"returned_unrepaired": True},
            {"parts_cost": 35, "labour_cost": 0},
            {"state": "closed_no_fault"},
            {"labour_cost": 20, "rma_number": ""},
        ][n % 6 :][:1]
        for change in changes:
            Ticket.objects.filter(pk=t.pk).update(**change)
    tickets = list(Ticket.objects.select_related("establishment").order_by("pk"))
    params = ReportParams(date_from=date_from, date_to=date_to, group_by="establishment")
    report = report_build(params=params, now=dt.datetime(2028, 1, 1, tzinfo=PARIS))
    start, end = params.start, params.end
    rows = {row["key"]: row for row in report.rows}
    for uai in {t.establishment.uai for t in tickets}:
        expected = plain_figures([t for t in tickets if t.establishment.uai == uai], start, end)
        assert {k: rows[uai][k] for k in expected} == expected, uai
    assert {k: report.total[k] for k in expected} == plain_figures(tickets, start, end)
    if bucket == "year":  # every ticket: each outcome is there to be counted
        assert all(report.total[k] for k in ("swapped", "unrepaired", "costed", "manufacturer", "repeat_30_days"))

    assert report.bucket == bucket
    bounds = [dt.datetime.combine(p["bucket"], dt.time(), tzinfo=PARIS) for p in report.series[1:]]
    for n, point in enumerate(report.series):
        low = start if n == 0 else bounds[n - 1]
        high = bounds[n] if n < len(bounds) else end
        assert point["opened"] == sum(low <= t.declared_at < high for t in tickets), point
        assert point["closed"] == sum(t.resolved_at is not None and low <= t.resolved_at < high for t in tickets)
    assert sum(p["opened"] for p in report.series) == report.total["opened"] > 0


@pytest.mark.parametrize("group_by", ["establishment", "departement", "technician"])
def test_the_total_of_the_same_pass_is_the_total_of_a_pass_of_its_own(history, group_by, monkeypatch):
    """On PostgreSQL the groups and their total come from one pass (GROUPING SETS), or, when
    Django's GROUP BY cannot be rewritten, from a pass each: the same report either way."""
    import re

    from repairs.reports import queries

    params = ReportParams(date_from=dt.date(2025, 9, 1), date_to=dt.date(2026, 8, 31), group_by=group_by)
    now = dt.datetime(2027, 1, 1, tzinfo=PARIS)
    one_pass = report_build(params=params, now=now)
    monkeypatch.setattr(queries, "GROUP_BY_NUMBERS", re.compile(r"(?!)"))  # never matches
    two_passes = report_build(params=params, now=now)
    assert one_pass.rows == two_passes.rows
    assert one_pass.total == two_passes.total
    assert one_pass.total["resolution_median_hours"] is not None


SERIES_PERIODS = [
    (dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    (dt.date(2020, 1, 1), dt.date(2027, 12, 31)),
]


@pytest.mark.parametrize(("date_from", "date_to"), SERIES_PERIODS)
def test_the_series_compiled_once_per_measure_counts_what_a_queryset_per_bucket_counts(history, date_from, date_to):
    """The series' SQL is compiled once per measure and each bucket's bounds put in its parameters:
    the same counts as the ORM's union of a queryset per bucket, for a scope with parameters of its
    own (a place, and a date that is not a bound)."""
    from django.test.utils import CaptureQueriesContext

    from repairs.reports import series

    params = ReportParams(date_from=date_from, date_to=date_to)
    since = dt.datetime(2025, 10, 1, tzinfo=PARIS)
    scopes = [
        Ticket.objects.all(),
        Ticket.objects.filter(establishment=history.establishment, first_responded_at__gte=since),
    ]
    for scope in scopes:
        with CaptureQueriesContext(connection) as queries:
            compiled_once = series.opened_closed_series(scope, params)
        assert len(queries) == 1 and "COUNT(*) AS tickets" in queries[0]["sql"]
        ranges = list(pairwise([params.start, *bucket_starts(compiled_once[1][1:]), params.end]))
        by_the_orm = series._union_by_the_orm(scope, ranges)
        expected = {(m, b): n for m, b, n in by_the_orm}
        for b, point in enumerate(compiled_once[1]):
            assert (point["opened"], point["closed"]) == (expected[0, b], expected[1, b]), (b, point)
        assert sum(p["opened"] for p in compiled_once[1]) > 0


def test_a_scope_holding_a_bound_of_the_compiled_series_is_counted_by_the_orm(history):
    """A scope whose own parameters include the placeholders' bounds: they cannot be told apart, and
    the series is the ORM's (a queryset per bucket), with the same counts."""
    from repairs.reports import series

    params = ReportParams(date_from=dt.date(2025, 9, 1), date_to=dt.date(2026, 8, 31))
    scope = Ticket.objects.filter(declared_at__gte=series.SENTINELS[0])
    assert series._range_count(scope, "declared_at") is None
    name, points = series.opened_closed_series(scope, params)
    expected = series.opened_closed_series(Ticket.objects.all(), params)
    assert (name, points) == expected


def bucket_starts(points: list[dict]) -> list[dt.datetime]:
    return [dt.datetime.combine(p["bucket"], dt.time(), tzinfo=PARIS) for p in points]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's two ways of writing the epoch")
def test_the_sqlite_epoch_is_the_whole_seconds_strftime_gave(history):
    """The backlog's ages on SQLite: unixepoch() where SQLite has it, strftime('%s') read back as a
    number before; the same seconds for any declaration, a fraction of a second treated the same way
    (SQLite rounds to the millisecond, then cuts: 01:59:59.999999 is 02:00:00 for both)."""
    from django.db.models import FloatField
    from django.db.models.expressions import RawSQL

    from repairs.reports.sql import Epoch

    moments = [
        dt.datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 0, 0, 500000, tzinfo=PARIS),
    ]
    Ticket.objects.filter(pk__in=list(Ticket.objects.values_list("pk", flat=True)[:2])).update(declared_at=moments[0])
    Ticket.objects.filter(pk=Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0]).update(
        declared_at=moments[1]
    )
    rows = Ticket.objects.annotate(
        now=Epoch("declared_at"),
        before=RawSQL("CAST(strftime('%%s', repairs_ticket.declared_at) AS REAL)", [], output_field=FloatField()),
    ).values_list("declared_at", "now", "before")
    assert len(rows) > 100
    for declared_at, now, before in rows:
        assert now == before, declared_at
        assert abs(now - declared_at.timestamp()) < 1
