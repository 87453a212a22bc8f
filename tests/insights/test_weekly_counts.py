"""The weekly counts the database keeps (insights/triggers.py) against the tickets themselves: a
varied world is written, edited, reopened, deleted and re-delivered, then the counts and every
figure read from them must equal a plain computation over the tickets."""

import datetime as dt
import random
from collections import Counter, defaultdict
from functools import partial

import pytest
from django.db import connection

from devices.models import Device, FaultCategory, Role
from insights import batches, params, pools
from insights.batches import batch_analysis
from insights.models import BatchWeek, FailureWeek, TurnaroundWeek
from insights.pools import pool_plan
from insights.triggers import triggers_drop, triggers_ensure
from insights.weekly import week_start
from repairs.models import Ticket
from repairs.states import OPEN_STATES, State
from tests.devices.factories import DeviceModelFactory, EstablishmentFactory, ZoneFactory, make_person
from tests.insights.factories import NOW, make_devices
from tests.once import kept_for_the_module

pytestmark = pytest.mark.django_db

# Windows that end mid-week, exactly on a week's start, and a microsecond after it.
MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
MOMENTS = (NOW, MONDAY, MONDAY + dt.timedelta(microseconds=1), dt.datetime(2026, 10, 4, 23, 59, 59, tzinfo=dt.UTC))


