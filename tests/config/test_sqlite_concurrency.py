"""The embedded SQLite default must not answer "database is locked" to concurrent writers."""

import copy
import threading

import pytest
from django.db import connections, transaction

WRITERS, TRANSACTIONS = 6, 25


@pytest.fixture
def sqlite_file_alias(tmp_path):
    """A file-backed SQLite database with the project's options (the test database is in memory)."""
    from config.settings.base import SQLITE_ENGINE, SQLITE_OPTIONS

    # Built from the project's SQLite options whatever DATABASE_URL says: CI runs this on both.
    config = {**connections["default"].settings_dict, "OPTIONS": copy.deepcopy(SQLITE_OPTIONS)}
    config.update(NAME=str(tmp_path / "concurrency.sqlite3"), TEST={"NAME": str(tmp_path / "concurrency.sqlite3")})
    config["ENGINE"] = SQLITE_ENGINE
    connections.settings["concurrency"] = config
    yield "concurrency"
    connections["concurrency"].close()
    del connections.settings["concurrency"]
    del connections["concurrency"]


def test_concurrent_read_then_write_transactions_never_fail_with_database_locked(sqlite_file_alias, django_db_blocker):
    # Not a django_db test: its per-test transaction would forbid connections from other threads.
    with django_db_blocker.unblock():
        run_writers(sqlite_file_alias)


def run_writers(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
    errors: list[Exception] = []

    def writer() -> None:
        try:
            for _ in range(TRANSACTIONS):
                # Read then write in one transaction: under SQLite's default DEFERRED mode two such
                # transactions deadlock on the lock upgrade and one fails at once with "locked".
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT value FROM counter WHERE id = 1")
                    (value,) = cursor.fetchone()
                    cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
        except Exception as exc:  # collected and asserted below, with the thread's error
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        assert cursor.fetchone() == (WRITERS * TRANSACTIONS,)  # no update lost either
