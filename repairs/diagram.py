"""The state diagram of docs/ticket-states.md, read from the model's django-fsm transitions."""

from django.utils import translation

from repairs.models import Ticket
from repairs.states import FINAL_STATES, TRANSITIONS_BY_NAME, State

HEADER = """# Ticket states

Generated from the code by `manage.py ticket_states_diagram` (a test fails when this file no
longer matches `repairs/models.py`). State values are part of the contract; labels are French in
the UI. Who may fire each transition is in `repairs/states.py` (`TRANSITIONS`).

"""


def mermaid() -> str:
    with translation.override("fr"):
        lines = ["stateDiagram-v2", "    [*] --> declared"]
        lines += [f"    {state}: {state} — {State(state).label}" for state in State.values]
        edges = sorted(
            {
                (transition.source, transition.target, transition.name)
                for transition in Ticket._meta.get_field("state").get_all_transitions(Ticket)
            },
            key=lambda edge: (State.values.index(edge[0]), edge[2]),
        )
        lines += [f"    {source} --> {target}: {name}" for source, target, name in edges]
        lines += [f"    {state} --> [*]" for state in State.values if state in FINAL_STATES]
        actors = "\n".join(
            f"| `{spec.name}` | {', '.join(sorted(spec.actors))} |" for spec in TRANSITIONS_BY_NAME.values()
        )
    return f"{HEADER}```mermaid\n" + "\n".join(lines) + "\n```\n\n| transition | who |\n|---|---|\n" + actors + "\n"
