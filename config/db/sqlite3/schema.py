"""SQLite's schema editor, keeping the database's triggers across a table rebuild.

SQLite cannot alter most of a column, so Django rebuilds the table (`_remake_table`): it creates
`new__<table>`, copies the rows, drops `<table>` and renames `new__<table>` to `<table>`. Two things
go wrong with the triggers that keep the project's counts (repairs/triggers.py, insights/triggers.py,
distribution/triggers.py):

- the triggers ON the table are dropped with it: only `triggers_ensure`, at the end of a
  `migrate`, puts them back (recomputing every count from scratch); until then, and for good after
  a schema change made outside `migrate`, the counts silently stop following the tickets;
- a trigger on ANOTHER table whose body names it (insights_counts_device_update reads the tickets)
  makes the rename fail: since SQLite 3.26 a RENAME checks the whole schema, which names a table
  that no longer exists at that moment ("error in trigger …: no such table: main.repairs_ticket").

So, around each rebuild, the triggers on the table or naming it are saved from sqlite_master,
dropped, and created again from their saved SQL once the table is back: unchanged, on the rebuilt
table, and the rows they keep are still right (the rebuild copies the rows, it changes none).
Every table, not only the tickets: the search triggers read the laptops, assignments and users.
A trigger reading a column the rebuild removed fails the migration (`_prepare_writes`), which must
then drop or rewrite that trigger first.

Rather than `PRAGMA legacy_alter_table=ON` for the rename: the triggers on the table would still
be lost, and every rename of the migrations would stop updating the triggers that name its table.

A view naming the table would fail the rename the same way; the project has none.
"""

from __future__ import annotations

import re

from django.db.backends.sqlite3.schema import DatabaseSchemaEditor as SQLiteSchemaEditor


class DatabaseSchemaEditor(SQLiteSchemaEditor):
    def _remake_table(self, model, create_field=None, delete_field=None, alter_fields=None):
        kept = self._triggers_touching(model._meta.db_table)
        for name, _, _ in kept:
            self.execute(f"DROP TRIGGER {self.quote_name(name)}", None)
        super()._remake_table(model, create_field=create_field, delete_field=delete_field, alter_fields=alter_fields)
        for _, _, sql in kept:
            # No parameters: the SQL goes to SQLite as it was stored ('%s' in strftime stays as is).
            self.execute(sql, None)
        if not self.collect_sql:
            self._prepare_writes(dict.fromkeys(on for _, on, _ in kept))

    def _triggers_touching(self, table: str) -> list[tuple[str, str, str]]:
        """(name, table it is on, SQL) of each trigger on `table` or whose SQL names it."""
        # SQLite's names are case-insensitive and may hold '$'; a longer name is another table.
        naming = re.compile(rf"(?<![\w$]){re.escape(table)}(?![\w$])", re.IGNORECASE)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid")
            return [row for row in cursor.fetchall() if row[1].lower() == table.lower() or naming.search(row[2])]

    def _prepare_writes(self, tables) -> None:
        """Prepare (EXPLAIN, nothing runs) an insert, an update of every column and a delete on each
        table: SQLite checks a trigger's columns only when it compiles a statement that fires it, so
        a trigger reading a column the rebuild removed fails here, with the migration, rather than
        at the first write after it."""
        quote = self.quote_name
        with self.connection.cursor() as cursor:
            for table in map(quote, tables):
                cursor.execute(f"PRAGMA table_info({table})")  # generated columns left out: not updatable
                columns = ", ".join(f"{quote(row[1])} = {quote(row[1])}" for row in cursor.fetchall())
                # The schema's own names, quoted: no input reaches these statements.
                for statement in (
                    f"INSERT INTO {table} DEFAULT VALUES",
                    f"UPDATE {table} SET {columns}",  # noqa: S608
                    f"DELETE FROM {table}",  # noqa: S608
                ):
                    cursor.execute(f"EXPLAIN {statement}")
