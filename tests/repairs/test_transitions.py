"""Every transition from every state, for every role, generated from the specification's table
(tests/repairs/spec.py), not from the code's.

- The check (permission, then state) runs for every case without a database: the people and the
  ticket live in memory, and pytest-django refuses any query, so a refusal provably reads and
  writes nothing.
- Through the real services and the database: every allowed case reaches its target with one
  timeline entry, and for each transition a refusal by role and one by state change nothing.
"""

import functools
import itertools

import pytest
from django.contrib.auth import get_user_model

from devices.models import Device, Establishment, Profile, Role, Zone
from repairs.models import Ticket, TimelineEntry
from repairs.services import ActionForbidden, TransitionNotPossible, ticket_transition
from repairs.services.core import transition_check
from tests.repairs import spec
from tests.repairs.factories import force_state, world_fixtures

STATES = [state for state, _label, _final in spec.STATES]
# Which of the table's actors each test person is on the world's ticket (declared by `student`).
PLAYS = {
    "student": {"reporter"},
    "other_student": set(),
    "staff": {"staff"},
    "other_staff": set(),
    "technician": {"technician"},
    "other_technician": set(),
    "manager": set(),
    "supervisor": set(),
}
FIELDS = {
    "close_no_fault": {"note": "Aucun défaut constaté après tests."},
    "order_parts": {"parts": ["Dalle 14 pouces"]},
    "send_to_manufacturer": {"rma_number": "RMA-42"},
    "ship": {"carrier": "Colissimo", "tracking_number": "6A12345678901"},
}


def expected_error(name: str, state: str, person: str):
    sources, _target, actors = spec.TRANSITIONS[name]
    if not PLAYS[person] & actors:
        return ActionForbidden
    return None if state in sources else TransitionNotPossible


def in_memory_world(state: str) -> tuple[Ticket, dict]:
    here, people = in_memory_people()
    device = Device(pk=1, serial_number="SN1", asset_tag="A1", establishment=here)
    ticket = Ticket(
        pk=1, reference="R-2026-000001", device=device, reporter=people["student"], establishment=here, state=state
    )
    return ticket, people


@functools.cache
def in_memory_people() -> tuple[Establishment, dict]:
    """The places and people, built once (1,320 cases): a check reads them and changes nothing
    of theirs, and any query it tried would fail whichever case made it first."""
    User = get_user_model()
    zone, other_zone = Zone(pk=1, code="z31"), Zone(pk=2, code="z34")
    here = Establishment(pk=1, uai="0310024H", departement="31", zone=zone)
    there = Establishment(pk=2, uai="0340005B", departement="34", zone=other_zone)
    people = {}
    for pk, (person, role, where) in enumerate(
        [
            ("student", Role.STUDENT, {"establishment": here}),
            ("other_student", Role.STUDENT, {"establishment": there}),
            ("staff", Role.STAFF, {"establishment": here}),
            ("other_staff", Role.STAFF, {"establishment": there}),
            ("technician", Role.TECHNICIAN, {"zone": zone}),
            ("other_technician", Role.TECHNICIAN, {"zone": other_zone}),
            ("manager", Role.MANAGER, {}),
            ("supervisor", Role.SUPERVISOR, {}),
        ],
        start=1,
    ):
        user = User(pk=pk, username=person)
        user.profile = Profile(role=role, **where)
        people[person] = user
    return here, people


CHECK_CASES = [
    pytest.param(name, state, person, id=f"{name}-from-{state}-by-{person}")
    for name, state, person in itertools.product(spec.TRANSITIONS, STATES, PLAYS)
]


@pytest.mark.parametrize(("name", "state", "person"), CHECK_CASES)
def test_transition_check_follows_the_specification(name, state, person):
    ticket, people = in_memory_world(state)
    error = expected_error(name, state, person)
    if error is None:
        assert transition_check(ticket=ticket, actor=people[person], name=name).source == state
    else:
        with pytest.raises(error):
            transition_check(ticket=ticket, actor=people[person], name=name)
    assert ticket.state == state


def snapshot(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    device = Device.objects.get(pk=ticket.device_id)
    return fresh.state, fresh.version, TimelineEntry.objects.filter(ticket=ticket).count(), device.status


# What a transition's condition needs on the ticket beyond the state (set up directly, as the state is).
SETUP = {"return_unrepaired": {"quote_state": "refused"}}


module_world, world = world_fixtures()


def fire(world, name: str, state: str, person: str):
    ticket = force_state(world.declare(), state, coverage="manufacturer", **SETUP.get(name, {}))
    before = snapshot(ticket)
    call = lambda: ticket_transition(  # noqa: E731
        ticket=ticket, actor=world.people()[person], name=name, **FIELDS.get(name, {})
    )
    return ticket, before, call, world


ALLOWED = [
    pytest.param(name, state, person, id=f"{name}-from-{state}-by-{person}")
    for name, (sources, _target, actors) in spec.TRANSITIONS.items()
    for state in sorted(sources)
    for person in PLAYS
    if PLAYS[person] & actors
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state", "person"), ALLOWED)
def test_allowed_transition_reaches_its_target_with_one_timeline_entry(world, name, state, person):
    ticket, before, call, world = fire(world, name, state, person)
    call()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.state == spec.TRANSITIONS[name][1]
    assert fresh.version == before[1] + 1
    entry = TimelineEntry.objects.filter(ticket=ticket).latest("pk")
    assert (entry.name, entry.source, entry.target, entry.actor) == (
        name,
        state,
        spec.TRANSITIONS[name][1],
        world.people()[person],
    )


def refusals():
    for name, (sources, _target, actors) in spec.TRANSITIONS.items():
        source = sorted(sources)[0]
        outsider = next(person for person in PLAYS if not PLAYS[person] & actors)
        yield pytest.param(name, source, outsider, ActionForbidden, id=f"{name}-by-{outsider}")
        insider = next(person for person in PLAYS if PLAYS[person] & actors)
        wrong_state = next(state for state in STATES if state not in sources)
        yield pytest.param(name, wrong_state, insider, TransitionNotPossible, id=f"{name}-from-{wrong_state}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state", "person", "error"), list(refusals()))
def test_refused_transition_changes_nothing(world, name, state, person, error):
    ticket, before, call, _world = fire(world, name, state, person)
    with pytest.raises(error):
        call()
    assert snapshot(ticket) == before
