from contextlib import contextmanager

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
