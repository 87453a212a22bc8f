"""Two people acting on one ticket at once: exactly one wins. Runs on PostgreSQL, where requests
really run in parallel (the SQLite test database is in memory and serialises everything)."""

import threading

import pytest
from django.db import connection, connections

from repairs import services
from repairs.exceptions import TicketChanged
from repairs.models import Ticket, TimelineEntry
from tests.repairs.factories import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL): real parallel transactions"
    ),
]


def run_together(*jobs) -> list:
    """Run each job in its own thread and connection, released at the same instant."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # the outcome is what the test asserts
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_different_transitions_at_once_exactly_one_wins():
    world = build_world()
    ticket = world.declare()
    # Both read the ticket before either acts, as two people with the same page open.
    seen_by_tech, seen_by_staff = (Ticket.objects.get(pk=ticket.pk) for _ in range(2))
    results = run_together(
        lambda: services.ticket_start_diagnosis(ticket=seen_by_tech, actor=world.tech),
        lambda: services.ticket_request_device(ticket=seen_by_staff, actor=world.staff),
    )
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, TicketChanged)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert Ticket.objects.get(pk=ticket.pk).state == winners[0].state
    assert TimelineEntry.objects.filter(ticket=ticket, kind="transition").count() == 1


def test_twenty_declarations_at_once_get_twenty_distinct_references():
    world = build_world()
    from tests.devices.factories import DeviceFactory

    devices = [DeviceFactory(establishment=world.establishment) for _ in range(20)]
    results = run_together(
        *[
            (lambda d=d: services.ticket_declare(device=d, reporter=world.staff, category="screen", description="x"))
            for d in devices
        ]
    )
    assert all(isinstance(r, Ticket) for r in results), results
    references = {t.reference for t in results}
    assert len(references) == 20
    assert set(Ticket.objects.values_list("reference", flat=True)) == references


def test_the_same_fault_declared_twice_at_once_gives_one_ticket():
    world = build_world()
    results = run_together(
        *[
            (
                lambda who=who: services.ticket_declare(
                    device=world.device, reporter=who, category="screen", description="x"
                )
            )
            for who in (world.student, world.staff)
        ]
    )
    assert sum(isinstance(r, Ticket) for r in results) == 1, results
    assert Ticket.objects.filter(device=world.device).count() == 1
