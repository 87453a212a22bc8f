"""Spare pools sized from real failure rates (method and assumptions: docs/FLEET.md).

Each pool is an infinite-server queue: failures arrive as a Poisson process of rate λ a week (the
establishment's failures of the last weeks, model by model), and each failure keeps a spare out
for the turnaround T of a repair of that model. By Palm's theorem the number of spares out is
Poisson with mean a = Σ λ_m T_m whatever the law of T, and a student arriving finds one
(arrivals see time averages) when fewer than s are out: s = q_p(a) + 1, the Poisson quantile.

Five grouped queries for the whole region: the failures and turnarounds of a window are read from
the weekly counts the database keeps (insights/models.py) for its whole weeks and from the tickets
for the partial weeks at its ends; the rest is arithmetic on a few hundred rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.utils import timezone

from devices.models import Device, DeviceModel, Establishment
from insights import params
from insights.models import FailureWeek, TurnaroundWeek
from insights.stats import poisson_quantile, poisson_sf
from insights.weekly import split
from repairs.models import Ticket
from repairs.states import State

DEPOT = None  # the depot's key: devices and tickets without an establishment


@dataclass
class ModelDemand:
    model: str
    failures: int
    turnaround_days: float


@dataclass
class Pool:
    establishment_id: int | None
    uai: str
    name: str
    zone_id: int | None
    zone: str
    devices: int = 0
    failures: int = 0  # in the window
    weekly_rate: float = 0.0
    load: float = 0.0  # spares out on average (a = Σ λ T)
    load_peak: float = 0.0
    spares: int = 0  # in the pool now
    on_loan: int = 0  # the pool's laptops lent out
    recommended: int = 0
    recommended_peak: int = 0
    target: int = 0  # the recommendation in force today
    models: list[ModelDemand] = field(default_factory=list)

    @property
    def pool(self) -> int:
        return self.spares + self.on_loan

    @property
    def gap(self) -> int:
        """Positive: spares missing; negative: spares to spare."""
        return self.target - self.pool

    @property
    def missing(self) -> int:
        return max(0, self.gap)

    @property
    def surplus(self) -> int:
        return max(0, -self.gap)

    @property
    def is_depot(self) -> bool:
        return self.establishment_id is None


@dataclass(frozen=True)
class Move:
    source_id: int | None  # None: the depot
    source: str
    target_id: int | None
    target: str
    zone: str
    count: int


@dataclass
class PoolPlan:
    pools: list[Pool]
    moves: list[Move]
    to_order: int  # what neither the zone nor the depot can give
    weeks: int
    probability: float
    peak_factor: float
    in_peak: bool
    since: dt.datetime
    until: dt.datetime

    @property
    def top_ups(self) -> list[Pool]:
        return sorted((p for p in self.pools if p.gap > 0), key=lambda p: (-p.gap, p.name))

    @property
    def reliefs(self) -> list[Pool]:
        return sorted((p for p in self.pools if p.gap < 0 and p.spares > 0), key=lambda p: (p.gap, p.name))


def recommended_spares(*, load: float, probability: float) -> int:
    """The pool a student finds a spare in with `probability`: q_p(a) + 1 (docs/FLEET.md)."""
    return poisson_quantile(probability, load) + 1


def in_peak(day: dt.date) -> bool:
    return params.PEAK_FROM <= (day.month, day.day) <= params.PEAK_UNTIL


def _failures() -> Q:
    return ~Q(state__in=params.NOT_FAILURES)


class _Microseconds(Func):
    """A sum of durations as whole microseconds, as the weekly counts keep them: SQLite's
    durations are microseconds already, PostgreSQL's are intervals."""

    output_field = BigIntegerField()
    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS bigint)", **extra
        )


class _OffIndex(Func):
    """A column SQLite's planner must not pick an index for (its unary +): the returned state
    matches a third of the tickets, and the range of resolution dates is the narrow side."""

    template = "+%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra)


