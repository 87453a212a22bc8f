"""Writing what the checks planned: upserts in one transaction, or nothing; the rejects file."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from django.db import DataError, IntegrityError, connections, models, router, transaction
from django.utils.translation import gettext as _

from devices.importing.checks import Checking
from devices.importing.report import ImportFailed, ImportReport, RowError

BATCH_SIZE = 2000
# In the rejects file a control character becomes U+FFFD "�", visible where it was: written back as
# it came, a NUL makes some spreadsheets cut the line short.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

T = TypeVar("T")


def chunks(items: list[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert(
    *,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    unique_fields: list[str],
    update_fields: list[str],
    progress: Callable[[int], None],
) -> None:
    """Insert the new `rows` (dicts of attnames) and update `update_fields` of the existing ones
    (they carry their "id"). Only rows that change are passed, so an unchanged re-import writes
    nothing at all. The checks already matched every row on `unique_fields`; a row someone else
    inserted meanwhile fails the transaction (IntegrityError), which `finish` reports.

    Hand-built statements rather than the ORM's `bulk_create(update_conflicts=True)`: at 61,000
    rows they are 2.3× faster on SQLite and 1.5× on PostgreSQL (bench/import_devices.py, figures
    in docs/PERFORMANCE.md), because the ORM builds an instance and prepares every value through
    its field. Inserts are multi-row: one array per column through `UNNEST` on PostgreSQL (as
    `bulk_create` does there), `VALUES` lists within SQLite's parameter limit; updates are one
    `UPDATE … WHERE id = %s` sent with `executemany`.
    """
    database = connections[router.db_for_write(model)]
    quote = database.ops.quote_name
    table = quote(model._meta.db_table)

    def prepared(chunk: list[dict[str, Any]], names: list[str]) -> list[tuple]:
        prepare = [(name, model._meta.get_field(name).get_db_prep_save) for name in names]
        return [tuple(prep(row[name], database) for name, prep in prepare) for row in chunk]

    inserts = [row for row in rows if "id" not in row]
    updates = [row for row in rows if "id" in row]
    with database.cursor() as cursor:
        if inserts:
            # Every column: a field the rows leave out takes its default, as a new instance would.
            fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
            names = [field.attname for field in fields]
            defaults = {field.attname: field.get_default() for field in fields}
            inserts = [{**defaults, **row} for row in inserts]
            head = f"INSERT INTO {table} ({', '.join(quote(field.column) for field in fields)})"
            if database.vendor == "postgresql":
                arrays = ", ".join(f"%s::{field.db_type(database).split('(')[0]}[]" for field in fields)
                for chunk in chunks(inserts):
                    columns = zip(*prepared(chunk, names), strict=True)
                    cursor.execute(f"{head} SELECT * FROM UNNEST({arrays})", [list(c) for c in columns])  # noqa: S608
                    progress(len(chunk))
            else:
                placeholders = f"({', '.join(['%s'] * len(names))})"
                per_statement = max(1, min(BATCH_SIZE, database.ops.bulk_batch_size(fields, inserts)))
                for chunk in chunks(inserts):
                    for statement in chunks(chunk, per_statement):
                        values = [value for row in prepared(statement, names) for value in row]
                        cursor.execute(f"{head} VALUES {', '.join([placeholders] * len(statement))}", values)
                    progress(len(chunk))
        if updates:
            assignments = ", ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in update_fields)
            sql = f"UPDATE {table} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
            for chunk in chunks(updates):
                cursor.executemany(sql, prepared(chunk, [*update_fields, "id"]))
                progress(len(chunk))


def finish(
    *,
    report: ImportReport,
    checking: Checking,
    rejects_path: Path | str | None,
    write: Callable[[], None],
    has_work: bool,
    started: float,
) -> ImportReport:
    """Write, or refuse to: the part every import shares once its rows are classified."""
    rejects = checking.rejects
    if not (report.dry_run or report.refused) and (has_work or rejects):
        if rejects:
            report.rejects_path = Path(rejects_path) if rejects_path else _default_rejects_path(report.path)
            if report.rejects_path.resolve() == report.path.resolve():
                raise ImportFailed(_("The rejects file cannot be the imported file itself: nothing was written."))
        try:
            with transaction.atomic():
                if has_work:
                    write()
                    report.written = True
                # Inside the transaction: if the rejects cannot be saved, the valid rows are not
                # imported either, rather than imported with their rejects lost.
                if rejects:
                    _write_rejects(checking=checking, errors=report.errors, path=report.rejects_path)
        except IntegrityError as exc:
            # Validation ran on a snapshot; someone wrote the same serial / UAI / tag meanwhile.
            report.written = False
            raise ImportFailed(
                _("The database changed during the import (%(error)s): nothing was written, run it again.")
                % {"error": exc}
            ) from exc
        except DataError as exc:
            # Every value is checked before writing; this is the net under those checks, so that a
            # person still gets a sentence and the certainty that nothing was written.
            report.written = False
            raise ImportFailed(
                _("The database refused a value (%(error)s): nothing was written.") % {"error": exc}
            ) from exc
        except OSError as exc:
            report.written = False
            raise ImportFailed(
                _("Cannot write the rejects file %(path)s (%(error)s): nothing was written.")
                % {"path": report.rejects_path, "error": exc.strerror or exc}
            ) from exc
    report.seconds = time.perf_counter() - started
    return report


def _default_rejects_path(path: Path) -> Path:
    """`devices.csv` rejects to `devices.rejects.csv`."""
    return path.with_name(f"{path.stem}.rejects.csv")


def _write_rejects(*, checking: Checking, errors: list[RowError], path: Path) -> None:
    """The rejected rows as they were, plus an `error` column; BOM so that spreadsheets read UTF-8."""
    table = checking.table
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.line, []).append(error.message)
    width = len(table.header)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=table.delimiter)
        writer.writerow([*table.header, "error"])
        for line, cells in checking.rejects:
            padded = [_INVISIBLE.sub("\ufffd", cell) for cell in cells[:width]] + [""] * (width - len(cells))
            writer.writerow([*padded, " ; ".join(reasons.get(line, []))])
