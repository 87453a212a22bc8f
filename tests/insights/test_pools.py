"""Spare pools: the recommendation against a hand-computed case, the depot, the moves, the peak."""

import datetime as dt

import pytest

from devices.models import Device, Role
from insights.pools import pool_plan
from insights.stats import poisson_quantile
from tests.devices.factories import DeviceModelFactory, EstablishmentFactory, ZoneFactory, make_person
from tests.insights.factories import NOW, make_devices, make_tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    zone = ZoneFactory(code="z-nord")
    a = EstablishmentFactory(zone=zone, name="A Lycée qui casse", uai="0310001A")
    b = EstablishmentFactory(zone=zone, name="B Lycée tranquille", uai="0310002B")
    model = DeviceModelFactory()
    devices = make_devices(10, model=model, establishment=a, status=Device.Status.ASSIGNED)
    make_devices(5, model=model, establishment=b, status=Device.Status.SPARE)
    make_devices(3, model=model, establishment=None, status=Device.Status.SPARE)
    reporter = make_person(Role.STAFF, establishment=a)
    # 24 failures in the 12 weeks before NOW (from 1 October, every 36 hours), each laptop away 14 days.
    make_tickets(
        devices,
        reporter=reporter,
        count=24,
        declared_at=dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC),
        step=dt.timedelta(hours=36),
        away=dt.timedelta(days=14),
    )
    return a, b, devices, reporter


def test_the_recommendation_matches_the_hand_computed_case(region):
    a, b, _devices, _reporter = region
    plan = pool_plan(now=NOW)
    pool = next(p for p in plan.pools if p.establishment_id == a.pk)
    # λ = 24 failures / 12 weeks = 2 a week; T = 14 days = 2 weeks; a = λT = 4 spares out on average.
    assert pool.weekly_rate == pytest.approx(2.0)
    assert pool.load == pytest.approx(4.0)
    # Poisson(4): P(N ≤ 7) = 0.9489 < 0.95 ≤ P(N ≤ 8) = 0.9786, so q = 8 and s = q + 1 = 9 spares.
    assert pool.recommended == 9
    assert (pool.pool, pool.gap) == (0, 9)
    quiet = next(p for p in plan.pools if p.establishment_id == b.pk)
    # No failure: a = 0, q = 0, one spare still recommended; four of its five are spare.
    assert (quiet.recommended, quiet.gap) == (1, -4)
    assert plan.peak_factor == 1.0  # no failure at all last September


def test_the_depot_covers_what_the_pools_miss_and_the_zone_gives_first(region):
    a, b, _devices, _reporter = region
    plan = pool_plan(now=NOW)
    depot = plan.pools[-1]
    assert depot.is_depot
    # A's empty pool sends every failure to the depot: 4 × P(N ≥ 0) = 4 spares out there.
    assert depot.load == pytest.approx(4.0)
    assert (depot.recommended, depot.pool, depot.gap) == (9, 3, 6)
    moves = [(m.source_id, m.target_id, m.count) for m in plan.moves]
    assert moves == [(b.pk, a.pk, 4)]  # B's surplus, same zone; the depot has none to give
    assert plan.to_order == 5 + 6
    assert [p.establishment_id for p in plan.top_ups][:2] == [a.pk, None]
    assert [p.establishment_id for p in plan.reliefs] == [b.pk]


def test_the_september_peak_raises_the_rentree_size(region):
    a, _b, devices, reporter = region
    # 10 failures in the first days of September (before the window): 10 / (30/7) a week against 2.
    make_tickets(devices, reporter=reporter, declared_at=dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC), count=10,
                 step=dt.timedelta(hours=12))  # fmt: skip
    plan = pool_plan(now=NOW)
    assert plan.peak_factor == pytest.approx((10 / (30 / 7)) / 2)
    pool = next(p for p in plan.pools if p.establishment_id == a.pk)
    assert pool.recommended_peak == poisson_quantile(0.95, 4.0 * plan.peak_factor) + 1
    assert pool.target == pool.recommended  # 1 December is not the rentrée
    in_september = pool_plan(now=dt.datetime(2026, 9, 20, 12, 0, tzinfo=dt.UTC))
    assert in_september.in_peak


def test_cancelled_and_no_fault_tickets_are_not_failures(region):
    a, _b, devices, reporter = region
    for state in ("cancelled", "closed_no_fault"):
        make_tickets(devices, reporter=reporter, declared_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), state=state)
    pool = next(p for p in pool_plan(now=NOW).pools if p.establishment_id == a.pk)
    assert pool.failures == 24


def test_the_whole_region_costs_a_fixed_number_of_queries(region, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        pool_plan(now=NOW)