def _turnarounds(*, since: dt.datetime, until: dt.datetime) -> tuple[dict[int, float], float]:
    """Days a repaired laptop was away, by model, from the tickets returned in the window; the
    fleet's mean for models with too few of them. One query: the weekly counts of the whole weeks,
    and the tickets (on ticket_fleet_resolved) of the partial weeks at both ends."""
    away = ExpressionWrapper(F("resolved_at") - F("declared_at"), output_field=DurationField())
    kept = (
        TurnaroundWeek.objects.values("model_id")
        .annotate(n=Sum("returned"), us=Sum("microseconds"))
        .values_list("model_id", "n", "us")
        .order_by()
    )

    def tickets(edge: Q):
        return (
            Ticket.objects.alias(returned=_OffIndex("state", output_field=CharField()))
            .filter(edge, returned=State.RETURNED)
            .values("device__model_id")
            .annotate(n=Count("id"), us=_Microseconds(Sum(away)))
            .values_list("device__model_id", "n", "us")
            .order_by()
        )

    rows = split(since=since, until=until, field="resolved_at").union(kept, tickets)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for model_id, n, microseconds in rows:
        totals[model_id][0] += n
        totals[model_id][1] += int(microseconds or 0)  # PostgreSQL sums bigints as numeric
    by_model = {
        model_id: microseconds / n / 86_400_000_000
        for model_id, (n, microseconds) in totals.items()
        if n >= params.TURNAROUND_MIN_TICKETS
    }
    total_n = sum(n for n, _us in totals.values())
    total = sum(microseconds for _n, microseconds in totals.values())
    fleet = total / total_n / 86_400_000_000 if total_n else params.DEFAULT_TURNAROUND_DAYS
    return by_model, fleet


def _failure_count(*, since: dt.datetime, until: dt.datetime) -> int:
    """The region's failures declared in [since, until): one query, as `_turnarounds` reads."""
    # Each branch one sum, grouped by nothing: grouped by a column, SQLite's planner would rather
    # walk an index on that column than the range of dates.
    one = Value(1, output_field=IntegerField())
    kept = FailureWeek.objects.annotate(one=one).values("one").annotate(n=Sum("failures")).values_list("n").order_by()

    def tickets(edge: Q):
        failures = Ticket.objects.filter(_failures(), edge).annotate(one=one).values("one")
        return failures.annotate(n=Count("id")).values_list("n").order_by()

    rows = split(since=since, until=until, field="declared_at").union(kept, tickets)
    return sum(n or 0 for (n,) in rows)


def _failures_by_place(*, since: dt.datetime, until: dt.datetime, establishment: Establishment | None):
    """{(establishment id, model id): failures declared in [since, until)}, without the zeros."""
    kept = FailureWeek.objects.all()
    scope = Q()
    if establishment is not None:
        kept = kept.filter(establishment_key=establishment.pk)
        scope = Q(establishment=establishment)
    kept = (
        kept.values("establishment_id", "model_id")
        .annotate(n=Sum("failures"))
        .values_list("establishment_id", "model_id", "n")
        .order_by()
    )

    def tickets(edge: Q):
        return (
            Ticket.objects.filter(_failures(), scope, edge)
            .values("establishment_id", "device__model_id")
            .annotate(n=Count("id"))
            .values_list("establishment_id", "device__model_id", "n")
            .order_by()
        )

    rows = split(since=since, until=until, field="declared_at").union(kept, tickets)
    counts: dict[tuple[int | None, int], int] = defaultdict(int)
    for establishment_id, model_id, n in rows:
        counts[(establishment_id, model_id)] += n
    return {key: n for key, n in counts.items() if n}


def _peak_factor(*, until: dt.datetime, window_failures: int, weeks: int) -> float:
    """Failures a week in the last September over failures a week in the window, at least 1."""
    today = timezone.localdate(until)
    year = today.year if today.month >= 10 else today.year - 1
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 9, 1, tzinfo=tz)
    end = dt.datetime(year, 10, 1, tzinfo=tz)
    september = _failure_count(since=start, until=end)
    if not window_failures or not september:
        return 1.0
    return max(1.0, (september / (30 / 7)) / (window_failures / weeks))


