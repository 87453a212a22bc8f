"""Two desks at once: the same laptop scanned for two students, or the same student served twice.
Exactly one hand-over wins, the other is a 409 refusal, and the database holds one assignment.
PostgreSQL only, where transactions really run in parallel."""

import pytest
from django.db import connection

from devices.models import Assignment, Device
from distribution import services
from distribution.exceptions import Conflict
from distribution.models import HandoverEvent
from tests.distribution.desk_world import build_desk_world
from tests.repairs.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL): real parallel transactions"
    ),
]


def hand_over(world, actor, student, device):
    return lambda: services.handover_record(actor=actor, student=student, device=device, charter_signed=True)


def outcome(results):
    winners = [r for r in results if isinstance(r, services.HandoverResult)]
    losers = [r for r in results if isinstance(r, Conflict)]
    return winners, losers


def test_the_same_laptop_for_two_students_at_once_goes_to_one():
    world = build_desk_world(students=4)
    laptop = world.laptops[0]
    results = run_together(
        *(
            hand_over(world, actor, student, laptop)
            for actor, student in zip((world.staff, world.tech, world.staff, world.tech), world.students, strict=True)
        )
    )

    winners, losers = outcome(results)
    assert (len(winners), len(losers)) == (1, 3), results
    assert {loser.rule for loser in losers} == {"device_assigned"}
    assert Assignment.objects.filter(device=laptop).count() == 1
    assert Device.objects.get(pk=laptop.pk).status == Device.Status.ASSIGNED
    assert HandoverEvent.objects.filter(kind="handed_over").count() == 1


def test_the_same_student_at_two_desks_at_once_gets_one_laptop():
    world = build_desk_world(students=4)
    student = world.students[0]
    results = run_together(*(hand_over(world, world.staff, student, laptop) for laptop in world.laptops))

    winners, losers = outcome(results)
    assert (len(winners), len(losers)) == (1, 3), results
    assert {loser.rule for loser in losers} == {"student_equipped"}
    assert Assignment.objects.filter(student=student).count() == 1
    assert Device.objects.filter(pk__in=[d.pk for d in world.laptops], status="assigned").count() == 1


def test_the_database_constraint_is_the_last_word_when_the_checks_are_passed_by_both(monkeypatch):
    """Both desks pass the checks at once (forced here); the partial unique index lets one win, and
    its IntegrityError becomes the same 409 refusal."""
    world = build_desk_world(students=2)
    monkeypatch.setattr(services.handover, "current_holdings", _holdings_after_the_race())
    student = world.students[0]
    results = run_together(*(hand_over(world, world.staff, student, laptop) for laptop in world.laptops))

    winners, losers = outcome(results)
    assert (len(winners), len(losers)) == (1, 1), results
    assert losers[0].rule == "student_equipped"
    assert Assignment.objects.filter(student=student).count() == 1


def _holdings_after_the_race():
    """current_holdings that sees nothing during the checks (as both desks would, racing), and
    the truth afterwards, when the refusal is worded."""
    from devices.selectors import current_holdings

    calls = {"n": 0}

    def holdings(**kwargs):
        calls["n"] += 1
        return current_holdings(**kwargs) if calls["n"] > 4 else Assignment.objects.none()

    return holdings
