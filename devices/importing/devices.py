"""Import of the fleet's laptops, keyed on the normalised serial number.

Blank optional cells never erase what the application knows: a device's status, master image and
delivery date, and its manufacturer warranty, are kept when the file leaves them blank (status and
image change through repairs, not spreadsheets). The one exception is the establishment of a
device: a blank UAI means the device is at the depot. An optional column that is absent
altogether keeps the current values too.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import devices.importing.writing as writing
from devices.importing.checks import Checking, Row
from devices.importing.columns import DEVICE_COLUMNS
from devices.importing.progress import Progress
from devices.importing.reading import read_table
from devices.importing.report import ImportReport
from devices.importing.values import STATUS_ALIASES, choice_map
from devices.models import (
    Academie,
    Assignment,
    Device,
    DeviceModel,
    Establishment,
    MasterImage,
    WarrantyCoverage,
    normalise_serial,
)

DEFAULT_WARRANTY_MONTHS = 36

FIELDS = ("asset_tag", "model_id", "establishment_id", "status", "image_id", "delivered_on")
COVERAGE_FIELDS = ["provider", "starts_on", "ends_on"]
SERIAL_AGAIN = gettext_lazy("serial number %(serial)s is also on line %(line)s")
TAG_AGAIN = gettext_lazy("asset tag %(tag)s is also on line %(line)s")
UNKNOWN_STATUS = gettext_lazy("unknown status “%(value)s”")


def model_key(manufacturer: str, name: str) -> tuple[str, str]:
    return " ".join(manufacturer.split()).casefold(), " ".join(name.split()).casefold()


def _months_between(start: dt.date, end: dt.date) -> int:
    # A warranty "from 01/09/2025 to 31/08/2028" is 36 months: count the last day in.
    return round(((end - start).days + 1) / 30.4375)


@dataclass
class _Fleet:
    """What the rows refer to, loaded once: checking 61,000 rows runs no query."""

    establishments: dict[str, tuple[int, str]]  # UAI -> (id, académie)
    models: dict[tuple[str, str], tuple[int, str]]  # model key -> (id, manufacturer as stored)
    images: dict[tuple[str, str], int]  # (académie, version) -> id
    image_versions: dict[int, str]
    images_any: dict[str, int]  # version -> an image of that version, for devices at the depot
    devices: dict[str, dict[str, Any]]  # serial -> current values
    tag_owner: dict[str, str]  # asset tag -> serial
    coverages: dict[int, dict[str, Any]]  # device id -> its manufacturer coverage
    held: set[int]  # devices a student holds
    statuses: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Fleet:
        images: dict[tuple[str, str], int] = {}
        image_versions: dict[int, str] = {}
        images_any: dict[str, int] = {}
        for pk, academie, version in MasterImage.objects.order_by("academie", "id").values_list(
            "id", "academie", "version"
        ):
            images[(academie, version)] = pk
            image_versions[pk] = version
            images_any.setdefault(version, pk)
        devices = {row["serial_number"]: row for row in Device.objects.values("id", "serial_number", *FIELDS)}
        coverages: dict[int, dict[str, Any]] = {}
        for row in (
            WarrantyCoverage.objects.filter(kind=WarrantyCoverage.Kind.MANUFACTURER, contract_ref="")
            .order_by("-id")
            .values("id", "device_id", "kind", "contract_ref", "claims_cap", "claims_used", *COVERAGE_FIELDS)
        ):
            coverages[row["device_id"]] = row  # descending ids: the oldest one wins when there are several
        return cls(
            establishments={
                uai: (pk, academie) for pk, uai, academie in Establishment.objects.values_list("id", "uai", "academie")
            },
            models={
                model_key(manufacturer, name): (pk, manufacturer)
                for pk, manufacturer, name in DeviceModel.objects.values_list("id", "manufacturer", "name")
            },
            images=images,
            image_versions=image_versions,
            images_any=images_any,
            devices=devices,
            tag_owner={row["asset_tag"]: serial for serial, row in devices.items()},
            coverages=coverages,
            held=set(Assignment.objects.filter(returned_at__isnull=True).values_list("device_id", flat=True)),
            statuses=choice_map(Device.Status, STATUS_ALIASES),
        )


@dataclass
class _Plan:
    devices: list[dict[str, Any]] = field(default_factory=list)  # model_id: an id, or a key of new_models
    coverages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (serial, coverage row)
    new_models: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # key -> as first written
    new_model_warranties: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    seen_serials: dict[str, int] = field(default_factory=dict)
    seen_tags: dict[str, int] = field(default_factory=dict)


def devices_import(
    *,
    path: Path | str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    create_models: bool = False,
    rejects_path: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update devices from a CSV file, keyed on the normalised serial number.

    Each row's `warranty_end` becomes the device's manufacturer coverage (kind manufacturer,
    provider the model's manufacturer, no contract reference) from `delivered_on`, updated in
    place on later imports. Unknown models are row errors unless `create_models`. With invalid
    rows nothing is written unless `skip_invalid`. Raises ImportFailed when the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    progress = progress or Progress()
    table = read_table(path, columns=DEVICE_COLUMNS)
    report = ImportReport(path=path, rows=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)
    fleet = _Fleet.load()
    plan = _Plan()
    checking = Checking(table=table, report=report, progress=progress)
    for row in checking:
        checking.tally(row, _check(row, fleet=fleet, plan=plan, create_models=create_models))
    report.models_created = [f"{manufacturer} {name}" for manufacturer, name in plan.new_models.values()]

    return writing.finish(
        report=report,
        checking=checking,
        rejects_path=rejects_path,
        write=lambda: _write(plan=plan, fleet=fleet, progress=progress),
        has_work=bool(plan.devices or plan.coverages),
        started=started,
    )


def _check(row: Row, *, fleet: _Fleet, plan: _Plan, create_models: bool) -> str | None:
    """Check one row and plan its writes: "created", "updated", "unchanged", or None if invalid."""
    serial = normalise_serial(row.value("serial_number"))
    if not serial:
        row.missing("serial_number")
    elif row.once(
        serial,
        seen=plan.seen_serials,
        column="serial_number",
        message=SERIAL_AGAIN,
        params={"serial": serial},
    ):
        row.check_length(serial, name="serial_number", model=Device, field_name="serial_number")
    current = fleet.devices.get(serial)

    tag = row.value("asset_tag")
    if not tag:
        row.missing("asset_tag")
    elif row.once(
        tag,
        seen=plan.seen_tags,
        column="asset_tag",
        message=TAG_AGAIN,
        params={"tag": tag},
    ):
        row.check_length(tag, name="asset_tag", model=Device, field_name="asset_tag")
        owner = fleet.tag_owner.get(tag)
        if owner is not None and owner != serial:
            row.fail(
                _("asset tag %(tag)s already belongs to device %(serial)s") % {"tag": tag, "serial": owner},
                cause=_("asset tag already used by another device"),
                hint=_("asset tags are unique: correct the file, or change the other device’s tag first."),
            )

    manufacturer = row.text("manufacturer", required=True)
    model_name = row.text("model", required=True)
    key = model_key(manufacturer, model_name)
    if manufacturer and model_name and key not in fleet.models:
        if create_models:
            row.check_length(manufacturer, name="manufacturer", model=DeviceModel, field_name="manufacturer")
            row.check_length(model_name, name="model", model=DeviceModel, field_name="name")
        else:
            row.fail(
                _("unknown model %(manufacturer)s %(model)s (import with --create-models to create it)")
                % {"manufacturer": manufacturer, "model": model_name},
                cause=_("unknown device model"),
                hint=_(
                    "import again with --create-models to create the models the file names, or create them in the "
                    "admin (Device models)."
                ),
            )

    uai = row.uai("establishment_uai", required=False, known=fleet.establishments)
    establishment_id, academie = fleet.establishments[uai] if uai else (None, None)

    delivered_on, warranty_end = row.date("delivered_on"), row.date("warranty_end")
    if row.value("warranty_end") and not row.value("delivered_on"):
        row.fail(
            _("%(end)s is given without %(start)s: the manufacturer warranty starts on delivery")
            % {"end": row.title("warranty_end"), "start": row.title("delivered_on")}
        )
    if delivered_on and warranty_end and warranty_end < delivered_on:
        row.fail(
            _("warranty end %(end)s is before delivery %(start)s")
            % {"end": row.value("warranty_end"), "start": row.value("delivered_on")},
            cause=_("warranty end before delivery"),
            hint=_("check both dates on these lines."),
        )

    status = _status(row, current, fleet=fleet, serial=serial)
    image_id = _image(row, current, fleet=fleet, academie=academie)
    if not row.ok:
        return None

    if key not in fleet.models:
        # Only a valid row creates a model (with --create-models; otherwise it was an error).
        plan.new_models.setdefault(key, (manufacturer, model_name))
        if delivered_on and warranty_end:
            plan.new_model_warranties.setdefault(key, []).append(_months_between(delivered_on, warranty_end))
    planned = {
        "asset_tag": tag,
        "model_id": fleet.models[key][0] if key in fleet.models else key,
        "establishment_id": establishment_id,
        "status": status or (current["status"] if current else Device.Status.IN_STOCK),
        "image_id": image_id,
        "delivered_on": delivered_on or (current["delivered_on"] if current else None),
    }
    changed = current is None or any(current[name] != planned[name] for name in FIELDS)
    if changed:
        plan.devices.append({"serial_number": serial, **planned, **({"id": current["id"]} if current else {})})

    coverage_changed = False
    if warranty_end:
        provider = fleet.models[key][1] if key in fleet.models else manufacturer
        wanted = {"provider": provider, "starts_on": delivered_on, "ends_on": warranty_end}
        existing = fleet.coverages.get(current["id"]) if current else None
        if existing is None or any(existing[name] != value for name, value in wanted.items()):
            coverage_changed = True
            base = existing or {
                "kind": WarrantyCoverage.Kind.MANUFACTURER.value,
                "contract_ref": "",
                "claims_cap": None,
                "claims_used": 0,
            }
            plan.coverages.append((serial, {**base, **wanted}))

    if current is None:
        return "created"
    return "updated" if changed or coverage_changed else "unchanged"


def _status(row: Row, current: dict[str, Any] | None, *, fleet: _Fleet, serial: str) -> str | None:
    if not row.value("status"):
        return None
    status = row.choice(
        "status",
        fleet.statuses,
        message=UNKNOWN_STATUS,
        accepted=lambda: ", ".join(str(label) for label in Device.Status.labels),
    )
    if status and current and current["id"] in fleet.held and status != Device.Status.ASSIGNED:
        # The open assignment says a student holds it; only returning it may change that.
        row.fail(
            _("device %(serial)s is lent to a student: close the assignment before changing its status")
            % {"serial": serial},
            cause=_("status change of a device a student holds"),
            hint=_("return the laptop first (close its assignment), or leave the status blank."),
        )
    return status


def _image(row: Row, current: dict[str, Any] | None, *, fleet: _Fleet, academie: str | None) -> int | None:
    image_id = current["image_id"] if current else None
    version = row.value("image_version")
    if not version:
        return image_id
    if academie:
        image_id = fleet.images.get((academie, version))
    elif not (image_id and fleet.image_versions.get(image_id) == version):
        image_id = fleet.images_any.get(version)  # at the depot any académie's image will do
    if image_id is None:
        if academie:
            message = _("unknown image version %(version)s for académie %(academie)s") % {
                "version": version,
                "academie": Academie(academie).label,
            }
        else:
            message = _("unknown image version %(version)s") % {"version": version}
        row.fail(
            message,
            cause=_("unknown master image version"),
            hint=_("import the master images first (manage.py import_images FILE.csv), or leave %(column)s blank.")
            % {"column": row.title("image_version")},
        )
    return image_id


def _write(*, plan: _Plan, fleet: _Fleet, progress: Progress) -> None:
    DeviceModel.objects.bulk_create(
        DeviceModel(
            manufacturer=manufacturer,
            name=name,
            warranty_months=max(
                1, round(statistics.median(plan.new_model_warranties.get(key) or [DEFAULT_WARRANTY_MONTHS]))
            ),
        )
        for key, (manufacturer, name) in plan.new_models.items()
    )
    if plan.new_models:
        model_ids = {
            model_key(manufacturer, name): pk
            for pk, manufacturer, name in DeviceModel.objects.values_list("id", "manufacturer", "name")
        }
        for planned in plan.devices:
            if isinstance(planned["model_id"], tuple):
                planned["model_id"] = model_ids[planned["model_id"]]

    with progress.phase(_("Writing"), len(plan.devices) + len(plan.coverages)) as update:
        writing.upsert(
            model=Device,
            rows=plan.devices,
            unique_fields=["serial_number"],
            update_fields=list(FIELDS),
            progress=update,
        )
        device_ids = {serial: row["id"] for serial, row in fleet.devices.items()}
        if any("id" not in planned for planned in plan.devices):
            device_ids.update(Device.objects.values_list("serial_number", "id"))
        writing.upsert(
            model=WarrantyCoverage,
            rows=[{**coverage, "device_id": device_ids[serial]} for serial, coverage in plan.coverages],
            unique_fields=["id"],
            update_fields=COVERAGE_FIELDS,
            progress=update,
        )
