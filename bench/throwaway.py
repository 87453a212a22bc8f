"""The bench scripts' databases: throwaway PostgreSQL databases next to the one of DATABASE_URL,
or SQLite files, set up before Django reads its settings."""

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
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


@contextmanager
def bench_database(
    prefix: str, *, given: str | None = None, sqlite_path: str | None = None, keep: bool = False, **env: str
) -> Iterator[tuple[str, Path]]:
    """The database of one bench run, put in the environment before django.setup() reads it:
    `given` (a URL, used as it is), a SQLite file at `sqlite_path`, or a throwaway one — a new
    PostgreSQL database beside DATABASE_URL's, dropped at the end unless `keep`, else a temporary
    SQLite file. Yields (the backend in words, a temporary directory that holds the media)."""
    original = os.environ.get("DATABASE_URL", "")
    to_drop = None
    with tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-") as tmp:
        if given:
            url, backend = given, "given database"
        elif sqlite_path:
            url, backend = f"sqlite:///{Path(sqlite_path).resolve()}", f"SQLite ({sqlite_path})"
        elif original.startswith(("postgres://", "postgresql://")):
            url, admin_url, name = postgres_create(original, prefix=f"bench_{prefix.replace('-', '_')}")
            to_drop, backend = (admin_url, name), f"PostgreSQL (throwaway database {name})"
        else:
            url, backend = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite (temporary file)"
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="false",
            MEDIA_ROOT=f"{tmp}/media",
            **env,
        )
        try:
            yield backend, Path(tmp)
        finally:
            if "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            if to_drop and not keep:
                postgres_drop(*to_drop)
            elif to_drop:
                print(f"kept: {url}")
