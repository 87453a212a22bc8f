"""Writing what the checks planned: upserts in one transaction, or nothing; the rejects file."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from django.db import DataError, IntegrityError, models, transaction
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
    """Insert `rows` (dicts of attnames; an existing row carries its "id"), updating `update_fields`
    of the rows whose `unique_fields` match one in the table: `INSERT … ON CONFLICT DO UPDATE`.

    The ORM's upsert rather than hand-built SQL: bench/import_devices.py measured both on 61,000
    devices and the hand-built statements were not worth their upkeep (docs/PERFORMANCE.md).
    Only rows that change are passed, so an unchanged re-import writes nothing at all.
    """
    # Instances built from positional values in field order: Model(**row) costs a third more, a
    # second for 61,000 rows. Fields a row leaves out take their default (for a new row; an
    # existing row only has `update_fields` written).
    fields = [(field.attname, field.get_default()) for field in model._meta.concrete_fields]
    for chunk in chunks(rows):
        model.objects.bulk_create(
            [model(*[row.get(name, default) for name, default in fields]) for row in chunk],
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
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