def _instant(rng: random.Random, start: dt.datetime, days: float) -> dt.datetime:
    moment = start + dt.timedelta(seconds=rng.uniform(0, days * 86400))
    return moment.replace(microsecond=rng.choice((0, rng.randrange(1_000_000))))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, written once for the module (each test's changes are undone after it)."""
    with kept_for_the_module(django_db_blocker, write_world) as places:
        yield places


def write_world():
    rng = random.Random(7)
    north, south = ZoneFactory(code="z-n"), ZoneFactory(code="z-s")
    places = [
        EstablishmentFactory(zone=north, name="Lycée A", uai="0310101A"),
        EstablishmentFactory(zone=north, name="Lycée B", uai="0310102B"),
        EstablishmentFactory(zone=south, name="Lycée C", uai="0310103C"),
        None,  # the depot
    ]
    models = [DeviceModelFactory(manufacturer="Dell", name=n) for n in ("Latitude 3140", "Latitude 3190")]
    models.append(DeviceModelFactory(manufacturer="HP", name="ProBook G9"))
    deliveries = (dt.date(2024, 6, 10), dt.date(2024, 6, 28), dt.date(2025, 7, 1), None)
    statuses = (Device.Status.ASSIGNED, Device.Status.ASSIGNED, Device.Status.SPARE, Device.Status.ON_LOAN)
    devices = []
    for n in range(40):
        devices += make_devices(
            1,
            model=models[n % 3],
            establishment=places[n % 4],
            delivered_on=deliveries[n % 4],
            status=statuses[rng.randrange(4)] if n % 9 else Device.Status.RETIRED,
        )
    reporter = make_person(Role.STAFF, establishment=places[0])
    categories = [str(c) for c in FaultCategory]
    tickets, open_faults = [], set()
    for n in range(600):
        device = rng.choice(devices)
        category = rng.choice(categories)
        declared = _instant(rng, NOW - dt.timedelta(weeks=30), 30 * 7 + 10)
        state = rng.choice((State.RETURNED, State.RETURNED, State.CANCELLED, State.CLOSED_NO_FAULT, State.DIAGNOSING))
        if state in OPEN_STATES and (device.pk, category) in open_faults:
            state = State.RETURNED
        if state in OPEN_STATES:
            open_faults.add((device.pk, category))
        resolved = declared + dt.timedelta(seconds=rng.uniform(3600, 40 * 86400)) if state != State.DIAGNOSING else None
        if resolved and rng.random() < 0.3:
            resolved = resolved.replace(microsecond=0)
        tickets.append(
            Ticket(
                reference=f"R-W-{n:06d}",
                device=device,
                reporter=reporter,
                establishment_id=device.establishment_id if rng.random() < 0.9 else places[rng.randrange(3)].pk,
                category=category,
                description="Test",
                state=state,
                declared_at=declared,
                resolved_at=resolved,
            )
        )
    tickets = Ticket.objects.bulk_create(tickets)
    closed = [t for t in tickets if t.state not in OPEN_STATES]
    rng.shuffle(closed)
    # Reopened (resolved ones back to repair), edited, moved, cancelled, deleted: through the ORM's
    # updates and deletes, which no service sees.
    for ticket in closed[:40]:
        if (ticket.device_id, ticket.category) not in open_faults:
            open_faults.add((ticket.device_id, ticket.category))
            Ticket.objects.filter(pk=ticket.pk).update(state=State.DIAGNOSING, resolved_at=None)
    for ticket in closed[40:60]:
        Ticket.objects.filter(pk=ticket.pk).update(establishment_id=places[rng.randrange(3)].pk)
    for ticket in closed[60:80]:
        Ticket.objects.filter(pk=ticket.pk).update(category=rng.choice(categories))
    for ticket in closed[80:100]:
        Ticket.objects.filter(pk=ticket.pk).update(declared_at=ticket.declared_at - dt.timedelta(days=rng.randrange(9)))
    for ticket in closed[100:120]:
        Ticket.objects.filter(pk=ticket.pk).update(device=rng.choice(devices))
    for ticket in closed[120:140]:
        Ticket.objects.filter(pk=ticket.pk).update(state=State.CANCELLED)
    Ticket.objects.filter(pk__in=[t.pk for t in closed[140:170]]).delete()
    # Laptops re-delivered (into another month, or without a date any more) and one of another model.
    for n, device in enumerate(devices[:12]):
        Device.objects.filter(pk=device.pk).update(delivered_on=(dt.date(2025, 8, 1), None, dt.date(2024, 6, 3))[n % 3])
    Device.objects.filter(pk=devices[13].pk).update(model=models[2])
    return places


def _tickets():
    return list(Ticket.objects.select_related("device"))


def _month(day):
    return day.replace(day=1) if day else None


# Each reference reads the tickets afresh unless it is handed them (`tickets`): a test that writes
# nothing between its readings reads them once.
def reference_failures_by_place(*, since, until, establishment, tickets=None):
    counts = Counter(
        (t.establishment_id, t.device.model_id)
        for t in (_tickets() if tickets is None else tickets)
        if t.state not in params.NOT_FAILURES
        and since <= t.declared_at < until
        and (establishment is None or t.establishment_id == establishment.pk)
    )
    return dict(counts)


def reference_failure_count(*, since, until, tickets=None):
    return sum(
        1
        for t in (_tickets() if tickets is None else tickets)
        if t.state not in params.NOT_FAILURES and since <= t.declared_at < until
    )


def reference_turnarounds(*, since, until, tickets=None):
    totals = defaultdict(lambda: [0, 0])
    for t in _tickets() if tickets is None else tickets:
        if t.state == State.RETURNED and t.resolved_at and since <= t.resolved_at < until:
            totals[t.device.model_id][0] += 1
            totals[t.device.model_id][1] += (t.resolved_at - t.declared_at) // dt.timedelta(microseconds=1)
    by_model = {m: us / n / 86_400_000_000 for m, (n, us) in totals.items() if n >= params.TURNAROUND_MIN_TICKETS}
    n = sum(n for n, _us in totals.values())
    fleet = sum(us for _n, us in totals.values()) / n / 86_400_000_000 if n else params.DEFAULT_TURNAROUND_DAYS
    return by_model, fleet


def reference_failures_by_batch(*, since, until, categories, tickets=None):
    return dict(
        Counter(
            (t.device.model_id, _month(t.device.delivered_on), t.category)
            for t in (_tickets() if tickets is None else tickets)
            if t.state not in params.NOT_FAILURES and t.category in categories and since <= t.declared_at < until
        )
    )


def test_the_kept_counts_are_the_tickets_counted(world):
    tickets = _tickets()
    failures = [t for t in tickets if t.state not in params.NOT_FAILURES]
    assert {
        (r.week, r.establishment_id, r.establishment_key, r.model_id): r.failures
        for r in FailureWeek.objects.exclude(failures=0)
    } == Counter(
        (week_start(t.declared_at).date(), t.establishment_id, t.establishment_id or 0, t.device.model_id)
        for t in failures
    )
    assert {
        (r.week, r.model_id, r.delivered_month, r.month_key, r.category): r.failures
        for r in BatchWeek.objects.exclude(failures=0)
    } == Counter(
        (
            week_start(t.declared_at).date(),
            t.device.model_id,
            _month(t.device.delivered_on),
            int(t.device.delivered_on.strftime("%Y%m")) if t.device.delivered_on else 0,
            t.category,
        )
        for t in failures
    )
    returned = defaultdict(lambda: [0, 0])
    for t in tickets:
        if t.state == State.RETURNED and t.resolved_at:
            key = (week_start(t.resolved_at).date(), t.device.model_id)
            returned[key][0] += 1
            returned[key][1] += (t.resolved_at - t.declared_at) // dt.timedelta(microseconds=1)
    assert {
        (r.week, r.model_id): [r.returned, r.microseconds] for r in TurnaroundWeek.objects.exclude(returned=0)
    } == dict(returned)
    assert not FailureWeek.objects.filter(failures__lt=0).exists()


@pytest.mark.parametrize("weeks", [12, 1])  # 1: a window with no whole week, the tickets alone
def test_each_reading_equals_the_tickets_read_directly(world, weeks):
    establishment = world[0]
    categories = [str(c) for c in params.BATCH_CATEGORIES]
    tickets = _tickets()
    for until in MOMENTS:
        since = until - dt.timedelta(weeks=weeks)
        assert pools._failures_by_place(since=since, until=until, establishment=None) == (
            reference_failures_by_place(since=since, until=until, establishment=None, tickets=tickets)
        )
        assert pools._failures_by_place(since=since, until=until, establishment=establishment) == (
            reference_failures_by_place(since=since, until=until, establishment=establishment, tickets=tickets)
        )
        assert pools._failure_count(since=since, until=until) == reference_failure_count(
            since=since, until=until, tickets=tickets
        )
        assert pools._turnarounds(since=since, until=until) == reference_turnarounds(
            since=since, until=until, tickets=tickets
        )
        kept = batches._failures_by_batch(since=since, until=until, categories=categories)
        assert {key: n for key, n in kept.items() if n} == (
            reference_failures_by_batch(since=since, until=until, categories=categories, tickets=tickets)
        )


def test_the_plans_equal_those_computed_from_the_tickets(world, monkeypatch):
    moments = [*MOMENTS, dt.datetime(2026, 9, 20, 12, 0, tzinfo=dt.UTC)]  # and one in the peak
    from_counts = [(pool_plan(now=m), pool_plan(now=m, establishment=world[1]), batch_analysis(now=m)) for m in moments]
    tickets = _tickets()
    monkeypatch.setattr(pools, "_failures_by_place", partial(reference_failures_by_place, tickets=tickets))
    monkeypatch.setattr(pools, "_failure_count", partial(reference_failure_count, tickets=tickets))
    monkeypatch.setattr(pools, "_turnarounds", partial(reference_turnarounds, tickets=tickets))
    monkeypatch.setattr(batches, "_failures_by_batch", partial(reference_failures_by_batch, tickets=tickets))
    from_tickets = [
        (pool_plan(now=m), pool_plan(now=m, establishment=world[1]), batch_analysis(now=m)) for m in moments
    ]
    assert from_counts == from_tickets
    region, _one, analysis = from_counts[0]
    assert sum(p.failures for p in region.pools) > 50 and any(r.failures for r in analysis.batches)


def test_dropped_triggers_come_back_with_the_counts_rebuilt(world):
    establishment = world[0]
    triggers_drop(connection)
    device = Device.objects.filter(establishment=establishment, status=Device.Status.ASSIGNED).first()
    declared = NOW - dt.timedelta(days=20)
    reporter = make_person(Role.STAFF, establishment=establishment, username="late")
    Ticket.objects.create(
        reference="R-W-LATE", device=device, reporter=reporter, establishment=establishment, category="screen",
        description="Test", state=State.RETURNED, declared_at=declared, resolved_at=declared + dt.timedelta(days=3),
    )  # fmt: skip
    since, until = NOW - dt.timedelta(weeks=12), NOW
    missed = pools._failures_by_place(since=since, until=until, establishment=establishment)
    assert missed != reference_failures_by_place(since=since, until=until, establishment=establishment)
    assert triggers_ensure(using="default") is True
    assert triggers_ensure(using="default") is False
    assert pools._failures_by_place(since=since, until=until, establishment=establishment) == (
        reference_failures_by_place(since=since, until=until, establishment=establishment)
    )
