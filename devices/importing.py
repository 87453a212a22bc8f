"""CSV imports of the fleet (SPEC §6): establishments and devices.

Both imports have one shape. The whole file is read and its header mapped through aliases (French
spreadsheets welcome); the tables the rows refer to are loaded once into dicts; every row is
validated in Python and classified as created / updated / unchanged against what the database
holds; then the changes are written in bulk inside one transaction, or nothing is written at all.
A 61,000-row file costs a handful of reads and one insert or update statement per batch.

Blank optional cells never erase what the application knows: a device's status, master image and
delivery date, and its manufacturer warranty, are kept when the file leaves them blank (status and
image change through repairs, not spreadsheets). The one exception is the establishment of a
device: SPEC §6 says a blank UAI means the device is at the depot. An optional column that is
absent altogether keeps the current values too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from tqdm import tqdm

from devices.models import (
    DEPARTEMENT_ACADEMIE,
    Academie,
    Assignment,
    Departement,
    Device,
    DeviceModel,
    Establishment,
    MasterImage,
    WarrantyCoverage,
    Zone,
    normalise_serial,
)

BATCH_SIZE = 2000
DEFAULT_WARRANTY_MONTHS = 36

T = TypeVar("T")


class ImportFailed(Exception):
    """The import could not run at all (unreadable file, missing columns, database changed under
    it). Nothing was written. The message is for a person."""


@dataclass(frozen=True)
class RowError:
    line: int  # line of the file, the header being line 1
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportReport:
    """What an import found and did. Counts classify the valid rows, whether or not they were written."""

    path: Path
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    zones_created: list[str] = field(default_factory=list)
    models_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    skip_invalid: bool = False
    written: bool = False
    rejects_path: Path | None = None
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def refused(self) -> bool:
        """Invalid rows and no --skip-invalid: the whole file was turned down."""
        return bool(self.errors) and not self.skip_invalid

    def summary(self) -> str:
        if not (self.errors or self.created or self.updated or self.zones_created or self.models_created):
            return _("Nothing to write: %(count)s rows unchanged.") % {"count": self.unchanged}
        text = _(
            "%(rows)s rows — created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
            "rejected: %(rejected)s."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.zones_created:
            text += " " + _("Zones created: %(zones)s.") % {"zones": ", ".join(self.zones_created)}
        if self.models_created:
            text += " " + _("Models created: %(models)s.") % {"models": ", ".join(self.models_created)}
        if self.dry_run:
            text += " " + _("Dry run: nothing was written.")
        elif self.refused:
            text += " " + _("Invalid rows: nothing was written.")
        return text


# --- Reading ------------------------------------------------------------------------------------


def _fold(value: str) -> str:
    """Compare header titles and enum values case-, accent- and punctuation-insensitively."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^0-9a-z]+", " ", bare.casefold()).strip()


@dataclass(frozen=True)
class _Column:
    name: str
    required: bool
    aliases: tuple[str, ...] = ()


@dataclass
class _Table:
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


def _read_table(path: Path, *, columns: Sequence[_Column]) -> _Table:
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

    aliases = {_fold(alias): column.name for column in columns for alias in (column.name, *column.aliases)}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = aliases.get(_fold(title))
        if name is None:
            continue  # extra columns are allowed and ignored
        if name in found:
            raise ImportFailed(
                _("Columns “%(first)s” and “%(second)s” both mean %(column)s: keep only one.")
                % {"first": header[found[name]].strip(), "second": title.strip(), "column": name}
            )
        found[name] = index
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
    return _Table(header=header, delimiter=delimiter, columns=found, rows=rows)


def _write_rejects(*, table: _Table, rejects: list[tuple[int, list[str]]], errors: list[RowError], path: Path) -> None:
    """The rejected rows as they were, plus an `error` column; BOM so that spreadsheets read UTF-8."""
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.line, []).append(error.message)
    width = len(table.header)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=table.delimiter)
        writer.writerow([*table.header, "error"])
        for line, cells in rejects:
            padded = [*cells[:width], *[""] * (width - len(cells))]
            writer.writerow([*padded, " ; ".join(reasons.get(line, []))])


