"""Django's SQLite backend with the project's schema editor (config/db/sqlite3/schema.py).

The settings name this module's package as the ENGINE of every SQLite database; everything else is
Django's backend, unchanged."""

from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from config.db.sqlite3.schema import DatabaseSchemaEditor


class DatabaseWrapper(SQLiteDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
