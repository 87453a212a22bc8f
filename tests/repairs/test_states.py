from pathlib import Path

from repairs.diagram import mermaid
from repairs.models import Ticket
from repairs.states import FINAL_STATES, TRANSITIONS, State

DOC = Path(__file__).resolve().parents[2] / "docs" / "ticket-states.md"


def test_state_values_are_those_of_the_contract():
    assert State.values == [
        "declared",
        "awaiting_device",
        "diagnosing",
        "awaiting_parts",
        "in_repair",
        "at_manufacturer",
        "ready_for_return",
        "in_transit",
        "returned",
        "closed_no_fault",
        "cancelled",
    ]
    assert set(FINAL_STATES) == {"returned", "closed_no_fault", "cancelled"}


def test_the_model_transitions_are_exactly_the_table():
    in_model = {(t.name, t.source, t.target) for t in Ticket._meta.get_field("state").get_all_transitions(Ticket)}
    in_table = {(spec.name, source, spec.target) for spec in TRANSITIONS for source in spec.sources}
    assert in_model == in_table


def test_final_states_have_no_way_out():
    assert not any(source in FINAL_STATES for spec in TRANSITIONS for source in spec.sources)


def test_the_committed_state_diagram_matches_the_code():
    assert DOC.read_text(encoding="utf-8") == mermaid(), "run `manage.py ticket_states_diagram` and commit the result"