def _progress(*, enabled: bool, total: int, desc: str) -> tqdm:
    """A bar on stderr that vanishes when done; `enabled` is the caller's (a terminal, not a test)."""
    return tqdm(
        total=total, desc=desc, unit=" rows", file=sys.stderr, leave=False, mininterval=0.2, disable=not enabled
    )


def _checking(rows: list[T], *, enabled: bool) -> Iterable[T]:
    if not enabled:
        return rows
    return tqdm(rows, desc=_("Checking"), unit=" rows", file=sys.stderr, leave=False, mininterval=0.2)


def _chunks(items: list[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Writes go through the two helpers below rather than bulk_create and bulk_update, for the sake of
# the device tables (61,000 rows each). bulk_update builds a CASE WHEN per row and field in
# Python: 6,100 changed devices took 12 s, twice a whole import. bulk_create builds a model
# instance per row: a first import took 6 s on SQLite instead of 3 (bench/import_devices.py).
# Their SQL is built from _meta and their values converted by the model fields, so neither can
# drift from the models.


def _prepared(*, model: type[models.Model], rows: list[dict[str, Any]], fields: list[str]) -> list[tuple[Any, ...]]:
    # The wrapper itself, not the `connection` proxy: a million conversions each looking up the
    # proxy's thread-local would cost more than the SQL.
    database = connections[DEFAULT_DB_ALIAS]
    prepare = [(name, model._meta.get_field(name).get_db_prep_save) for name in fields]
    return [tuple(prep(row[name], database) for name, prep in prepare) for row in rows]


def _insert_rows(
    *, model: type[models.Model], rows: list[dict[str, Any]], fields: list[str], progress: Callable[[int], None]
) -> None:
    """INSERT row dicts (keys: attnames), many rows a statement."""
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in model_fields)})"
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            # One array per column, as bulk_create does there: psycopg parses placeholders in
            # Python, and 16,000 of them a statement cost more than the insert. Array types are
            # written without length so that nothing is silently truncated.
            arrays = ", ".join(f"%s::{field.db_type(database).split('(')[0]}[]" for field in model_fields)
            sql = f"{head} SELECT * FROM UNNEST({arrays})"  # noqa: S608 - names from _meta, values bound
            for chunk in _chunks(rows):
                columns = zip(*_prepared(model=model, rows=chunk, fields=fields), strict=True)
                cursor.execute(sql, [list(column) for column in columns])
                progress(len(chunk))
            return
        placeholders = f"({', '.join(['%s'] * len(fields))})"
        # SQLite allows 999 parameters a statement (Django's own bound).
        per_statement = max(1, min(BATCH_SIZE, database.ops.bulk_batch_size(model_fields, rows)))
        for chunk in _chunks(rows, per_statement):
            values = [value for row in _prepared(model=model, rows=chunk, fields=fields) for value in row]
            cursor.execute(f"{head} VALUES {', '.join([placeholders] * len(chunk))}", values)
            progress(len(chunk))


def _update_rows(
    *, model: type[models.Model], rows: list[dict[str, Any]], fields: list[str], progress: Callable[[int], None]
) -> None:
    """UPDATE row dicts (keys: "id" and attnames) by primary key, with executemany: the driver
    loops in C (sqlite3) or pipelines the statements (psycopg 3)."""
    database = connections[DEFAULT_DB_ALIAS]
    quote = database.ops.quote_name
    assignments = ", ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    with database.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(sql, _prepared(model=model, rows=chunk, fields=[*fields, "id"]))
            progress(len(chunk))


# --- Values -------------------------------------------------------------------------------------

_UAI = re.compile(r"^[0-9]{7}[A-Z]$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")

