"""The demo world's parameters and the plain rows the fleet generator produces, keyed by natural keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from devices.models import DEPARTEMENT_ACADEMIE, Assignment, Role

# Parameters of the demo world

DEFAULT_SEED = 20260901
# Published on purpose; config.auth refuses demo accounts where DEMO_DATA_ALLOWED is off.
DEMO_PASSWORD = "demo"  # noqa: S105
SCHOOL_YEAR = 2026  # the demo's current school year is 2026-2027
DELIVERY_YEARS = (2023, 2024, 2025, 2026)
# Newer batches are bigger: the programme grew, and the 2023 batch is being worn out.
DELIVERY_YEAR_WEIGHTS = (15, 25, 28, 32)

REGION_ESTABLISHMENTS = 370  # the region's size
REGION_DEVICES = 61_000  # the region's size, depot included
REGION_DEPOT_DEVICES = 640
SMALL_DEVICES_PER_ESTABLISHMENT = 24
SMALL_DEPOT_DEVICES = 12
# One device in 32 is a spare (about 3 %), at a fixed position so that every establishment with four
# devices or more has one, at both scales.
SPARE_EVERY, SPARE_POSITION = 32, 3
# A device's global number is establishment index × 1000 + position (depot: 999 000 + position).
# Serial numbers and asset tags are bijections of it, hence unique by construction at any scale.
PER_ESTABLISHMENT = 1000
DEPOT_GID = 999 * PER_ESTABLISHMENT

DEPOT_ZONE_CODE = "depot-sav"
DEMO_STUDENT, DEMO_STAFF, DEMO_TECH = "demo-student", "demo-staff", "demo-tech"
DEMO_MANAGER, DEMO_STUDENT_OTHER = "demo-manager", "demo-student-other"
DEMO_USERNAMES = (DEMO_STUDENT, DEMO_STAFF, DEMO_TECH, DEMO_MANAGER, DEMO_STUDENT_OTHER)

PARIS = ZoneInfo("Europe/Paris")


class Scale(StrEnum):
    SMALL = "small"
    REGION = "region"


# Rows: what the generator produces


@dataclass(frozen=True, slots=True)
class ZoneRow:
    code: str
    name: str
    is_depot: bool = False


@dataclass(frozen=True, slots=True)
class EstablishmentRow:
    uai: str
    name: str
    city: str
    departement: str
    kind: str
    sector: str
    lycee_numerique: bool
    zone_code: str

    @property
    def academie(self) -> str:
        return DEPARTEMENT_ACADEMIE[self.departement]


@dataclass(frozen=True, slots=True)
class DeviceModelRow:
    manufacturer: str
    name: str
    warranty_months: int
    serial_prefix: str  # see serial_number

    @property
    def key(self) -> tuple[str, str]:
        return (self.manufacturer, self.name)


@dataclass(frozen=True, slots=True)
class ImageRow:
    academie: str
    version: str
    name: str
    released_on: dt.date
    program_count: int
    is_current: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.academie, self.version)


@dataclass(frozen=True, slots=True)
class PersonRow:
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    establishment_uai: str | None = None
    zone_code: str | None = None
    phone: str = ""
    is_active: bool = True
    is_demo: bool = False

    @property
    def is_staff(self) -> bool:
        # Technicians, managers and supervisors work in the admin for now.
        return self.role in (Role.TECHNICIAN, Role.MANAGER, Role.SUPERVISOR)


@dataclass(frozen=True, slots=True)
class DeviceRow:
    serial_number: str
    asset_tag: str
    model: tuple[str, str]
    establishment_uai: str | None
    status: str
    image: tuple[str, str] | None
    delivered_on: dt.date


@dataclass(frozen=True, slots=True)
class CoverageRow:
    serial_number: str
    kind: str
    provider: str
    contract_ref: str
    starts_on: dt.date
    ends_on: dt.date
    claims_cap: int | None = None
    claims_used: int = 0


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    serial_number: str
    student: str
    handed_over_at: dt.datetime
    handed_over_by: str | None
    channel: str = Assignment.Channel.ON_SITE
    tracking_number: str = ""
    returned_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CampaignRow:
    school_year: str
    establishment_uai: str
    target_students: int
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class DemoDataset:
    """Everything seed_demo writes, in dependency order; plain values, no database."""

    scale: Scale
    seed: int
    demo_establishment_uai: str
    other_establishment_uai: str
    zones: list[ZoneRow] = field(default_factory=list)
    establishments: list[EstablishmentRow] = field(default_factory=list)
    device_models: list[DeviceModelRow] = field(default_factory=list)
    images: list[ImageRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    devices: list[DeviceRow] = field(default_factory=list)
    coverages: list[CoverageRow] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)
    campaigns: list[CampaignRow] = field(default_factory=list)
    # The device each demo student holds (username → serial), for the summary and the tests.
    demo_devices: dict[str, str] = field(default_factory=dict)

    def row_count(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.zones,
                self.establishments,
                self.device_models,
                self.images,
                self.people,
                self.devices,
                self.coverages,
                self.assignments,
                self.campaigns,
            )
        )
