"""Rows of one model written in bulk as tuples in its column order: COPY on PostgreSQL,
executemany of one INSERT on SQLite (bench/region_data.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator


class Writer:
    """Rows of one model as tuples in its column order: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model, connection):
        self.connection = connection
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.column: f.get_default() for f in self.fields}
        # A callable default that must differ per row (the status link's token is unique).
        self.per_row = {f.column: f.get_default for f in self.fields if f.unique and callable(f.default)}
        sqlite = connection.vendor == "sqlite"
        self.adapters = []
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "JSONField":
                self.adapters.append(json.dumps)
            elif sqlite and kind == "DateTimeField":
                self.adapters.append(_sqlite_datetime)
            elif sqlite and kind == "DateField":
                self.adapters.append(lambda v: v and v.isoformat())
            else:
                self.adapters.append(None)

    def tuples(self, rows: Iterable[dict]) -> Iterator[tuple]:
        pairs = list(zip(self.columns, self.adapters, strict=True))
        for row in rows:
            values = []
            for column, adapt in pairs:
                if column in row:
                    value = row[column]
                elif column in self.per_row:
                    value = self.per_row[column]()
                else:
                    value = self.defaults[column]
                values.append(adapt(value) if adapt and value is not None else value)
            yield tuple(values)

    def write(self, rows: list[dict]) -> None:
        quoted = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        raw = self.connection.connection
        if self.connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {self.table} ({quoted}) FROM STDIN") as copy:
                for values in self.tuples(rows):
                    copy.write_row(values)
            return
        marks = ", ".join("?" for _ in self.columns)
        raw.executemany(f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})", list(self.tuples(rows)))  # noqa: S608


def _sqlite_datetime(value: dt.datetime) -> str:
    # What Django's SQLite backend stores: naive UTC, "YYYY-MM-DD HH:MM:SS.ffffff".
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
