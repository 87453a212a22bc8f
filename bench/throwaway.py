"""Throwaway PostgreSQL databases for the bench scripts (next to the one of DATABASE_URL)."""

import uuid
from contextlib import closing
from urllib.parse import urlsplit, urlunsplit


def postgres_create(url: str, *, prefix: str) -> tuple[str, str, str]:
    """Create an empty database on the server of `url`; returns (its URL, admin URL, its name)."""
    import psycopg  # only needed for PostgreSQL

    parts = urlsplit(url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with closing(psycopg.connect(admin_url, autocommit=True)) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), admin_url, name


def postgres_drop(admin_url: str, name: str) -> None:
    import psycopg

    with closing(psycopg.connect(admin_url, autocommit=True)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
