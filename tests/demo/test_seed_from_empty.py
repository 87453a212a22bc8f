"""seed_demo from an empty database: what the first run reports, where it refuses to run, how few
queries it makes, and that a failure leaves nothing written.

These tests need a database without the demo in it; test_seed_fleet.py and test_seed_tickets.py
seed it once for all their tests."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from demo import seed as demo_seed
from demo.fleet import generator, rows, writer
from demo.fleet.rows import PARIS
from demo.tickets import writer as tickets_writer
from demo.tickets.drafts import TicketDraft
from demo.tickets.fleet import load_demo_fleet
from demo.tickets.generator import DemoTicketGenerator
from devices.models import Assignment, Device, Establishment

pytestmark = pytest.mark.django_db

User = get_user_model()
NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)  # a Friday afternoon


def seed(scale: str = "small") -> str:
    out = StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    return out.getvalue()


def held_device(username: str) -> Device:
    return Assignment.objects.get(student__username=username, returned_at__isnull=True).device


@pytest.fixture
def demo_now(monkeypatch):
    monkeypatch.setattr(tickets_writer, "demo_now", lambda dataset: NOW)
    return NOW


def fleet_context() -> writer.SeedContext:
    """The small fleet written without its tickets, as the tickets step receives it."""
    dataset = generator.demo_data_generate(scale="small")
    ctx = writer.SeedContext(dataset=dataset, progress=writer.NoProgress())
    for _name, step in demo_seed.FLEET_STEPS:
        step(ctx)
    return ctx


def summary(drafts: list[TicketDraft]) -> list[tuple]:
    return [
        (
            d.device.serial,
            d.category,
            d.state,
            d.reporter_id,
            d.assignee_id,
            [(e.at, e.name, e.payload) for e in d.entries],
        )
        for d in drafts
    ]


def test_summary_lists_what_was_created_and_the_demo_accounts(db):
    establishments = len(generator.demo_data_generate(scale="small").establishments)

    with translation.override("en"):  # the msgids; French comes from locale/
        first, second = seed(), seed()

    assert f"{establishments} created, {establishments} in total" in first
    assert f"0 created, {establishments} in total" in second
    for username in rows.DEMO_USERNAMES:
        assert username in first
    assert "password: demo" in first


def test_seed_demo_is_refused_when_demo_data_is_not_allowed(db, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        seed()

    assert not User.objects.exists()
    assert not Establishment.objects.exists()


def test_the_writer_itself_refuses_when_demo_data_is_not_allowed(db, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(writer.DemoDataNotAllowed):
        demo_seed.demo_data_seed(scale="small")


def test_small_seed_makes_no_query_per_row(db, django_assert_max_num_queries):
    dataset = generator.demo_data_generate(scale="small")
    ctx = writer.SeedContext(dataset=dataset, progress=writer.NoProgress())

    # The fleet alone (the tickets have their own budget in test_seed_tickets.py): about 2,200 rows
    # in bulk inserts (SQLite splits them at 999 parameters), no query per row.
    with django_assert_max_num_queries(60):
        for _name, step in demo_seed.FLEET_STEPS:
            step(ctx)


def test_a_failing_ticket_step_leaves_nothing_written(db, monkeypatch):
    def fail(ctx: writer.SeedContext) -> None:
        assert ctx.device_ids[ctx.dataset.demo_devices["demo-student"]] == held_device("demo-student").pk
        raise RuntimeError("the tickets failed")

    monkeypatch.setattr(demo_seed, "seed_demo_tickets", fail)
    with pytest.raises(RuntimeError):
        seed()

    assert not User.objects.exists()
    assert not Device.objects.exists()


def test_the_generator_is_deterministic_and_queries_nothing(demo_now, django_assert_num_queries):
    ctx = fleet_context()
    fleets = [load_demo_fleet(ctx) for _ in range(3)]  # the generator uses each one up
    runs = []
    for fleet, seed in zip(fleets, (1, 1, 2), strict=True):
        with django_assert_num_queries(0):
            runs.append(summary(DemoTicketGenerator(fleet=fleet, seed=seed, now=NOW).generate()))

    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_loading_the_fleet_takes_a_fixed_handful_of_queries(demo_now, django_assert_max_num_queries):
    ctx = fleet_context()
    with django_assert_max_num_queries(15):
        fleet = load_demo_fleet(ctx)
    spares = sum(len(pool) for pool in fleet.spares.values())
    assert len(fleet.devices) + spares == Device.objects.count()
