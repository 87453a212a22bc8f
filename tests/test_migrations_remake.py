"""A migration that rebuilds a table on SQLite keeps every trigger, and the counts they keep.

SQLite alters most columns by rebuilding the table (a new table, a copy, a drop, a rename): with
Django's schema editor alone, an AlterField of Ticket.reference failed with "error in trigger
insights_counts_device_update: no such table: main.repairs_ticket", and the tickets' own triggers
would have gone with the old table (config/db/sqlite3/schema.py). The rebuild runs here on a copy of
the test database, which tests/test_migrations_shortcut.py checks is the database the migrations
build, triggers included.
"""

import copy
import datetime as dt
import sqlite3

import pytest
from django.db import OperationalError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from devices.models import Device
from distribution import triggers as distribution_triggers
from insights import triggers as insights_triggers
from repairs import triggers as repairs_triggers
from repairs.models import StateCount, Ticket
from tests.repairs.factories import build_world

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's table rebuild; PostgreSQL alters its tables in place"
)
COPY = "rebuilt"


@pytest.fixture
def copied(transactional_db, tmp_path):
    """The test database with a world and one ticket, copied to a file opened as the alias `rebuilt`.
    Transactional: a schema editor needs a connection outside any transaction, and SQLite's backup
    of the in-memory test database waits forever while a transaction is open on it."""
    world = build_world()
    ticket = world.declare()
    path = tmp_path / "rebuilt.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    # Opened with the backend the settings name, as `migrate` would be; an alias the settings do not
    # list, which the test case lets the test use.
    backend = load_backend(connection.settings_dict["ENGINE"])
    connections[COPY] = backend.DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias=COPY)
    yield world, ticket
    connections[COPY].close()
    del connections[COPY]


def schema(kind: str, name: str = "") -> list[tuple]:
    with connections[COPY].cursor() as cursor:
        cursor.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = %s AND (%s = '' OR name = %s) ORDER BY name",
            [kind, name, name],
        )
        return cursor.fetchall()


def rebuild(model, name: str) -> None:
    """What a migration's AlterField widening `name` does: on SQLite, a rebuild of the table."""
    old = model._meta.get_field(name)
    new = copy.deepcopy(old)
    new.max_length += 10
    with connections[COPY].schema_editor() as editor:
        editor.alter_field(model, old, new)
    assert f'"{old.column}" varchar({new.max_length})' in schema("table", model._meta.db_table)[0][2]


def historical(app_label: str, name: str):
    """The model as the migrations of its app leave it, as a migration's AlterField gets it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state(loader.graph.leaf_nodes(app_label)[0]).apps.get_model(app_label, name)


# The tickets, which the laptops' insights trigger reads; the laptops and the users, which the
# search triggers read (a Django upgrade may well alter auth_user).
@pytest.mark.parametrize(
    ("app_label", "name", "field"),
    [("repairs", "Ticket", "reference"), ("devices", "Device", "serial_number"), ("auth", "User", "first_name")],
)
def test_a_table_rebuilt_by_a_migration_keeps_every_trigger_of_the_database(copied, app_label, name, field):
    triggers = schema("trigger")
    model = historical(app_label, name)
    assert any(model._meta.db_table in (on, *sql.split()) for _, on, sql in triggers)
    rebuild(model, field)
    assert schema("trigger") == triggers  # the same names, on the same tables, with the same SQL


def test_a_rebuild_removing_a_column_a_trigger_reads_fails_its_migration_and_changes_nothing(copied):
    # The triggers are created again as they were; SQLite would only find the missing column at the
    # first write of a ticket after the migration, if the schema editor did not check it then.
    before = schema("trigger"), schema("table", "repairs_ticket")
    with pytest.raises(OperationalError, match="no such column"), connections[COPY].schema_editor() as editor:
        editor.remove_field(Ticket, Ticket._meta.get_field("reporter"))  # a foreign key: a rebuild
    assert (schema("trigger"), schema("table", "repairs_ticket")) == before


def queue_counts(world) -> dict[str, int]:
    rows = StateCount.objects.using(COPY).filter(establishment=world.establishment, tickets__gt=0)
    return dict(rows.values_list("state", "tickets"))


# Each table the triggers keep → the column its rows count in: a row the triggers took down to zero
# stays, a recomputation writes none; and their ids are the order the rows came in.
KEPT = {
    "repairs_statecount": "tickets",
    "insights_failureweek": "failures",
    "insights_batchweek": "failures",
    "insights_turnaroundweek": "returned",
    distribution_triggers.TABLE: "students",
    "repairs_ticket_search": "",  # the search words, by ticket id (its rowid)
    "repairs_ticket": "",  # the repeat-failure flags (repairs/models/facts.py)
}


def kept_rows() -> dict[str, list]:
    found = {}
    database = connections[COPY]
    with database.cursor() as cursor:
        for table, counted in KEPT.items():
            columns = [c.name for c in database.introspection.get_table_description(cursor, table)]
            columns = [c for c in columns if c != "id"] if counted else ["rowid", *columns]
            where = f" WHERE {counted} <> 0" if counted else ""
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}{where}")  # noqa: S608  (names above)
            found[table] = sorted(map(repr, cursor.fetchall()))
    return found


def recomputed_rows() -> dict[str, list]:
    database = connections[COPY]
    for part in repairs_triggers.PARTS.values():
        repairs_triggers.triggers_install(database, part=part.name)
    for counts in (insights_triggers.COUNTS, distribution_triggers.COUNTS):
        counts.install(database)
    return kept_rows()


def test_after_the_tickets_table_is_rebuilt_the_counts_still_follow_the_tickets(copied):
    world, ticket = copied
    assert queue_counts(world) == {"declared": 1}
    rebuild(Ticket, "reference")

    tickets = Ticket.objects.using(COPY)
    copied_fields = [f.attname for f in Ticket._meta.concrete_fields if not f.unique]  # the unique ones: defaults
    fields = tickets.filter(pk=ticket.pk).values(*copied_fields).get()
    tickets.create(**{**fields, "reference": "R-2026-REBUILT", "category": "keyboard"})  # another fault, same laptop
    assert queue_counts(world) == {"declared": 2}
    tickets.filter(pk=ticket.pk).update(state="cancelled")
    assert queue_counts(world) == {"declared": 1, "cancelled": 1}
    with connections[COPY].cursor() as cursor:  # the new ticket is found by its reference
        cursor.execute("SELECT count(*) FROM repairs_ticket_search WHERE repairs_ticket_search MATCH '\"REBUILT\"'")
        assert cursor.fetchone() == (1,)
    # The trigger on the laptops that reads the tickets (the one that stopped the rebuild) still works.
    Device.objects.using(COPY).filter(pk=world.device.pk).update(delivered_on=dt.date(2024, 9, 1))

    kept = kept_rows()
    assert kept == recomputed_rows()  # every count the triggers keep is what the tickets give
    # The failing-batch figures count the open keyboard failure under the laptop's new delivery month.
    assert "datetime.date(2024, 9, 1), 202409, 'keyboard', 1)" in kept["insights_batchweek"][0]
