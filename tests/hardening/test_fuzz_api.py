"""The API fuzzed from its own OpenAPI schema (schemathesis): for every operation, generated
requests, valid ones and ones that break the schema on purpose, by every kind of caller, on real
tickets and on invented ones. Whatever arrives, the answer is never a 5xx."""

import functools
import os

import pytest
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from tests.once import kept_for_the_module
from tests.repairs.factories import build_world

# CI (CI=true) digs deeper than a developer's `make test`: 31 operations, 2,480 requests against
# 775. The examples are derandomized: a run tries the same requests every time.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES") or (80 if os.environ.get("CI") == "true" else 25))
SCHEMA_DICT = SchemaGenerator().get_schema(request=None, public=True)
# The operations are read from the schema itself: schemathesis and Hypothesis (about 8 s of a
# first run's imports and bytecode) are loaded only by the process that runs these tests, not by
# every process that collects the suite. test_every_operation_is_fuzzed checks both lists agree.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATIONS = [
    (method.upper(), path) for path, item in SCHEMA_DICT["paths"].items() for method in item if method in HTTP_METHODS
]
APP = get_wsgi_application()


@functools.cache
def schema():
    import schemathesis

    return schemathesis.openapi.from_dict(SCHEMA_DICT)


def people_and_things() -> tuple[dict, dict]:
    world = build_world()
    ticket = world.declare()
    real = {"reference": ticket.reference, "serial": world.device.serial_number, "name": "start_diagnosis"}
    callers = {
        "anonymous": {},
        **{
            name: {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
            for name, user in (
                ("student", world.student),
                ("staff", world.staff),
                ("technician", world.tech),
                ("manager", world.manager),
            )
        },
    }
    return real, callers


@pytest.fixture(scope="module")
def kept(django_db_setup, django_db_blocker):
    """The people and their ticket, written once for the module; what an operation's requests
    write is undone after its test."""
    with kept_for_the_module(django_db_blocker, people_and_things) as written:
        yield written


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_generated_request_gets_a_server_error(method, path, kept, in_process_wsgi):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    real, callers = kept
    operation = schema()[path][method]
    failures = []

    cases = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, caller=st.sampled_from(sorted(callers)), aim=st.booleans())
    def probe(case, caller, aim):
        if aim:  # half the time, at a ticket that exists: the deeper code paths
            for key, value in real.items():
                if case.path_parameters and key in case.path_parameters:
                    case.path_parameters[key] = value
        response = case.call(app=APP, headers=callers[caller])
        if response.status_code >= 500:
            failures.append((caller, case.path_parameters, case.query, case.body, response.status_code))

    probe()
    assert failures == []


def test_every_operation_is_fuzzed():
    """The list read from the schema's paths is the one schemathesis finds."""
    found = [(op.method.upper(), op.path) for op in (result.ok() for result in schema().get_all_operations())]
    assert sorted(found) == sorted(OPERATIONS)
    assert len(OPERATIONS) > 20
