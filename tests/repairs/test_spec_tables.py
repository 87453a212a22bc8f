"""The code's state table is the specification's, state by state and transition by transition."""

import inspect

from django.utils import translation

from repairs.services import TRANSITION_SERVICES
from repairs.states import FINAL_STATES, REPORTER, TRANSITIONS, State
from tests.repairs import spec


def test_states_values_labels_and_finality_are_those_of_the_specification():
    with translation.override("fr"):
        in_code = [(state.value, str(state.label), state.value in FINAL_STATES) for state in State]
    assert in_code == spec.STATES


def test_transitions_sources_targets_and_actors_are_those_of_the_specification():
    in_code = {
        t.name: (set(t.sources), t.target, {"reporter" if actor == REPORTER else str(actor) for actor in t.actors})
        for t in TRANSITIONS
    }
    assert in_code == spec.TRANSITIONS


def test_each_transition_takes_the_fields_the_specification_gives_it():
    assert {t.name: set(t.fields) for t in TRANSITIONS} == spec.FIELDS


def test_each_service_accepts_exactly_the_fields_of_its_transition():
    for name, service in TRANSITION_SERVICES.items():
        params = set(inspect.signature(service).parameters) - {"ticket", "actor", "expected_version"}
        assert params == spec.FIELDS[name], name
