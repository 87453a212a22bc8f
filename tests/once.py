import copy
import inspect
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import transaction


@contextmanager
def kept_for_the_module(django_db_blocker, write):
    """Rows written once, by `write()`, for a module's tests, as Django's TestCase.setUpTestData
    does: every test runs in a savepoint of this transaction (pytest-django nests its own atomic
    block), so what a test changes is undone after it, and the rows are rolled back at the
    module's end. The tests still need the django_db mark; a module whose every database test
    wants these rows."""
    block = transaction.atomic()
    with django_db_blocker.unblock():
        block.__enter__()
    try:
        with django_db_blocker.unblock():
            written = write()
        yield written
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def kept_and_copied(build, *, kept: str, copied: str):
    """Two fixtures, `kept, copied = kept_and_copied(build, kept=..., copied=...)`: the rows `build`
    writes, once for the module (`kept_for_the_module`), and for each test its own copy of the
    instances (a test that changes an instance in memory leaves the next one the rows' values)."""

    @pytest.fixture(scope="module", name=kept)
    def kept_fixture(django_db_setup, django_db_blocker):
        with kept_for_the_module(django_db_blocker, build) as written:
            yield written

    def copied_fixture(**fixtures):
        return copy.deepcopy(fixtures[kept])

    # Asked for by name in the signature, not through request.getfixturevalue(): pytest then sets
    # the module's rows up before the test's own transaction, not inside it.
    copied_fixture.__signature__ = inspect.Signature([inspect.Parameter(kept, inspect.Parameter.KEYWORD_ONLY)])
    return kept_fixture, pytest.fixture(name=copied)(copied_fixture)


def small_demo_seeded(now):
    """A module fixture `seeded`: the small demo, seeded once with its present pinned to `now`
    (each test's changes are undone after it)."""
    from demo.tickets import writer

    @pytest.fixture(scope="module", name="seeded")
    def seeded(django_db_setup, django_db_blocker):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(writer, "demo_now", lambda dataset: now)
            with kept_for_the_module(django_db_blocker, lambda: call_command("seed_demo", scale="small", verbosity=0)):
                yield

    return seeded
