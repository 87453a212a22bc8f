"""The test database: built from the models, then given what the migrations do beyond them; and
the rows the migrations write come back whenever a transactional test empties the database.

Each test process builds its database from the models (config/settings/test.py: TEST MIGRATE
False): replaying the migrations costs about 6 s of CPU per process, nearly all of it in Django's
rendering of the historical models. What the migrations do beyond the models, their RunSQL and
RunPython operations (the triggers and the FTS table, the default rows…), is then run on that
schema in the migrations' order, by `apply_migrations_beyond_models`, and the migrations are
recorded as applied. tests/test_migrations_shortcut.py checks the result equals a database migrated for real.

A transactional test (the browser tests, the concurrency tests…) ends with a flush of every
model's table; Django then sends post_migrate, which brings back the content types and permissions
but not the rows the data migrations write (the default SLA policies and labour rates), nor empties
what the triggers keep outside the models' tables or from the order of the deletions (the search
rows of PostgreSQL, which a TRUNCATE leaves, the campaign's counts that a profile's deletion took
below zero). A test that a worker runs after a flush (xdist's worksteal hands a worker tests from
the other's queue, in any order) would see them. The receiver below runs the migrations' RunSQL and
RunPython again after each flush: their rows come back and the triggers' tables are rebuilt.
"""

import gc
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.fields import FieldOperation
from django.db.migrations.operations.models import IndexOperation, ModelOperation
from django.db.migrations.operations.special import RunPython, SeparateDatabaseAndState
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate
from django.utils import translation

from tests.pg_sessions import end_other_sessions, other_sessions


def _beyond_models(operations):
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            yield from _beyond_models(operation.database_operations)
        elif not isinstance(operation, ModelOperation | FieldOperation | IndexOperation):
            yield operation


def run_operations_beyond_models(connection) -> list:
    """Run every operation of the migrations that the models do not describe (RunSQL, RunPython and
    any other custom operation), in the migrations' order, on a database built from the models.
    RunPython functions get today's models, not historical ones: rendering those is the cost avoided
    here. Returns the migrations it went through (none while Django has disabled them)."""
    executor = MigrationExecutor(connection)  # reads the migration files; renders no model state
    plan = [migration for migration, _ in executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)]
    with connection.schema_editor() as schema_editor:
        for migration in plan:
            for operation in _beyond_models(migration.operations):
                if isinstance(operation, RunPython):
                    operation.code(apps, schema_editor)
                else:  # RunSQL, or an operation of the database alone (CreateExtension…)
                    operation.database_forwards(migration.app_label, schema_editor, None, None)
    return plan


def apply_migrations_beyond_models(connection) -> None:
    """Complete a test database built from the models, and record the migrations as applied."""
    plan = run_operations_beyond_models(connection)
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    applied = recorder.applied_migrations()
    recorder.migration_qs.bulk_create(
        recorder.Migration(app=m.app_label, name=m.name) for m in plan if (m.app_label, m.name) not in applied
    )


def restore_after_flush(sender, using, **kwargs):
    if sender.label == "repairs":  # once per post_migrate
        run_operations_beyond_models(connections[using])


post_migrate.connect(restore_after_flush, dispatch_uid="tests-restore-after-flush")


# The databases the settings name, before a test database replaces each: never touched here.
SERVER_DATABASES = {alias: config["NAME"] for alias, config in settings.DATABASES.items()}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each test database, built from the models, gets what the migrations do beyond them."""
    with django_db_blocker.unblock():
        for alias in connections:
            config = connections[alias].settings_dict
            created = config["NAME"] != SERVER_DATABASES.get(alias)  # only databases the tests use are created
            if created and config["TEST"].get("MIGRATE") is False:
                apply_migrations_beyond_models(connections[alias])


@pytest.fixture(scope="session", autouse=True)
def no_session_left_on_the_test_database(request):
    """On PostgreSQL, a session some test left open (a thread, a process or a context that never
    closed its connection) keeps the test database from being dropped at the end of the run: fail,
    naming it, and end it so that the database goes."""
    if connections["default"].vendor != "postgresql":
        yield
        return
    request.getfixturevalue("django_db_setup")
    yield
    with request.getfixturevalue("django_db_blocker").unblock(), connections["default"].cursor() as cursor:
        for _ in range(50):  # a process that has just closed its connection: its session ends soon
            left = other_sessions(cursor)
            if not left:
                return
            time.sleep(0.1)
        end_other_sessions(cursor)
    pytest.fail(f"sessions left open on the test database (ended now): {left}")


def pytest_collection_finish(session):
    """Once every module is imported, what exists lives for the whole run (Django's apps, the
    URLconf, the collected tests): set it aside from the garbage collector, which otherwise walks
    it again at each full collection (about a sixth of the suite's time in a measured sample)."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def language_restored():
    """Each test ends in the language it started in: a request for an English page leaves English
    active in the thread (the locale middleware activates the asked language and never goes back),
    and the tests that ran next on the same worker wrote or expected their texts in English."""
    with translation.override(translation.get_language()):
        yield
