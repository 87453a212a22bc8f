"""Checking a file row by row and column by column; each problem names its cause and what to do.

The causes are what the command groups on: a file refused because no device model exists yet is
one paragraph ("unknown device model: 61,000 lines … What to do: …"), not 61,000 lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from devices.importing.progress import Progress, tracked
from devices.importing.reading import Table, fold
from devices.importing.report import ImportReport, RowError
from devices.importing.values import (
    CONTROL_CHARACTER,
    UAI,
    ImpossibleDate,
    UnreadableDate,
    normalise_uai,
    parse_date,
    squeeze,
)


class Row:
    """One line of the file: its cells read by canonical column name, and its problems."""

    def __init__(self, table: Table, line: int, cells: list[str]) -> None:
        self.table, self.line, self.cells = table, line, cells
        self.errors: list[RowError] = []

    @property
    def ok(self) -> bool:
        return not self.errors

    def has(self, name: str) -> bool:
        """Whether the file has the column at all (an absent optional column keeps current values)."""
        return name in self.table.columns

    def title(self, name: str) -> str:
        return self.table.title(name)

    def value(self, name: str) -> str:
        return self.table.value(self.cells, name)

    def fail(self, message: str, *, cause: str = "", hint: str = "") -> None:
        self.errors.append(RowError(self.line, message, cause or message, hint))

    # --- Column checks --------------------------------------------------------------------------

    def control_characters(self) -> bool:
        """Record a problem for each cell of a known column holding a control character.

        Checked before anything else: PostgreSQL cannot store a NUL, and a value with an invisible
        character would otherwise fail later checks with a puzzling message ("unknown UAI 0310024H").
        """
        if not CONTROL_CHARACTER.search("".join(self.cells)):
            return False  # the usual case, in one search rather than one a column
        for name in self.table.columns:
            found = CONTROL_CHARACTER.search(self.value(name))
            if found:
                self.fail(
                    _("forbidden control character (%(code)s) in %(column)s")
                    % {"code": f"U+{ord(found.group()):04X}", "column": self.title(name)},
                    cause=_("forbidden control character"),
                    hint=_(
                        "retype these cells or delete their invisible characters, then save the file again as "
                        "CSV UTF-8."
                    ),
                )
        return not self.ok

    def missing(self, name: str) -> None:
        column = self.title(name)
        self.fail(
            _("missing value in %(column)s") % {"column": column},
            hint=_("fill in %(column)s on these lines.") % {"column": column},
        )

    def text(self, name: str, *, required: bool = False, limit: tuple[type[models.Model], str] | None = None) -> str:
        """The cell with its blanks squeezed; `limit` (model, field) checks the field's max_length."""
        value = squeeze(self.value(name))
        if required and not value:
            self.missing(name)
        if limit:
            self.check_length(value, name=name, model=limit[0], field_name=limit[1])
        return value

    def check_length(self, value: str, *, name: str, model: type[models.Model], field_name: str) -> None:
        limit = model._meta.get_field(field_name).max_length
        if limit and len(value) > limit:
            self.fail(
                _("%(column)s is too long (at most %(max)s characters)") % {"column": self.title(name), "max": limit}
            )

    def date(self, name: str) -> dt.date | None:
        raw, column = self.value(name), self.title(name)
        if not raw:
            return None
        try:
            return parse_date(raw)
        except UnreadableDate:
            self.fail(
                _("unreadable date “%(value)s” in %(column)s (expected DD/MM/YYYY or YYYY-MM-DD)")
                % {"value": raw, "column": column},
                cause=_("unreadable date in %(column)s") % {"column": column},
                hint=_("write dates as DD/MM/YYYY or YYYY-MM-DD."),
            )
        except ImpossibleDate:
            self.fail(
                _("impossible date “%(value)s” in %(column)s") % {"value": raw, "column": column},
                cause=_("impossible date in %(column)s") % {"column": column},
                hint=_("check the day and the month: this date does not exist."),
            )
        return None

    def choice(self, name: str, mapping: dict[str, Any], *, message: str, accepted: Callable[[], str]) -> Any:
        """The mapped value of a non-blank cell, or None with a problem.

        `message` has %(value)s; a lazy string, like `accepted` a callable, so that the rows that
        pass (all of them, usually) pay no translation.
        """
        raw = self.value(name)
        value = mapping.get(fold(raw))
        if value is None:
            self.fail(
                message % {"value": raw},
                cause=_("unknown value in %(column)s") % {"column": self.title(name)},
                hint=_("accepted values: %(values)s.") % {"values": accepted()},
            )
        return value

    def uai(self, name: str, *, required: bool, known: dict[str, Any] | None = None) -> str:
        """The UAI upper-case without blanks, "" with a problem when malformed or not in `known`."""
        raw = self.value(name)
        uai = normalise_uai(raw)
        if not uai:
            if required:
                self.missing(name)
            return ""
        if not UAI.match(uai):
            self.fail(
                _("bad UAI format “%(uai)s” (7 digits and a letter, e.g. 0310024H)") % {"uai": raw},
                cause=_("bad UAI format in %(column)s") % {"column": self.title(name)},
                hint=_("write the UAI as 7 digits and a letter, e.g. 0310024H."),
            )
            return ""
        if known is not None and uai not in known:
            self.fail(
                _("unknown UAI %(uai)s: no such establishment") % {"uai": uai},
                cause=_("unknown UAI (no such establishment)"),
                hint=_(
                    "import the establishments first (manage.py import_establishments FILE.csv), or correct the UAI."
                ),
            )
            return ""
        return uai

    def once(self, key: Any, *, seen: dict[Any, int], column: str, message: str, params: dict[str, Any]) -> bool:
        """False with a problem when `key` was on an earlier line; `message` (a lazy string: it is
        translated only for a line that repeats) also has %(line)s."""
        if key in seen:
            self.fail(
                message % {**params, "line": seen[key]},
                cause=_("%(column)s repeated in the file") % {"column": self.title(column)},
                hint=_("keep one line per %(column)s.") % {"column": self.title(column)},
            )
            return False
        seen[key] = self.line
        return True


class Checking:
    """The rows of a file one at a time, with the rejected ones kept aside for the rejects file.

    Rows holding a control character are rejected here, before their import looks at them.
    """

    def __init__(self, *, table: Table, report: ImportReport, progress: Progress) -> None:
        self.table, self.report, self.progress = table, report, progress
        self.rejects: list[tuple[int, list[str]]] = []

    def __iter__(self) -> Iterator[Row]:
        for line, cells in tracked(self.table.rows, progress=self.progress, description=_("Checking")):
            row = Row(self.table, line, cells)
            if row.control_characters():
                self.reject(row)
                continue
            yield row

    def reject(self, row: Row) -> None:
        self.report.errors.extend(row.errors)
        self.rejects.append((row.line, row.cells))

    def tally(self, row: Row, outcome: str | None) -> None:
        """Count a checked row: "created", "updated", "unchanged", or None when it was refused."""
        if outcome is None:
            self.reject(row)
        else:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
