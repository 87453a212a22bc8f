"""The test database is the database the migrations build.

Each test process builds its database from the models and then runs what the migrations do beyond
them (tests/conftest.py, `apply_migrations_beyond_models`). Here a second database is built by the
real `manage.py migrate`, in its own process as on a server, and the two are compared: every table and
its columns (type, null, default), index (columns, unique, condition), constraint, trigger,
virtual table, function and extension, and every row. A migration whose RunSQL or RunPython does
something the shortcut does not reproduce fails here, as does a flush (what a transactional test
ends with) that does not bring back the same rows.
"""

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models.fields import AutoFieldMixin
from django.utils.timezone import now

from distribution import triggers as distribution_triggers
from insights import triggers as insights_triggers
from repairs import triggers as repairs_triggers

MIGRATED = "migrated"
KEPT_BY_TRIGGERS = [
    *(name for part in repairs_triggers.PARTS.values() for name in part.triggers),
    *(name for names in insights_triggers.TRIGGERS.values() for name in names),
    *(name for names in distribution_triggers.TRIGGERS.values() for name in names),
    "repairs_ticket_search",
]


def build_with_migrations(config: dict) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if config["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{config['NAME']}"
    else:
        url = urlunsplit(urlsplit(url)._replace(path=f"/{config['NAME']}"))
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
    )


@pytest.fixture
def migrated(django_db_setup, django_db_blocker, tmp_path):
    """A database of the test database's kind, built by the migrations, as the alias `migrated`."""
    config = {**connection.settings_dict, "TEST": {}}
    postgres = connection.vendor == "postgresql"
    if postgres:
        config["NAME"] = f"{connection.settings_dict['NAME']}_migrated"
    else:
        config["NAME"] = str(tmp_path / "migrated.sqlite3")
    with django_db_blocker.unblock():
        if postgres:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
                cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
        try:
            build_with_migrations(config)
            connections.settings[MIGRATED] = config
            yield MIGRATED
        finally:
            if MIGRATED in connections.settings:
                connections[MIGRATED].close()
                del connections[MIGRATED]
                del connections.settings[MIGRATED]
            if postgres:
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')


def _columns(create_table: str) -> list[str]:
    """The definitions of a CREATE TABLE, in any order (a column added later comes last)."""
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    return sorted(parts)


def sqlite_schema(cursor) -> dict:
    cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
    schema: dict = {}
    for kind, name, table, sql in cursor.fetchall():
        if kind == "table" and sql.startswith("CREATE TABLE"):
            schema[("table", name)] = _columns(sql)
        elif kind == "index":  # compared by what it indexes, whatever its name
            unnamed = re.sub(r'^(CREATE (UNIQUE )?INDEX (IF NOT EXISTS )?)"?\w+"? ', r"\1", sql)
            schema.setdefault(("indexes", table), []).append(unnamed)
        else:  # virtual tables, triggers, views
            schema[(kind, name)] = sql
    for key in schema:
        if key[0] == "indexes":
            schema[key].sort()
    return schema


POSTGRES_CATALOGUE = {
    "columns": "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, "
    "numeric_scale, is_nullable, column_default, is_identity, identity_generation "
    "FROM information_schema.columns WHERE table_schema = current_schema()",
    "indexes": "SELECT tablename, regexp_replace(indexdef, '^(CREATE (UNIQUE )?INDEX )\\S+ ', '\\1') "
    "FROM pg_indexes WHERE schemaname = current_schema()",
    "constraints": "SELECT c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c "
    "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()",
    "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "functions": "SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()",
    "extensions": "SELECT extname, extversion FROM pg_extension",
    "relations": "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind NOT IN ('i', 'S')",
}


# Django's difference, not ours, and the only one allowed: its migrations create contrib.auth's
# many-to-many tables with the project's DEFAULT_AUTO_FIELD (bigint ids), its models with auth's own
# AutoField (integer ids). SQLite does not tell them apart; on PostgreSQL the test database's ids
# of those three tables are integers, which no test comes near.
AUTH_LINK_IDS = {
    (table, "id") for table in ("auth_group_permissions", "auth_user_groups", "auth_user_user_permissions")
}


