"""What the ticket generator reads (the written fleet, as plain values) and what it writes (drafts).

The generator changes some of these values as the tickets it keeps would have changed the fleet:
a device goes to the workshop and back, is re-imaged, swapped; a spare is lent and collected, or
given for good; a protection's claims are used. The writer then stores the final values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from devices.models import Device, WarrantyCoverage
from repairs.models import TimelineEntry
from repairs.states import ReturnChannel, State


@dataclass(slots=True)
class Holding:
    """A student held the device from `start` until `end` (None: still holds it)."""

    pk: int | None  # None: an assignment the generator adds (a swap's replacement)
    student_id: int
    start: dt.datetime
    end: dt.datetime | None
    channel: str
    handed_over_by: int | None = None
    written_end: dt.datetime | None = None  # `end` as stored, to write back only what changed

    def __post_init__(self) -> None:
        self.written_end = self.end


@dataclass(frozen=True, slots=True)
class ImageInfo:
    pk: int
    academie: str
    version: str
    released_on: dt.date


@dataclass(slots=True)
class FleetDevice:
    """A device and what its tickets need: holders, coverages, where it is and what it runs."""

    pk: int
    serial: str
    status: str
    # Where its tickets are declared: its establishment, or for a retired laptop its last school.
    establishment_id: int | None
    manufacturer: str
    model: str
    delivered_on: dt.date | None
    image_id: int | None
    place_id: int | None = None  # Device.establishment, which a swap empties
    holdings: list[Holding] = field(default_factory=list)
    coverage_rows: list[dict] = field(default_factory=list)
    # Pool of a spare (its establishment, None for the depot); its loans and when a swap took it.
    loans: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    taken_at: dt.datetime | None = None
    written: tuple = ()
    _coverages: list[WarrantyCoverage] | None = None
    _instance: Device | None = None

    def __post_init__(self) -> None:
        self.written = self.state()

    def state(self) -> tuple[str, int | None, int | None]:
        return (self.status, self.place_id, self.image_id)

    def coverages(self) -> list[WarrantyCoverage]:
        # Unsaved instances built on first use: coverage_for reads them without a query.
        if self._coverages is None:
            self._coverages = [WarrantyCoverage(**row) for row in self.coverage_rows]
        return self._coverages

    def instance(self) -> Device:
        if self._instance is None:
            self._instance = Device(pk=self.pk, serial_number=self.serial)
        return self._instance

    def holding_at(self, at: dt.datetime) -> Holding | None:
        for holding in self.holdings:
            if holding.start <= at and (holding.end is None or at < holding.end):
                return holding
        return None

    def holder_at(self, at: dt.datetime) -> int | None:
        holding = self.holding_at(at)
        return holding.student_id if holding else None

    def free(self, start: dt.datetime, end: dt.datetime | None) -> bool:
        """Is this spare on the shelf from `start` until `end` (None: from then on)?"""
        if self.taken_at is not None and (end is None or end > self.taken_at):
            return False
        return not any((back is None or start < back) and (end is None or lent < end) for lent, back in self.loans)


@dataclass(frozen=True)
class DemoPeople:
    """The demo accounts' ids, and the places the demo scenarios play in."""

    tech_id: int | None
    staff_id: int | None
    establishment_id: int | None
    student_device_ids: frozenset[int]  # demo-student's laptop: one old repair at most
    quiet_device_ids: frozenset[int]  # demo-student-other's laptop: no ticket


@dataclass
class DemoFleet:
    devices: list[FleetDevice]  # without tickets yet, in the dataset's order
    establishments: dict[int, tuple[int | None, str]]  # id → (zone id, académie)
    technicians: dict[int, list[int]]  # zone id → technician ids
    depot_technicians: list[int]
    staff: dict[int, list[int]]  # establishment id → staff ids
    usernames: dict[int, str]  # technicians' usernames, for the "assign" entries
    images: dict[str, list[ImageInfo]]  # académie → images by release date
    spares: dict[int | None, list[FleetDevice]]  # pool (establishment id, None: the depot) → spares
    people: DemoPeople
    pin_demo_scenarios: bool  # the demo establishment has no ticket yet
    image_by_pk: dict[int, ImageInfo] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.image_by_pk = {image.pk: image for images in self.images.values() for image in images}


@dataclass(slots=True)
class EntryDraft:
    """A timeline entry as the service that writes it would: `fields` are what the person gave the
    service (its keyword arguments), `payload` what the service recorded."""

    at: dt.datetime
    actor_id: int | None
    kind: str
    name: str = ""
    source: str = ""
    target: str = ""
    note: str = ""
    payload: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)


@dataclass
class TicketDraft:
    device: FleetDevice
    reporter_id: int
    establishment_id: int | None
    category: str
    description: str
    declared_at: dt.datetime
    state: str = State.DECLARED
    entries: list[EntryDraft] = field(default_factory=list)
    assignee_id: int | None = None
    coverage: str = ""
    coverage_reason: str = ""
    warranty_id: int | None = None
    claim_counted: bool = False
    parts: list[str] = field(default_factory=list)
    rma_number: str = ""
    police_report: str = ""
    return_channel: str = ReturnChannel.ON_SITE
    carrier: str = ""
    tracking_number: str = ""
    first_responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    replacement: FleetDevice | None = None
    loaner: FleetDevice | None = None
    loaner_lent_at: dt.datetime | None = None
    loaner_due_on: dt.date | None = None
    loaner_returned_at: dt.datetime | None = None
    claim: WarrantyCoverage | None = None  # the protection whose claim start_repair or swap counts
    swap_holding: Holding | None = None  # the assignment a swap moves to the replacement
    reimages: list[tuple[FleetDevice, int]] = field(default_factory=list)  # (device, image id)

    @property
    def last_at(self) -> dt.datetime:
        return max(entry.at for entry in self.entries)

    @property
    def transitions(self) -> list[EntryDraft]:
        return [entry for entry in self.entries if entry.kind == TimelineEntry.Kind.TRANSITION]

    @property
    def saves(self) -> int:
        """How many times the services saved the ticket after declaring it (its `version`)."""
        return sum(entry.kind != TimelineEntry.Kind.DECLARED for entry in self.entries)