_BOOLEANS = {
    **dict.fromkeys(("oui", "o", "yes", "y", "1", "true", "vrai", "x"), True),
    **dict.fromkeys(("non", "n", "no", "0", "false", "faux"), False),
}
_KIND_ALIASES: dict[str, tuple[str, ...]] = {
    Establishment.Kind.LGT: (
        "lycee general et technologique",
        "general et technologique",
        "lycee general",
        "lycee technologique",
        "general",
        "technologique",
        "egt",
        "lg",
        "lt",
    ),
    Establishment.Kind.LP: ("lycee professionnel", "professionnel", "pro", "lycee des metiers", "vocational"),
    Establishment.Kind.POLYVALENT: ("lycee polyvalent", "lpo", "lpol", "multi track"),
    Establishment.Kind.AGRICOLE: (
        "lycee agricole",
        "lega",
        "legta",
        "lpa",
        "lycee professionnel agricole",
        "eplefpa",
    ),
    Establishment.Kind.EREA: ("etablissement regional d enseignement adapte",),
}
_SECTOR_ALIASES: dict[str, tuple[str, ...]] = {
    Establishment.Sector.PUBLIC: ("publique", "pu", "pub"),
    Establishment.Sector.PRIVATE: ("prive", "privee", "pr", "prive sous contrat", "privee sous contrat"),
}
_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    Device.Status.IN_STOCK: ("in stock", "stock", "en stock", "disponible"),
    Device.Status.SPARE: ("pret", "pool", "spare pool", "loaner", "loaner pool", "parc de pret", "reserve"),
    "on_loan": ("en pret", "prete", "on loan", "loaned", "lent"),
    Device.Status.ASSIGNED: ("affecte", "attribue", "distribue", "remis"),
    Device.Status.IN_REPAIR: ("en reparation", "reparation", "sav", "en sav"),
    Device.Status.RETIRED: ("reforme", "hors service", "hs", "rebut"),
    Device.Status.LOST: ("stolen", "perdu", "vole", "perdu vole", "perdu ou vole", "vol", "perte"),
}


