"""Reading a CSV file as spreadsheets write it: encoding, delimiter, header row and its aliases."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from devices.importing.report import ImportFailed


def fold(value: str) -> str:
    """Compare header titles and enum values case-, accent- and punctuation-insensitively."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^0-9a-z]+", " ", bare.casefold()).strip()


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    aliases: tuple[str, ...] = ()  # compared folded: "N° de série" and "n de serie" are one alias


@dataclass
class Table:
    header: list[str]
    delimiter: str
    columns: dict[str, int]  # canonical column name -> index in a row
    rows: list[tuple[int, list[str]]]  # (line of the file, cells)

    def title(self, name: str) -> str:
        """The column's title as the file writes it, so that messages speak the user's words."""
        return self.header[self.columns[name]].strip() if name in self.columns else name

    def value(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


_SEP_LINE = re.compile(r"^sep=(.)$", re.IGNORECASE)


def read_table(path: Path, *, columns: Sequence[Column], keep_extra: bool = True) -> Table:
    """The file's rows under their canonical column names.

    Extra columns are ignored; with `keep_extra=False` they are dropped on reading, so that their
    cells (a national student number, a birth date...) are held nowhere, not even in a rejects file.
    Raises ImportFailed when the file cannot be read or lacks a required column.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(
            _(
                "%(path)s is not UTF-8 text (line %(line)s cannot be read). Save it from the spreadsheet as "
                "“CSV UTF-8” and import it again."
            )
            % {"path": path.name, "line": line}
        ) from None

    first_line = text.split("\n", 1)[0].strip()
    # Excel writes a "sep=;" line before the header when asked to; honour it, it is unambiguous.
    sep_line = _SEP_LINE.match(first_line)
    # Otherwise the header decides: cells may hold commas in a ";" file, titles do not.
    delimiter = sep_line.group(1) if sep_line else max((";", ",", "\t"), key=first_line.count)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        if sep_line:
            next(reader, None)
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ImportFailed(_("%(path)s has no header row.") % {"path": path.name})
        header[0] = header[0].lstrip("\ufeff")
        previous = reader.line_num
        for cells in reader:
            # A quoted cell may span lines: the row starts on the line after the previous row ended.
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):  # spreadsheets leave ";;;;" rows at the end
                rows.append((start, cells))
    except csv.Error as exc:
        raise ImportFailed(
            _("%(path)s line %(line)s: %(error)s") % {"path": path.name, "line": reader.line_num, "error": exc}
        ) from None

    found = _map_header(header, columns)
    missing = [column.name for column in columns if column.required and column.name not in found]
    if missing:
        raise ImportFailed(
            _("%(path)s: missing required columns: %(missing)s (columns found: %(found)s).")
            % {
                "path": path.name,
                "missing": ", ".join(missing),
                "found": ", ".join(title.strip() for title in header if title.strip()),
            }
        )
    if not keep_extra:
        kept = sorted(found.values())
        header = [header[index] for index in kept]
        rows = [(line, [cells[index] if index < len(cells) else "" for index in kept]) for line, cells in rows]
        rows = [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]
        found = {name: kept.index(index) for name, index in found.items()}
    return Table(header=header, delimiter=delimiter, columns=found, rows=rows)


def _map_header(header: list[str], columns: Sequence[Column]) -> dict[str, int]:
    aliases = {fold(alias): column.name for column in columns for alias in (column.name, *column.aliases)}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = aliases.get(fold(title))
        if name is None:
            continue  # extra columns are allowed and ignored
        if name in found:
            raise ImportFailed(
                _("Columns “%(first)s” and “%(second)s” both mean %(column)s: keep only one.")
                % {"first": header[found[name]].strip(), "second": title.strip(), "column": name}
            )
        found[name] = index
    return found
