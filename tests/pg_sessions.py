"""The other sessions on the test database (PostgreSQL): what a test, a thread or a process left
open, seen from the caller's connection."""

OTHERS = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def other_sessions(cursor) -> list[tuple]:
    """(pid, backend_start, state, its last statement) of each session but the caller's, by pid."""
    cursor.execute(f"SELECT pid, backend_start, state, left(query, 120) {OTHERS} ORDER BY pid")
    return cursor.fetchall()


def end_other_sessions(cursor) -> None:
    cursor.execute(f"SELECT pg_terminate_backend(pid, 5000) {OTHERS}")  # waits for each to end