def pool_plan(*, now: dt.datetime | None = None, establishment: Establishment | None = None) -> PoolPlan:
    """Every pool's recommendation (the depot's too), the top-ups and the moves that balance the
    region. With `establishment`, that pool alone (no depot, no moves): the staff page."""
    until = now or timezone.now()
    weeks, probability = params.pool_weeks(), params.pool_probability()
    since = until - dt.timedelta(weeks=weeks)
    scope = {} if establishment is None else {"establishment": establishment}
    places = Establishment.objects.order_by("name")
    if establishment is not None:
        places = places.filter(pk=establishment.pk)
    pools: dict[int | None, Pool] = {
        pk: Pool(pk, uai, name, zone_id, zone or "")
        for pk, uai, name, zone_id, zone in places.values_list("pk", "uai", "name", "zone_id", "zone__name")
    }
    if establishment is None:
        pools[DEPOT] = Pool(DEPOT, "", "", None, "")
    for row in (
        Device.objects.filter(**scope)
        .exclude(status__in=(Device.Status.RETIRED, Device.Status.LOST))
        .values("establishment_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        pool = pools.get(row["establishment_id"])
        if pool is None:
            continue
        pool.devices += row["n"]
        if row["status"] == Device.Status.SPARE:
            pool.spares += row["n"]
        elif row["status"] == Device.Status.ON_LOAN:
            pool.on_loan += row["n"]
    turnaround, fleet_turnaround = _turnarounds(since=since, until=until)
    names = dict(DeviceModel.objects.values_list("pk", "name")) if establishment is not None else {}
    window_failures = 0
    for (establishment_id, model_id), n in sorted(
        _failures_by_place(since=since, until=until, establishment=establishment).items(),
        key=lambda item: (names.get(item[0][1], ""), item[0][1]),
    ):
        window_failures += n
        pool = pools.get(establishment_id)
        if pool is None:
            continue
        days = turnaround.get(model_id, fleet_turnaround)
        pool.failures += n
        pool.load += n / weeks * days / 7
        if names:
            pool.models.append(ModelDemand(names.get(model_id, "?"), n, round(days, 1)))
    if establishment is not None:
        window_failures = _failure_count(since=since, until=until)
    peak = _peak_factor(until=until, window_failures=window_failures, weeks=weeks)
    peak_now = in_peak(timezone.localdate(until))
    for pool in pools.values():
        pool.weekly_rate = pool.failures / weeks
        pool.load_peak = pool.load * peak
        if not pool.is_depot:
            _recommend(pool, probability=probability, peak_now=peak_now)
    if establishment is not None:
        return PoolPlan(list(pools.values()), [], 0, weeks, probability, peak, peak_now, since, until)
    depot = pools[DEPOT]
    # The depot serves what the schools' own pools miss: the failures that find their pool empty,
    # a_e × P(N_e ≥ s_e) spares out on average, for the pools as they stand, plus its own.
    for pool in pools.values():
        if not pool.is_depot:
            depot.load += pool.load * poisson_sf(pool.pool, pool.load)
            depot.load_peak += pool.load_peak * poisson_sf(pool.pool, pool.load_peak)
    _recommend(depot, probability=probability, peak_now=peak_now)
    moves, to_order = _balance(list(pools.values()))
    ordered = [*sorted((p for p in pools.values() if not p.is_depot), key=lambda p: p.name), depot]
    return PoolPlan(ordered, moves, to_order, weeks, probability, peak, peak_now, since, until)


def _recommend(pool: Pool, *, probability: float, peak_now: bool) -> None:
    pool.recommended = recommended_spares(load=pool.load, probability=probability)
    pool.recommended_peak = recommended_spares(load=pool.load_peak, probability=probability)
    pool.target = pool.recommended_peak if peak_now else pool.recommended


def _balance(pools: list[Pool]) -> tuple[list[Move], int]:
    """Moves that top pools up: from the zone's surplus first (largest first), then from the
    depot's; what is still missing is to order. Only spares on the shelf move, never lent ones."""
    depot = next(p for p in pools if p.is_depot)
    by_zone: dict[int | None, list[Pool]] = defaultdict(list)
    for pool in pools:
        if not pool.is_depot:
            by_zone[pool.zone_id].append(pool)
    moves: list[Move] = []
    missing: list[tuple[Pool, int]] = []
    for zone_pools in by_zone.values():
        needs = sorted(((p, p.gap) for p in zone_pools if p.gap > 0), key=lambda x: (-x[1], x[0].name))
        spare = {p.establishment_id: min(-p.gap, p.spares) for p in zone_pools if p.gap < 0 and p.spares > 0}
        givers = sorted(
            (p for p in zone_pools if spare.get(p.establishment_id)), key=lambda p: (-spare[p.establishment_id], p.name)
        )
        for pool, need in needs:
            for giver in givers:
                if need == 0:
                    break
                count = min(need, spare[giver.establishment_id])
                if count:
                    moves.append(
                        Move(giver.establishment_id, giver.name, pool.establishment_id, pool.name, pool.zone, count)
                    )
                    spare[giver.establishment_id] -= count
                    need -= count
            if need:
                missing.append((pool, need))
    depot_spare = max(0, min(-depot.gap, depot.spares))
    to_order = 0
    for pool, need in sorted(missing, key=lambda x: (-x[1], x[0].name)):
        count = min(need, depot_spare)
        if count:
            moves.append(Move(None, "", pool.establishment_id, pool.name, pool.zone, count))
            depot_spare -= count
        to_order += need - count
    if depot.gap > 0:
        to_order += depot.gap
    return moves, to_order