def _choice_map(choices: type[models.TextChoices], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    # Built per import, not at module load: the labels are lazy and speak the active language.
    mapping: dict[str, str] = {}
    for value, words in aliases.items():
        if value in choices.values:  # an alias table may name a status the model no longer has
            mapping.update((_fold(word), str(value)) for word in words)
    for value, label in choices.choices:
        mapping[_fold(value)] = value
        mapping[_fold(str(label))] = value
    return mapping


def _departement_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for code, label in Departement.choices:
        mapping[code] = code
        mapping[code.lstrip("0")] = code  # a spreadsheet turns "09" into 9
        mapping[_fold(label)] = code
        mapping[_fold(label.split(" ", 1)[1])] = code
    return mapping


def _normalise_uai(value: str) -> str:
    return "".join(value.split()).upper()


def _parse_date(value: str, *, title: str, problems: list[str]) -> dt.date | None:
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _FRENCH_DATE.match(value)
        if not match:
            problems.append(
                _("unreadable date “%(value)s” in %(column)s (expected DD/MM/YYYY or YYYY-MM-DD)")
                % {"value": value, "column": title}
            )
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        problems.append(_("impossible date “%(value)s” in %(column)s") % {"value": value, "column": title})
        return None


def _check_length(value: str, *, model: type[models.Model], field_name: str, title: str, problems: list[str]) -> None:
    limit = model._meta.get_field(field_name).max_length
    if limit and len(value) > limit:
        problems.append(_("%(column)s is too long (at most %(max)s characters)") % {"column": title, "max": limit})


def _missing(table: _Table, name: str) -> str:
    return _("missing value in %(column)s") % {"column": table.title(name)}


def _reject(
    report: ImportReport, rejects: list[tuple[int, list[str]]], line: int, cells: list[str], problems: list[str]
) -> None:
    report.errors.extend(RowError(line, problem) for problem in problems)
    rejects.append((line, cells))


def _finish(
    *,
    report: ImportReport,
    table: _Table,
    rejects: list[tuple[int, list[str]]],
    rejects_path: Path | str | None,
    write: Callable[[], None],
    has_work: bool,
    started: float,
) -> ImportReport:
    """Write, or refuse to: the part both imports share once the rows are classified."""
    if not (report.dry_run or report.refused) and (has_work or rejects):
        if rejects:
            report.rejects_path = _rejects_path(path=report.path, rejects_path=rejects_path)
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
                    _write_rejects(table=table, rejects=rejects, errors=report.errors, path=report.rejects_path)
        except IntegrityError as exc:
            # Validation ran on a snapshot; someone wrote the same serial / UAI / tag meanwhile.
            raise ImportFailed(
                _("The database changed during the import (%(error)s): nothing was written, run it again.")
                % {"error": exc}
            ) from exc
        except OSError as exc:
            raise ImportFailed(
                _("Cannot write the rejects file %(path)s (%(error)s): nothing was written.")
                % {"path": report.rejects_path, "error": exc.strerror or exc}
            ) from exc
    report.seconds = time.perf_counter() - started
    return report


def _rejects_path(*, path: Path, rejects_path: Path | str | None) -> Path:
    """`devices.csv` rejects to `devices.rejects.csv` unless told otherwise."""
    return Path(rejects_path) if rejects_path else path.with_name(f"{path.stem}.rejects.csv")


# --- Establishments -----------------------------------------------------------------------------

ESTABLISHMENT_COLUMNS = (
    _Column("uai", True, ("code uai", "rne", "code rne", "numero uai", "uai etablissement")),
    _Column(
        "name",
        True,
        ("nom", "appellation", "appellation officielle", "nom etablissement", "nom de l etablissement", "denomination"),
    ),
    _Column("city", True, ("ville", "commune", "localite")),
    _Column("departement", True, ("dept", "dpt", "dep", "code departement", "department")),
    _Column("kind", False, ("type", "type etablissement", "type d etablissement", "nature")),
    _Column("sector", False, ("secteur", "public prive", "secteur public prive")),
    _Column("lycee_numerique", False, ("label lycee numerique",)),
    _Column("zone", False, ("zone technicien", "zone technique", "zone sav", "code zone")),
)
_ESTABLISHMENT_FIELDS = ("name", "city", "departement", "academie", "kind", "sector", "lycee_numerique", "zone")


def establishments_import(
    *,
    path: Path | str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    rejects_path: Path | str | None = None,
    progress: bool = False,
) -> ImportReport:
    """Create or update establishments from a CSV file, keyed on the UAI; create missing zones.

    With invalid rows nothing is written unless `skip_invalid`, in which case the valid rows are
    written and the others go to the rejects file. Raises ImportFailed when the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    table = _read_table(path, columns=ESTABLISHMENT_COLUMNS)
    report = ImportReport(path=path, rows=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)

    zone_codes = dict(Zone.objects.values_list("id", "code"))
    zone_by_key = {code.casefold(): code for code in zone_codes.values()}
    zone_by_name = {_fold(name): code for code, name in Zone.objects.values_list("code", "name")}
    existing: dict[str, dict[str, Any]] = {}
    for row in Establishment.objects.values("id", "uai", *_ESTABLISHMENT_FIELDS[:-1], "zone_id"):
        row["zone"] = zone_codes.get(row.pop("zone_id"))
        existing[row["uai"]] = row

    kinds = _choice_map(Establishment.Kind, _KIND_ALIASES)
    sectors = _choice_map(Establishment.Sector, _SECTOR_ALIASES)
    departements = _departement_map()
    defaults = {
        "kind": Establishment.Kind.LGT,
        "sector": Establishment.Sector.PUBLIC,
        "lycee_numerique": False,
        "zone": None,
    }
    new_zones: dict[str, str] = {}  # code -> name
    seen: dict[str, int] = {}
    to_create: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    rejects: list[tuple[int, list[str]]] = []

    value = table.value
    for line, cells in _checking(table.rows, enabled=progress):
        problems: list[str] = []

        uai = _normalise_uai(value(cells, "uai"))
        if not uai:
            problems.append(_missing(table, "uai"))
        elif not _UAI.match(uai):
            problems.append(_("bad UAI format “%(uai)s” (7 digits and a letter, e.g. 0310024H)") % {"uai": uai})
        elif uai in seen:
            problems.append(_("UAI %(uai)s is also on line %(line)s") % {"uai": uai, "line": seen[uai]})
        else:
            seen[uai] = line
        current = existing.get(uai)

        planned: dict[str, Any] = {}
        for name in ("name", "city"):
            planned[name] = " ".join(value(cells, name).split())
            if not planned[name]:
                problems.append(_missing(table, name))
            _check_length(
                planned[name], model=Establishment, field_name=name, title=table.title(name), problems=problems
            )

        raw = value(cells, "departement")
        departement = departements.get(_fold(raw))
        if not raw:
            problems.append(_missing(table, "departement"))
        elif departement is None:
            problems.append(_("unknown département “%(value)s”") % {"value": raw})
        else:
            planned["departement"] = departement
            # The bulk write skips Establishment.save(), which is where académie is usually derived.
            planned["academie"] = DEPARTEMENT_ACADEMIE[departement]

        for name, mapping, message in (
            ("kind", kinds, _("unknown establishment kind “%(value)s”")),
            ("sector", sectors, _("unknown sector “%(value)s” (public or private)")),
            ("lycee_numerique", _BOOLEANS, _("“%(value)s” is not yes or no")),
        ):
            if name not in table.columns:
                planned[name] = current[name] if current else defaults[name]
                continue
            raw = value(cells, name)
            planned[name] = mapping.get(_fold(raw)) if raw else defaults[name]
            if planned[name] is None:
                problems.append(message % {"value": raw})

        raw = value(cells, "zone")
        if "zone" not in table.columns:
            planned["zone"] = current["zone"] if current else None
        elif not raw:
            planned["zone"] = None
        else:
            code = zone_by_key.get(raw.casefold()) or zone_by_name.get(_fold(raw)) or slugify(raw)
            max_length = Zone._meta.get_field("code").max_length
            if not code or len(code) > max_length:
                problems.append(
                    _("“%(value)s” cannot be a zone code (letters, digits and dashes, at most %(max)s)")
                    % {"value": raw, "max": max_length}
                )
            elif code.casefold() not in zone_by_key:
                new_zones.setdefault(code, raw)
            planned["zone"] = zone_by_key.get(code.casefold(), code)

        if problems:
            _reject(report, rejects, line, cells, problems)
        elif current is None:
            report.created += 1
            to_create.append({"uai": uai, **planned})
        elif any(current[name] != planned[name] for name in _ESTABLISHMENT_FIELDS):
            report.updated += 1
            to_update.append({"id": current["id"], "uai": uai, **planned})
        else:
            report.unchanged += 1

    # Only zones that a valid row uses are created.
    used_zones = {row["zone"] for row in (*to_create, *to_update)}
    report.zones_created = sorted(code for code in new_zones if code in used_zones)

    def write() -> None:
        Zone.objects.bulk_create([Zone(code=code, name=new_zones[code]) for code in report.zones_created])
        zone_ids = {code: pk for pk, code in Zone.objects.values_list("id", "code")}

        for row in (*to_create, *to_update):
            row["zone_id"] = zone_ids.get(row.pop("zone"))
        fields = [name for name in _ESTABLISHMENT_FIELDS if name != "zone"] + ["zone_id"]
        with _progress(enabled=progress, total=len(to_create) + len(to_update), desc=_("Writing")) as bar:
            _insert_rows(model=Establishment, rows=to_create, fields=["uai", *fields], progress=bar.update)
            _update_rows(model=Establishment, rows=to_update, fields=fields, progress=bar.update)

    return _finish(
        report=report,
        table=table,
        rejects=rejects,
        rejects_path=rejects_path,
        write=write,
        has_work=bool(to_create or to_update),
        started=started,
    )


# --- Devices ------------------------------------------------------------------------------------

DEVICE_COLUMNS = (
    _Column(
        "serial_number",
        True,
        ("serial", "numero de serie", "n de serie", "no de serie", "num serie", "n serie", "sn", "serial no"),
    ),
    _Column(
        "asset_tag",
        True,
        ("numero d inventaire", "inventaire", "n d inventaire", "no d inventaire", "numero inventaire", "etiquette"),
    ),
    _Column("manufacturer", True, ("fabricant", "constructeur", "marque")),
    _Column("model", True, ("modele", "device model")),
    _Column(
        "establishment_uai",
        True,
        ("uai", "uai etablissement", "code uai", "rne", "etablissement uai", "uai de l etablissement"),
    ),
    _Column("delivered_on", True, ("date de livraison", "livre le", "livraison", "delivery date", "date livraison")),
    _Column("warranty_end", True, ("fin de garantie", "date de fin de garantie", "fin garantie", "garantie jusqu au")),
    _Column("image_version", False, ("version image", "master", "version master", "version du master", "image")),
    _Column("status", False, ("statut", "etat")),
)
_DEVICE_FIELDS = ("asset_tag", "model_id", "establishment_id", "status", "image_id", "delivered_on")


def _model_key(manufacturer: str, name: str) -> tuple[str, str]:
    return " ".join(manufacturer.split()).casefold(), " ".join(name.split()).casefold()


def _months_between(start: dt.date, end: dt.date) -> int:
    # A warranty "from 01/09/2025 to 31/08/2028" is 36 months: count the last day in.
    return round(((end - start).days + 1) / 30.4375)


def devices_import(
    *,
    path: Path | str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    create_models: bool = False,
    rejects_path: Path | str | None = None,
    progress: bool = False,
) -> ImportReport:
    """Create or update devices from a CSV file, keyed on the normalised serial number.

    Each row's `warranty_end` becomes the device's manufacturer coverage (kind manufacturer,
    provider the model's manufacturer, no contract reference) from `delivered_on`, updated in
    place on later imports. Unknown models are row errors unless `create_models`. With invalid
    rows nothing is written unless `skip_invalid`. Raises ImportFailed when the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    table = _read_table(path, columns=DEVICE_COLUMNS)
    report = ImportReport(path=path, rows=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)

    # Everything the rows refer to, loaded once: the validation below runs no query.
    establishments = {
        uai: (pk, academie) for pk, uai, academie in Establishment.objects.values_list("id", "uai", "academie")
    }
    device_models = {
        _model_key(manufacturer, name): (pk, manufacturer)
        for pk, manufacturer, name in DeviceModel.objects.values_list("id", "manufacturer", "name")
    }
    images: dict[tuple[str, str], int] = {}
    image_versions: dict[int, str] = {}
    images_any: dict[str, int] = {}
    for pk, academie, version in MasterImage.objects.order_by("academie", "id").values_list(
        "id", "academie", "version"
    ):
        images[(academie, version)] = pk
        image_versions[pk] = version
        images_any.setdefault(version, pk)
    devices = {row["serial_number"]: row for row in Device.objects.values("id", "serial_number", *_DEVICE_FIELDS)}
    tag_owner = {row["asset_tag"]: serial for serial, row in devices.items()}
    coverages: dict[int, dict[str, Any]] = {}
    for row in (
        WarrantyCoverage.objects.filter(kind=WarrantyCoverage.Kind.MANUFACTURER, contract_ref="")
        .order_by("-id")
        .values("id", "device_id", "provider", "starts_on", "ends_on")
    ):
        coverages[row["device_id"]] = row  # descending ids: the oldest one wins when there are several
    held = set(Assignment.objects.filter(returned_at__isnull=True).values_list("device_id", flat=True))

    statuses = _choice_map(Device.Status, _STATUS_ALIASES)
    new_models: dict[tuple[str, str], tuple[str, str]] = {}  # key -> (manufacturer, name) as first written
    new_model_warranties: dict[tuple[str, str], list[int]] = {}
    seen_serials: dict[str, int] = {}
    seen_tags: dict[str, int] = {}
    # Planned rows; model is a key into device_models or new_models until the models exist.
    device_create: list[dict[str, Any]] = []
    device_update: list[dict[str, Any]] = []
    coverage_plan: list[tuple[str, dict[str, Any], int | None]] = []  # (serial, values, coverage id)
    rejects: list[tuple[int, list[str]]] = []

    value = table.value
    for line, cells in _checking(table.rows, enabled=progress):
        problems: list[str] = []

        serial = normalise_serial(value(cells, "serial_number"))
        if not serial:
            problems.append(_missing(table, "serial_number"))
        elif serial in seen_serials:
            problems.append(
                _("serial number %(serial)s is also on line %(line)s")
                % {"serial": serial, "line": seen_serials[serial]}
            )
        else:
            seen_serials[serial] = line
            _check_length(
                serial, model=Device, field_name="serial_number", title=table.title("serial_number"), problems=problems
            )
        current = devices.get(serial)

        tag = value(cells, "asset_tag")
        if not tag:
            problems.append(_missing(table, "asset_tag"))
        elif tag in seen_tags:
            problems.append(_("asset tag %(tag)s is also on line %(line)s") % {"tag": tag, "line": seen_tags[tag]})
        else:
            seen_tags[tag] = line
            _check_length(tag, model=Device, field_name="asset_tag", title=table.title("asset_tag"), problems=problems)
            owner = tag_owner.get(tag)
            if owner is not None and owner != serial:
                problems.append(
                    _("asset tag %(tag)s already belongs to device %(serial)s") % {"tag": tag, "serial": owner}
                )

        manufacturer = " ".join(value(cells, "manufacturer").split())
        model_name = " ".join(value(cells, "model").split())
        model_key = _model_key(manufacturer, model_name)
        if not manufacturer:
            problems.append(_missing(table, "manufacturer"))
        if not model_name:
            problems.append(_missing(table, "model"))
        if manufacturer and model_name and model_key not in device_models:
            if create_models:
                for text, column, model_field in (
                    (manufacturer, "manufacturer", "manufacturer"),
                    (model_name, "model", "name"),
                ):
                    _check_length(
                        text, model=DeviceModel, field_name=model_field, title=table.title(column), problems=problems
                    )
            else:
                problems.append(
                    _("unknown model %(manufacturer)s %(model)s (import with --create-models to create it)")
                    % {"manufacturer": manufacturer, "model": model_name}
                )

        raw_uai = value(cells, "establishment_uai")
        uai = _normalise_uai(raw_uai)
        establishment_id, academie = None, None
        if uai and not _UAI.match(uai):
            problems.append(_("bad UAI format “%(uai)s” (7 digits and a letter, e.g. 0310024H)") % {"uai": raw_uai})
        elif uai and uai not in establishments:
            problems.append(_("unknown UAI %(uai)s: no such establishment") % {"uai": uai})
        elif uai:
            establishment_id, academie = establishments[uai]

        delivered_raw, warranty_raw = value(cells, "delivered_on"), value(cells, "warranty_end")
        delivered_on = warranty_end = None
        if delivered_raw:
            delivered_on = _parse_date(delivered_raw, title=table.title("delivered_on"), problems=problems)
        if warranty_raw:
            warranty_end = _parse_date(warranty_raw, title=table.title("warranty_end"), problems=problems)
            if not delivered_raw:
                problems.append(
                    _("%(end)s is given without %(start)s: the manufacturer warranty starts on delivery")
                    % {"end": table.title("warranty_end"), "start": table.title("delivered_on")}
                )
        if delivered_on and warranty_end and warranty_end < delivered_on:
            problems.append(
                _("warranty end %(end)s is before delivery %(start)s") % {"end": warranty_raw, "start": delivered_raw}
            )

        status = None
        raw_status = value(cells, "status")
        if raw_status:
            status = statuses.get(_fold(raw_status))
            if status is None:
                problems.append(_("unknown status “%(value)s”") % {"value": raw_status})
            elif current and current["id"] in held and status != Device.Status.ASSIGNED:
                # The open assignment says a student holds it; only returning it may change that.
                problems.append(
                    _("device %(serial)s is lent to a student: close the assignment before changing its status")
                    % {"serial": serial}
                )

        image_id = current["image_id"] if current else None
        version = value(cells, "image_version")
        if version:
            if academie:
                image_id = images.get((academie, version))
                if image_id is None:
                    problems.append(
                        _("unknown image version %(version)s for académie %(academie)s")
                        % {"version": version, "academie": Academie(academie).label}
                    )
            elif not (image_id and image_versions.get(image_id) == version):
                # At the depot any académie's image will do; keep the one it has if it matches.
                image_id = images_any.get(version)
                if image_id is None:
                    problems.append(_("unknown image version %(version)s") % {"version": version})

        if problems:
            _reject(report, rejects, line, cells, problems)
            continue

        if model_key not in device_models:
            # Only a valid row creates a model (with --create-models; otherwise it was an error).
            new_models.setdefault(model_key, (manufacturer, model_name))
            if delivered_on and warranty_end:
                new_model_warranties.setdefault(model_key, []).append(_months_between(delivered_on, warranty_end))
        planned = {
            "asset_tag": tag,
            "model_id": device_models[model_key][0] if model_key in device_models else model_key,
            "establishment_id": establishment_id,
            "status": status or (current["status"] if current else Device.Status.IN_STOCK),
            "image_id": image_id,
            "delivered_on": delivered_on or (current["delivered_on"] if current else None),
        }
        changed = current is None or any(current[name] != planned[name] for name in _DEVICE_FIELDS)

        coverage_changed = False
        if warranty_end:
            provider = device_models[model_key][1] if model_key in device_models else manufacturer
            wanted = {"provider": provider, "starts_on": delivered_on, "ends_on": warranty_end}
            existing_coverage = coverages.get(current["id"]) if current else None
            if existing_coverage is None or any(existing_coverage[k] != v for k, v in wanted.items()):
                coverage_changed = True
                coverage_plan.append((serial, wanted, existing_coverage["id"] if existing_coverage else None))

        if current is None:
            report.created += 1
            device_create.append({"serial_number": serial, **planned})
        elif changed or coverage_changed:
            report.updated += 1
            if changed:
                device_update.append({"id": current["id"], "serial_number": serial, **planned})
        else:
            report.unchanged += 1

    report.models_created = [f"{manufacturer} {name}" for manufacturer, name in new_models.values()]

    def write() -> None:
        DeviceModel.objects.bulk_create(
            DeviceModel(
                manufacturer=manufacturer,
                name=name,
                warranty_months=max(
                    1, round(statistics.median(new_model_warranties.get(key) or [DEFAULT_WARRANTY_MONTHS]))
                ),
            )
            for key, (manufacturer, name) in new_models.items()
        )
        model_ids = {
            _model_key(manufacturer, name): pk
            for pk, manufacturer, name in DeviceModel.objects.values_list("id", "manufacturer", "name")
        }

        for row in (*device_create, *device_update):
            if isinstance(row["model_id"], tuple):
                row["model_id"] = model_ids[row["model_id"]]

        total = len(device_create) + len(device_update) + len(coverage_plan)
        with _progress(enabled=progress, total=total, desc=_("Writing")) as bar:
            _insert_rows(
                model=Device, rows=device_create, fields=["serial_number", *_DEVICE_FIELDS], progress=bar.update
            )
            _update_rows(model=Device, rows=device_update, fields=list(_DEVICE_FIELDS), progress=bar.update)
            device_ids = {serial: row["id"] for serial, row in devices.items()}
            if device_create:
                device_ids.update(Device.objects.values_list("serial_number", "id"))
            coverage_fields = ["provider", "starts_on", "ends_on"]
            _insert_rows(
                model=WarrantyCoverage,
                rows=[
                    {
                        "device_id": device_ids[serial],
                        "kind": WarrantyCoverage.Kind.MANUFACTURER.value,
                        "contract_ref": "",
                        "claims_cap": None,
                        "claims_used": 0,
                        **wanted,
                    }
                    for serial, wanted, coverage_id in coverage_plan
                    if coverage_id is None
                ],
                fields=["device_id", "kind", "contract_ref", "claims_cap", "claims_used", *coverage_fields],
                progress=bar.update,
            )
            _update_rows(
                model=WarrantyCoverage,
                rows=[{"id": coverage_id, **wanted} for _serial, wanted, coverage_id in coverage_plan if coverage_id],
                fields=coverage_fields,
                progress=bar.update,
            )

    return _finish(
        report=report,
        table=table,
        rejects=rejects,
        rejects_path=rejects_path,
        write=write,
        has_work=bool(device_create or device_update or coverage_plan),
        started=started,
    )