def postgres_schema(cursor) -> dict:
    schema = {}
    for part, query in POSTGRES_CATALOGUE.items():
        cursor.execute(query)
        found = cursor.fetchall()
        if part == "columns":
            found = [(*row[:2], "integer or bigint") if row[:2] in AUTH_LINK_IDS else row for row in found]
        schema[part] = sorted(map(repr, found))
    return schema


def schema(alias: str) -> dict:
    with connections[alias].cursor() as cursor:
        return sqlite_schema(cursor) if connections[alias].vendor == "sqlite" else postgres_schema(cursor)


# Its content type ids differ: read by what they name.
BY_NATURAL_KEY = {
    "auth_permission": "SELECT c.app_label, c.model, p.codename, p.name FROM auth_permission p "
    "JOIN django_content_type c ON c.id = p.content_type_id",
}


def unshared_columns() -> dict[str, set[str]]:
    """The columns whose values two builds of the same rows cannot share: the ids a sequence hands
    out (the content types meet the models in another order; a transactional test's flush does not
    restart the sequences) and the times the rows were written."""
    unshared = {"django_migrations": {"id", "applied"}}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, AutoFieldMixin)
                or getattr(field, "auto_now", False)
                or getattr(field, "auto_now_add", False)
                or field.default is now
            ):
                unshared.setdefault(model._meta.db_table, set()).add(field.column)
    return unshared


def fts5_storage(cursor) -> set[str]:
    """The tables where SQLite keeps an FTS5 table's index: that table's own rows are read instead."""
    cursor.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'")
    return {
        f"{name}_{part}" for (name,) in cursor.fetchall() for part in ("data", "idx", "content", "docsize", "config")
    }


def rows(alias: str) -> dict:
    """Every row of every table, its columns in the order of their names, but for the unshared ones."""
    database = connections[alias]
    quote = database.ops.quote_name
    unshared = unshared_columns()
    found = {}
    with database.cursor() as cursor:
        shadows = fts5_storage(cursor) if database.vendor == "sqlite" else set()
        for table in set(database.introspection.table_names(cursor)) - shadows:
            description = database.introspection.get_table_description(cursor, table)
            names = sorted({column.name for column in description} - unshared.get(table, set()))
            query = BY_NATURAL_KEY.get(table, f"SELECT {', '.join(map(quote, names))} FROM {quote(table)}")  # noqa: S608
            cursor.execute(query)
            found[table] = sorted(map(repr, cursor.fetchall()))
    return found


def differences(test: dict, migrated: dict) -> list:
    """(what, only in the test database, only in the migrated one), for each part that differs."""
    found = []
    for key in sorted(set(test) | set(migrated), key=repr):
        ours, theirs = test.get(key), migrated.get(key)
        if ours != theirs:
            if isinstance(ours, list) and isinstance(theirs, list):
                ours, theirs = [v for v in ours if v not in theirs], [v for v in theirs if v not in ours]
            found.append((key, ours, theirs))
    return found


def assert_same(migrated: str) -> None:
    migrated_schema = schema(migrated)
    assert differences(schema("default"), migrated_schema) == []
    assert all(name in repr(migrated_schema) for name in KEPT_BY_TRIGGERS)  # the comparison sees them
    migrated_rows = rows(migrated)
    assert differences(rows("default"), migrated_rows) == []
    assert migrated_rows["django_migrations"] and migrated_rows["repairs_slapolicy"]


def check_the_test_database_is_the_migrated_one(migrated) -> None:
    assert_same(migrated)
    # What every transactional test ends with: the tables emptied, then post_migrate.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert_same(migrated)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite build; PostgreSQL's is the test below")
def test_the_sqlite_test_database_is_the_one_the_migrations_build(migrated):
    check_the_test_database_is_the_migrated_one(migrated)
    # A later migration rebuilding any of the project's tables (SQLite alters most columns that way)
    # leaves the same database, triggers included (config/db/sqlite3/schema.py). Rebuilt unchanged,
    # as Django rebuilds the tables whose foreign keys point at a changed column. (The project's
    # models only: others, rebuilt from today's classes rather than a migration's, come out wrong,
    # the user with its inherited many-to-many tables created again.)
    with connections[migrated].schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and model._meta.app_config.name in settings.LOCAL_APPS:
                editor._remake_table(model)
    assert_same(migrated)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_the_postgresql_test_database_is_the_one_the_migrations_build(migrated):
    check_the_test_database_is_the_migrated_one(migrated)
