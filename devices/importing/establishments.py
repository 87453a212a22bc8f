"""Import of establishments, keyed on the UAI; the technician zones they name are created."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import devices.importing.writing as writing
from devices.importing.checks import Checking, Row
from devices.importing.columns import ESTABLISHMENT_COLUMNS
from devices.importing.progress import Progress
from devices.importing.reading import fold, read_table
from devices.importing.report import ImportReport
from devices.importing.values import BOOLEANS, KIND_ALIASES, SECTOR_ALIASES, choice_map, departement_map
from devices.models import DEPARTEMENT_ACADEMIE, Departement, Establishment, Zone

FIELDS = ("name", "city", "departement", "academie", "kind", "sector", "lycee_numerique", "zone")

UAI_AGAIN = gettext_lazy("UAI %(uai)s is also on line %(line)s")
DEFAULTS: dict[str, Any] = {
    "kind": Establishment.Kind.LGT,
    "sector": Establishment.Sector.PUBLIC,
    "lycee_numerique": False,
    "zone": None,
}


def establishments_import(
    *,
    path: Path | str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    rejects_path: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update establishments from a CSV file, keyed on the UAI; create missing zones.

    With invalid rows nothing is written unless `skip_invalid`, in which case the valid rows are
    written and the others go to the rejects file. Raises ImportFailed when the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    progress = progress or Progress()
    table = read_table(path, columns=ESTABLISHMENT_COLUMNS)
    report = ImportReport(path=path, rows=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)

    zone_codes = dict(Zone.objects.values_list("id", "code"))
    zone_by_key = {code.casefold(): code for code in zone_codes.values()}
    zone_by_name = {fold(name): code for code, name in Zone.objects.values_list("code", "name")}
    existing: dict[str, dict[str, Any]] = {}
    for row in Establishment.objects.values("id", "uai", *FIELDS[:-1], "zone_id"):
        row["zone"] = zone_codes.get(row.pop("zone_id"))
        existing[row["uai"]] = row

    mappings = {
        "kind": (
            choice_map(Establishment.Kind, KIND_ALIASES),
            _("unknown establishment kind “%(value)s”"),
            lambda: ", ".join(str(label) for label in Establishment.Kind.labels),
        ),
        "sector": (
            choice_map(Establishment.Sector, SECTOR_ALIASES),
            _("unknown sector “%(value)s” (public or private)"),
            lambda: ", ".join(str(label) for label in Establishment.Sector.labels),
        ),
        "lycee_numerique": (BOOLEANS, _("“%(value)s” is not yes or no"), lambda: _("yes, no")),
    }
    departements = departement_map()
    new_zones: dict[str, str] = {}  # code -> name
    seen: dict[str, int] = {}
    planned_rows: list[dict[str, Any]] = []
    checking = Checking(table=table, report=report, progress=progress)

    for row in checking:
        uai = row.uai("uai", required=True)
        if uai:
            row.once(uai, seen=seen, column="uai", message=UAI_AGAIN, params={"uai": uai})
        current = existing.get(uai)

        planned: dict[str, Any] = {
            name: row.text(name, required=True, limit=(Establishment, name)) for name in ("name", "city")
        }
        departement = row.value("departement")
        if not departement:
            row.missing("departement")
        else:
            planned["departement"] = row.choice(
                "departement",
                departements,
                message=_("unknown département “%(value)s”"),
                accepted=lambda: ", ".join(Departement.values),
            )
            # The bulk write skips Establishment.save(), which is where académie is usually derived.
            planned["academie"] = DEPARTEMENT_ACADEMIE.get(planned["departement"])

        for name, (mapping, message, accepted) in mappings.items():
            if not row.has(name):
                planned[name] = current[name] if current else DEFAULTS[name]
            elif not row.value(name):
                planned[name] = DEFAULTS[name]
            else:
                planned[name] = row.choice(name, mapping, message=message, accepted=accepted)

        planned["zone"] = _zone(row, current, zone_by_key=zone_by_key, zone_by_name=zone_by_name, new_zones=new_zones)

        if not row.ok:
            checking.reject(row)
        elif current is None:
            report.created += 1
            planned_rows.append({"uai": uai, **planned})
        elif any(current[name] != planned[name] for name in FIELDS):
            report.updated += 1
            planned_rows.append({"id": current["id"], "uai": uai, **planned})
        else:
            report.unchanged += 1

    # Only zones that a valid row uses are created.
    used_zones = {row["zone"] for row in planned_rows}
    report.zones_created = sorted(code for code in new_zones if code in used_zones)

    def write() -> None:
        Zone.objects.bulk_create([Zone(code=code, name=new_zones[code]) for code in report.zones_created])
        zone_ids = {code: pk for pk, code in Zone.objects.values_list("id", "code")}
        for planned in planned_rows:
            planned["zone_id"] = zone_ids.get(planned.pop("zone"))
        fields = [name for name in FIELDS if name != "zone"] + ["zone_id"]
        with progress.phase(_("Writing"), len(planned_rows)) as update:
            writing.upsert(
                model=Establishment, rows=planned_rows, unique_fields=["uai"], update_fields=fields, progress=update
            )

    return writing.finish(
        report=report,
        checking=checking,
        rejects_path=rejects_path,
        write=write,
        has_work=bool(planned_rows),
        started=started,
    )


def _zone(
    row: Row,
    current: dict[str, Any] | None,
    *,
    zone_by_key: dict[str, str],
    zone_by_name: dict[str, str],
    new_zones: dict[str, str],
) -> str | None:
    """The zone code the row names (an existing zone's code or name, or a new code), or None."""
    if not row.has("zone"):
        return current["zone"] if current else None
    raw = row.value("zone")
    if not raw:
        return None
    code = zone_by_key.get(raw.casefold()) or zone_by_name.get(fold(raw)) or slugify(raw)
    max_length = Zone._meta.get_field("code").max_length
    if not code or len(code) > max_length:
        row.fail(
            _("“%(value)s” cannot be a zone code (letters, digits and dashes, at most %(max)s)")
            % {"value": raw, "max": max_length}
        )
        return None
    if code.casefold() not in zone_by_key:
        new_zones.setdefault(code, raw)
    return zone_by_key.get(code.casefold(), code)
