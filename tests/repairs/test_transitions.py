"""Every transition from every state, for every role, generated from the table of SPEC §3.1.

Allowed: the ticket reaches the target state and the timeline gets one entry.
Refused: the right error (403 who / 409 state), and nothing changed: state, version, timeline, device.
"""

import itertools

import pytest

from devices.models import Device
from repairs.models import Ticket, TimelineEntry
from repairs.services import ActionForbidden, TransitionNotPossible, ticket_transition
from repairs.states import REPORTER, TRANSITIONS, State
from tests.repairs.factories import build_world, force_state

pytestmark = pytest.mark.django_db

# Which roles of the table each test person plays on the world's ticket (declared by `student`).
ROLES = {
    "student": {REPORTER},
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
CASES = [
    pytest.param(spec, state, person, id=f"{spec.name}-from-{state}-by-{person}")
    for spec, state, person in itertools.product(TRANSITIONS, State.values, ROLES)
]


def snapshot(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    device = Device.objects.get(pk=ticket.device_id)
    return fresh.state, fresh.version, TimelineEntry.objects.filter(ticket=ticket).count(), device.status


@pytest.mark.parametrize(("spec", "state", "person"), CASES)
def test_transition_table(spec, state, person):
    world = build_world()
    ticket = force_state(world.declare(), state, coverage="manufacturer")
    actor = world.people()[person]
    allowed_by_role = bool(ROLES[person] & spec.actors)
    allowed = allowed_by_role and state in spec.sources
    before = snapshot(ticket)

    if allowed:
        ticket_transition(ticket=ticket, actor=actor, name=spec.name, **FIELDS.get(spec.name, {}))
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert fresh.state == spec.target
        assert fresh.version == before[1] + 1
        entry = TimelineEntry.objects.filter(ticket=ticket).latest("pk")
        assert (entry.name, entry.source, entry.target, entry.actor) == (spec.name, state, spec.target, actor)
        return

    expected = ActionForbidden if not allowed_by_role else TransitionNotPossible
    with pytest.raises(expected):
        ticket_transition(ticket=ticket, actor=actor, name=spec.name, **FIELDS.get(spec.name, {}))
    assert snapshot(ticket) == before
