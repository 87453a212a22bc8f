"""Demo tickets (SPEC §6: `seed_demo` writes "realistic tickets in every state"), a seed step of devices.demo.

The fleet must not import `repairs`, so RepairsConfig.ready() registers `seed_demo_tickets` with
`devices.demo.register_seed_step`; it runs after the fleet is written, in the same transaction.
Like the fleet, two halves:

- `load_demo_fleet` reads what the tickets need of the written fleet in a few `values()` queries,
  and `DemoTicketGenerator` turns it into `TicketDraft`s without touching the database. Each draft
  is a walk through `repairs.states.TRANSITIONS` from `declared`, timed in French working hours,
  with the fields and timeline payloads that repairs.services would have written on the way;
- `write_demo_tickets` numbers the drafts, inserts them with `bulk_create`, and applies in bulk the
  fleet effects the services would have had (devices in the workshop, re-images, claims used).

Idempotent per device: a device that has any ticket is left alone, and what happens to a device
is drawn from its own random stream (seed and serial number), never from its neighbours'. A second
run therefore adds nothing, and `region` after `small` adds tickets on the new devices only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import holidays
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from devices.demo import (
    DEMO_STAFF,
    DEMO_STUDENT,
    DEMO_STUDENT_OTHER,
    DEMO_TECH,
    PARIS,
    DemoDataset,
    SeedContext,
)
from devices.models import (
    Assignment,
    Device,
    Establishment,
    FaultCategory,
    MasterImage,
    Profile,
    Role,
    WarrantyCoverage,
)
from devices.selectors import CoverageAnswer, coverage_for
from repairs.models import ReferenceCounter, Ticket, TimelineEntry
from repairs.services import propose_priority
from repairs.states import FINAL_STATES, TRANSITIONS, Coverage, ReturnChannel, State, TransitionSpec

# --- Parameters of the demo's repair service ----------------------------------------------------

HISTORY_DAYS = 425  # about 14 months of tickets before the demo's present
WORK_START, WORK_END = 8, 18  # Monday to Friday, Europe/Paris, without French public holidays

# Faults per device and per year, by delivery batch: the oldest laptops break most, the newest
# have their teething troubles. About 20 % of the fleet a year overall.
FAULTS_PER_YEAR = {2023: 0.31, 2024: 0.25, 2025: 0.21, 2026: 0.24}
DEFAULT_FAULTS_PER_YEAR = 0.22
# Relative number of declarations per month: school holidays in summer, rush at the rentrée.
SEASON = {1: 1.0, 2: 0.85, 3: 1.0, 4: 0.85, 5: 1.05, 6: 0.8, 7: 0.2, 8: 0.1, 9: 1.25, 10: 1.1, 11: 1.05, 12: 0.8}
# Share of assigned laptops with a fault declared but not yet taken in: the open queue's front.
OPEN_DECLARED_SHARE, OPEN_AWAITING_DEVICE_SHARE = 0.0035, 0.0025
# How long before a planned open ticket its device's earlier tickets were all closed.
QUIET_BEFORE_OPEN = dt.timedelta(days=45)
# The fleet has about 1.3 % of its laptops in the workshop, each given an open ticket declared in the
# last weeks: more than the steady flow of faults leaves open. Dropping this share of the closed
# tickets of those weeks keeps the current month from showing half as many declarations again.
RECENT_DAYS, RECENT_THINNING = 30, 0.45

C = FaultCategory
CATEGORY_WEIGHTS: dict[str, int] = {
    C.SCREEN: 19,
    C.BATTERY: 17,
    C.KEYBOARD: 16,
    C.BOOT_SOFTWARE: 14,
    C.ACCIDENTAL_DAMAGE: 12,
    C.NETWORK: 8,
    C.OTHER: 8,
    C.LIQUID_DAMAGE: 5,
    # A laptop reported stolen or lost and found again: the ticket is cancelled. The thefts that
    # stood are the fleet's lost laptops (see DemoTicketGenerator._theft).
    C.THEFT_LOSS: 1,
}
# Out of 100 closed tickets, how many were closed without a fault and cancelled; the rest returned.
NO_FAULT_SHARE = {C.BOOT_SOFTWARE: 20, C.NETWORK: 24, C.OTHER: 12, C.BATTERY: 8}
DEFAULT_NO_FAULT_SHARE = 5
CANCELLED_SHARE = 6

# The workshop states, where the device is with a technician (Device.Status.IN_REPAIR).
WORKSHOP_STATES = frozenset(
    {
        State.DIAGNOSING,
        State.AWAITING_PARTS,
        State.IN_REPAIR,
        State.AT_MANUFACTURER,
        State.READY_FOR_RETURN,
        State.IN_TRANSIT,
    }
)
# The open ticket of a laptop the fleet has in the workshop: where it stands (weights).
WORKSHOP_GOALS = {
    State.DIAGNOSING: 18,
    State.AWAITING_PARTS: 28,
    State.IN_REPAIR: 18,
    State.AT_MANUFACTURER: 14,
    State.READY_FOR_RETURN: 15,
    State.IN_TRANSIT: 7,
}
# A recent ticket reaches its state this many days after its declaration (first guess)...
RECENT_AGE_DAYS: dict[str, tuple[float, float]] = {
    State.DECLARED: (0.05, 2.5),
    State.AWAITING_DEVICE: (2, 12),
    State.DIAGNOSING: (0.5, 5),
    State.AWAITING_PARTS: (3, 16),
    State.IN_REPAIR: (2, 12),
    State.AT_MANUFACTURER: (6, 25),
    State.READY_FOR_RETURN: (3, 15),
    State.IN_TRANSIT: (2, 8),
    State.RETURNED: (8, 25),
    State.CLOSED_NO_FAULT: (3, 12),
    State.CANCELLED: (2, 10),
}
# ...and stays there at most this long: nothing waits a month in transit.
MAX_DWELL_DAYS = {
    State.DECLARED: 3,
    State.AWAITING_DEVICE: 14,
    State.DIAGNOSING: 4,
    State.AWAITING_PARTS: 21,
    State.IN_REPAIR: 6,
    State.AT_MANUFACTURER: 22,
    State.READY_FOR_RETURN: 10,
    State.IN_TRANSIT: 4,
}

# Relative chances of the transitions possible at a step (those that can still reach the ticket's
# destination); parts and manufacturer trips depend on the fault, see _weight.
TRANSITION_WEIGHTS = {
    "start_diagnosis": 65,
    "request_device": 35,
    "receive_device": 1,
    "cancel": 140,  # from `declared`, most cancellations come before anyone asked for the device
    "close_no_fault": 1,
    "start_repair": 60,
    "receive_from_manufacturer": 1,
    "finish_repair": 85,
    "swap": 1,
    "ship": 11,
    "deliver": 1,
    "hand_over": 89,
}
PARTS_WEIGHT = {
    C.SCREEN: 50,
    C.KEYBOARD: 45,
    C.BATTERY: 45,
    C.BOOT_SOFTWARE: 6,
    C.NETWORK: 5,
    C.ACCIDENTAL_DAMAGE: 55,
    C.LIQUID_DAMAGE: 50,
    C.OTHER: 30,
}
MANUFACTURER_WEIGHT = {C.SCREEN: 14, C.KEYBOARD: 12, C.BATTERY: 14, C.BOOT_SOFTWARE: 4, C.NETWORK: 4, C.OTHER: 10}
WARRANTY_DECISIONS = frozenset({Coverage.MANUFACTURER, Coverage.EXTENDED})
# Laptops that get tickets: held ones, in the workshop, and lost or retired ones for their past.
TICKETED_STATUSES = frozenset(
    {Device.Status.ASSIGNED, Device.Status.IN_REPAIR, Device.Status.LOST, Device.Status.RETIRED}
)

# --- French demo data ------------------------------------------------------------------------------

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    C.SCREEN: (
        "L'écran reste noir au démarrage, mais on entend le ventilateur.",
        "Des lignes verticales de couleur apparaissent sur l'écran.",
        "L'affichage clignote quand on bouge l'écran.",
        "L'écran tactile ne réagit plus, ni au stylet ni aux doigts.",
        "Une tache sombre s'agrandit au milieu de l'écran.",
        "La luminosité ne se règle plus, l'écran est très sombre.",
        "Plein de pixels morts sur la moitié droite de l'écran.",
    ),
    C.KEYBOARD: (
        "La touche E ne fonctionne plus.",
        "Plusieurs touches de la rangée du haut ne répondent plus.",
        "Le pavé tactile ne réagit plus, je dois utiliser une souris.",
        "Le clic gauche du pavé tactile reste enfoncé.",
        "La barre d'espace se bloque une fois sur deux.",
        "Le clavier tape des lettres tout seul.",
        "Les touches Entrée et Retour arrière ne marchent plus.",
    ),
    C.BATTERY: (
        "Le chargeur ne charge plus.",
        "La batterie ne tient plus qu'une demi-heure.",
        "L'ordinateur s'éteint dès qu'on débranche le chargeur.",
        "Le voyant de charge ne s'allume plus.",
        "La batterie a gonflé, le boîtier se soulève sous le pavé tactile.",
        "Le câble du chargeur est abîmé près de la prise.",
        "La batterie reste bloquée à 0 % même branchée toute la nuit.",
    ),
    C.BOOT_SOFTWARE: (
        "L'ordinateur reste bloqué sur le logo au démarrage.",
        "Écran bleu à chaque démarrage.",
        "Windows demande une clé de récupération BitLocker.",
        "L'ordinateur redémarre en boucle après une mise à jour.",
        "Les logiciels du cartable numérique ne s'ouvrent plus.",
        "Impossible d'ouvrir ma session, le mot de passe est refusé.",
        "L'ordinateur met dix minutes à démarrer et se fige souvent.",
    ),
    C.NETWORK: (
        "Le Wi-Fi ne se connecte plus au réseau du lycée.",
        "Aucun réseau Wi-Fi n'est détecté.",
        "La connexion Wi-Fi se coupe toutes les cinq minutes.",
        "Le Wi-Fi fonctionne à la maison mais pas au lycée.",
        "L'icône Wi-Fi a disparu de la barre des tâches.",
    ),
    C.ACCIDENTAL_DAMAGE: (
        "L'ordinateur est tombé de mon sac, l'écran est fissuré.",
        "La charnière gauche est cassée, l'écran ne tient plus ouvert.",
        "Le coin du boîtier est enfoncé après une chute.",
        "Une touche a été arrachée et le clavier est abîmé.",
        "Le connecteur de charge est cassé, la prise ne tient plus.",
        "L'écran est fêlé après une chute dans l'escalier.",
    ),
    C.LIQUID_DAMAGE: (
        "J'ai renversé un verre d'eau sur le clavier.",
        "Du jus de fruit a coulé sur le clavier, plusieurs touches collent.",
        "L'ordinateur a pris la pluie dans mon sac et ne s'allume plus.",
        "Du café renversé sur le clavier, l'ordinateur s'est éteint.",
    ),
    C.THEFT_LOSS: (
        "Ordinateur volé dans le bus scolaire. Plainte déposée.",
        "Ordinateur volé au domicile lors d'un cambriolage.",
        "Ordinateur oublié dans le train, pas retrouvé aux objets trouvés.",
        "Sac volé au gymnase avec l'ordinateur dedans.",
        "Ordinateur perdu pendant une sortie scolaire.",
    ),
    C.OTHER: (
        "Le son ne sort plus des haut-parleurs.",
        "La webcam ne fonctionne plus en visio.",
        "Le port USB gauche ne reconnaît plus les clés.",
        "Le ventilateur fait un bruit très fort.",
        "Le micro ne fonctionne plus en cours de langues.",
        "L'ordinateur chauffe beaucoup sous le clavier.",
    ),
}
PARTS: dict[str, tuple[str, ...]] = {
    C.SCREEN: ("Dalle LCD {model}", "Nappe d'écran {model}"),
    C.KEYBOARD: ("Clavier AZERTY {model}", "Pavé tactile {model}"),
    C.BATTERY: ("Batterie {model}", "Chargeur USB-C 65 W"),
    C.BOOT_SOFTWARE: ("SSD NVMe 256 Go",),
    C.NETWORK: ("Carte Wi-Fi {model}",),
    C.ACCIDENTAL_DAMAGE: (
        "Coque d'écran {model}",
        "Charnières {model}",
        "Dalle LCD {model}",
        "Connecteur de charge {model}",
    ),
    C.LIQUID_DAMAGE: ("Carte mère {model}", "Clavier AZERTY {model}"),
    C.OTHER: ("Haut-parleurs {model}", "Webcam {model}", "Ventilateur {model}", "Carte fille USB {model}"),
}
NOTES: dict[str, tuple[str, ...]] = {
    # Most transitions go without a word; "" is drawn as often as it appears.
    "request_device": (
        "Merci de déposer l'ordinateur au CDI avec son chargeur.",
        "À déposer auprès du référent numérique.",
        "",
        "",
    ),
    "receive_device": ("Déposé au CDI.", "Déposé à la vie scolaire avec le chargeur.", "", ""),
    "start_diagnosis": ("", "", "", "Pris en charge à l'atelier."),
    "cancel": (
        "Le problème a disparu après un redémarrage.",
        "Déclaré en double.",
        "Finalement, tout fonctionne.",
        "L'élève a quitté l'établissement.",
        "",
    ),
    "close_no_fault": (
        "Aucun défaut constaté : tests matériels complets OK.",
        "Problème non reproduit après une journée de tests.",
        "Profil Wi-Fi du lycée réinstallé, connexion vérifiée avec l'élève.",
        "Mot de passe réinitialisé, la session s'ouvre.",
        "Pilotes mis à jour, tout fonctionne.",
        "Chargeur testé sur banc : il fonctionne, la prise de la salle était en cause.",
    ),
    "order_parts": ("", "", "Délai annoncé : une semaine.", "Commande passée chez le distributeur."),
    "send_to_manufacturer": (
        "Prise en charge sous garantie constructeur.",
        "Enlèvement par le transporteur demain.",
        "",
    ),
    "receive_from_manufacturer": ("Retour du constructeur, réparé.", "Carte mère remplacée par le constructeur.", ""),
    "finish_repair": ("Réparé et testé.", "", "", "Testé une heure en charge, RAS."),
    "swap": ("Remplacé par un ordinateur du parc de secours.",),
    "ship": ("Renvoyé au domicile de l'élève.", ""),
    "deliver": ("Livré, signé par la famille.", ""),
    "hand_over": ("Remis à l'élève.", "", ""),
    "start_repair": ("",),
}
CARRIERS = ("Colissimo", "Chronopost", "DPD")
RMA_PREFIXES = {"Dell": "SR", "Lenovo": "RMA-L", "HP": "HPRMA", "ASUS": "RMA-AS", "Acer": "RMA-AC"}


# --- What the generator reads and writes: plain values ------------------------------------------


@dataclass(frozen=True, slots=True)
class Holding:
    """A student held the device from `start` until `end` (None: still holds it)."""

    student_id: int
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ImageInfo:
    pk: int
    academie: str
    version: str
    released_on: dt.date


@dataclass(slots=True)
class FleetDevice:
    """A device without tickets, with what its tickets need. The generator updates `image_id` and the
    coverages' `claims_used` as its repairs re-image it and use claims, in the order they happen."""

    pk: int
    serial: str
    status: str
    # Where its tickets are declared: its establishment, or for a retired laptop its last school.
    establishment_id: int | None
    manufacturer: str
    model: str
    delivered_on: dt.date | None
    image_id: int | None
    holdings: list[Holding] = field(default_factory=list)
    coverage_rows: list[dict] = field(default_factory=list)
    _coverages: list[WarrantyCoverage] | None = None
    _instance: Device | None = None

    def coverages(self) -> list[WarrantyCoverage]:
        # Unsaved instances built on first use: coverage_for reads them without a query.
        if self._coverages is None:
            self._coverages = [WarrantyCoverage(**row) for row in self.coverage_rows]
        return self._coverages

    def instance(self) -> Device:
        if self._instance is None:
            self._instance = Device(pk=self.pk, serial_number=self.serial)
        return self._instance

    def holder_at(self, at: dt.datetime) -> int | None:
        for holding in self.holdings:
            if holding.start <= at and (holding.end is None or at < holding.end):
                return holding.student_id
        return None


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
    devices: list[FleetDevice]  # in the dataset's order
    establishments: dict[int, tuple[int | None, str]]  # id → (zone id, académie)
    technicians: dict[int, list[int]]  # zone id → technician ids
    depot_technicians: list[int]
    staff: dict[int, list[int]]  # establishment id → staff ids
    images: dict[str, list[ImageInfo]]  # académie → images by release date
    spares: dict[int | None, list[str]]  # establishment id (None: the depot) → spare serials
    people: DemoPeople
    pin_demo_scenarios: bool  # the demo establishment has no ticket yet
    image_by_pk: dict[int, ImageInfo] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.image_by_pk = {image.pk: image for images in self.images.values() for image in images}


@dataclass(slots=True)
class EntryDraft:
    at: dt.datetime
    actor_id: int | None
    kind: str
    name: str = ""
    source: str = ""
    target: str = ""
    note: str = ""
    payload: dict = field(default_factory=dict)


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
    # Fleet effects, applied to the FleetDevice once the draft is kept (see _keep).
    image_id: int | None = None
    claim: WarrantyCoverage | None = None

    @property
    def last_at(self) -> dt.datetime:
        return self.entries[-1].at

    @property
    def transitions(self) -> list[EntryDraft]:
        return [entry for entry in self.entries if entry.kind == TimelineEntry.Kind.TRANSITION]


@dataclass(frozen=True)
class _Pin:
    """A scenario played on a laptop of the demo establishment, so that the demo accounts see every
    state at any scale: demo-tech's queue, demo-staff's establishment."""

    goal: str
    category: str
    demo_tech: bool = True  # demo-tech does the technician's part (and is the assignee); else a colleague
    declared_by_staff: bool = False  # demo-staff declares it
    requested_by: str = ""  # "staff" (demo-staff) or "tech" asks for the device


PINS = (
    _Pin(State.DECLARED, C.SCREEN),
    _Pin(State.DECLARED, C.BATTERY, declared_by_staff=True),
    _Pin(State.AWAITING_DEVICE, C.KEYBOARD, requested_by="staff"),
    _Pin(State.AWAITING_DEVICE, C.NETWORK, requested_by="tech"),
    _Pin(State.DIAGNOSING, C.BOOT_SOFTWARE),
    _Pin(State.AWAITING_PARTS, C.SCREEN),
    _Pin(State.IN_REPAIR, C.KEYBOARD, demo_tech=False),
    _Pin(State.AT_MANUFACTURER, C.BATTERY),
    _Pin(State.READY_FOR_RETURN, C.SCREEN),
    _Pin(State.IN_TRANSIT, C.LIQUID_DAMAGE, demo_tech=False),
    _Pin(State.RETURNED, C.KEYBOARD),
    _Pin(State.CLOSED_NO_FAULT, C.NETWORK),
    _Pin(State.CANCELLED, C.OTHER),
)


# --- The state machine as a graph -----------------------------------------------------------------

ALL_TRANSITIONS = frozenset(spec.name for spec in TRANSITIONS)


@cache
def _reachable(allowed: frozenset[str]) -> dict[str, frozenset[str]]:
    """State → the states reachable from it (itself included) through the `allowed` transitions."""
    edges: dict[str, set[str]] = defaultdict(set)
    for spec in TRANSITIONS:
        if spec.name in allowed:
            for source in spec.sources:
                edges[str(source)].add(str(spec.target))
    reach = {}
    for state in State.values:
        seen, stack = {state}, [state]
        while stack:
            for target in edges[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        reach[state] = frozenset(seen)
    return reach


def allowed_transitions(*, category: str, decision: str) -> frozenset[str]:
    """What may happen to a ticket. A theft or loss is diagnosed and swapped, or cancelled when the
    laptop turns up. Other faults are never swapped here: a swap moves the holder's assignment, and
    the fleet's assignments are already written. The manufacturer only sees covered laptops."""
    if category == C.THEFT_LOSS:
        return frozenset({"start_diagnosis", "swap", "hand_over", "cancel"})
    allowed = ALL_TRANSITIONS - {"swap", "return_unrepaired"}  # no demo quote is refused
    if decision not in WARRANTY_DECISIONS:
        allowed -= {"send_to_manufacturer", "receive_from_manufacturer"}
    return allowed


# --- Working time -----------------------------------------------------------------------------------


class WorkCalendar:
    """Monday to Friday, 8:00 to 18:00 Europe/Paris, without French public holidays."""

    def __init__(self, *, years: Iterable[int]) -> None:
        self.closed = frozenset(holidays.France(years=list(years)))

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.closed

    def working_day_from(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def _opening(self, day: dt.date, rng: random.Random) -> dt.datetime:
        # Nobody starts at 8:00 sharp.
        return dt.datetime.combine(day, dt.time(WORK_START, rng.randrange(50)), tzinfo=PARIS)

    def next_open(self, at: dt.datetime, rng: random.Random) -> dt.datetime:
        """`at` if it falls in working hours, else the next opening."""
        day = at.date()
        if self.is_working_day(day) and WORK_START <= at.hour < WORK_END:
            return at
        if self.is_working_day(day) and at.hour < WORK_START:
            return self._opening(day, rng)
        return self._opening(self.working_day_from(day + dt.timedelta(days=1)), rng)

    def add_work_hours(self, at: dt.datetime, hours: float, rng: random.Random) -> dt.datetime:
        at = self.next_open(at, rng)
        remaining = dt.timedelta(hours=hours)
        while True:
            closing = at.replace(hour=WORK_END, minute=0, second=0, microsecond=0)
            if remaining <= closing - at:
                return (at + remaining).replace(second=0, microsecond=0)
            remaining -= closing - at
            at = self._opening(self.working_day_from(at.date() + dt.timedelta(days=1)), rng)

    def add_days(self, at: dt.datetime, days: float, rng: random.Random) -> dt.datetime:
        """`days` calendar days later, at a working time (carriers, manufacturers, students)."""
        later = at + dt.timedelta(days=days)
        day = later.date()
        if self.is_working_day(day) and WORK_START <= later.hour < WORK_END:
            return later.replace(second=0, microsecond=0)
        day = self.working_day_from(day if later.hour < WORK_START else day + dt.timedelta(days=1))
        return dt.datetime.combine(day, dt.time(rng.randint(WORK_START, WORK_END - 1), rng.randrange(60)), tzinfo=PARIS)

    def declaration_time(self, day: dt.date, *, student: bool, rng: random.Random) -> dt.datetime:
        """Staff declare at work; students often from home, in the evening or at the weekend."""
        if student and (not self.is_working_day(day) or rng.random() < 0.22):
            hour = rng.randint(17, 21) if self.is_working_day(day) else rng.randint(10, 20)
        else:
            day = self.working_day_from(day)
            hour = rng.choices(range(WORK_START, WORK_END), weights=(6, 10, 10, 9, 6, 7, 9, 9, 7, 4))[0]
        return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=PARIS)


def _hours(rng: random.Random, median: float, low: float, high: float) -> float:
    """A skewed duration: most tasks are quick, a few drag on."""
    return min(high, max(low, rng.lognormvariate(math.log(median), 0.8)))


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, k, p = math.exp(-mean), 0, rng.random()
    while p > threshold:
        k += 1
        p *= rng.random()
    return k


# --- The generator ----------------------------------------------------------------------------------


class DemoTicketGenerator:
    """Drafts the tickets of a DemoFleet. No database: same fleet, seed and `now`, same drafts."""

    def __init__(self, *, fleet: DemoFleet, seed: int, now: dt.datetime) -> None:
        self.fleet = fleet
        self.seed = seed
        self.now = now.astimezone(PARIS)
        self.window_start = self.now - dt.timedelta(days=HISTORY_DAYS)
        self.calendar = WorkCalendar(years=range(self.window_start.year - 1, self.now.year + 2))
        people = fleet.people
        self.colleagues = [
            tech
            for tech in fleet.technicians.get(self._zone(people.establishment_id) or 0, [])
            if tech != people.tech_id
        ]

    def generate(self) -> list[TicketDraft]:
        pins = self._place_pins() if self.fleet.pin_demo_scenarios else {}
        drafts: list[TicketDraft] = []
        for device in self.fleet.devices:
            drafts.extend(self._device_tickets(device, pin=pins.get(device.pk)))
        return drafts

    # One device: its past repairs, then what is going on now.

    def _device_tickets(self, device: FleetDevice, *, pin: _Pin | None) -> list[TicketDraft]:
        rng = random.Random(f"{self.seed}:tickets:{device.serial}")
        people = self.fleet.people
        if device.pk in people.quiet_device_ids:
            return []
        if device.pk in people.student_device_ids:
            return self._demo_student_repair(rng, device)
        if device.establishment_id is None or not device.holdings or device.status not in TICKETED_STATUSES:
            return []  # the depot's own laptops, spares, laptops nobody collected: no school declares on them
        end = self.now
        if device.status in (Device.Status.LOST, Device.Status.RETIRED):
            end = min(end, device.holdings[-1].end or end)  # lost, or handed back for good
        theft = device.status == Device.Status.LOST and self.window_start < end <= self.now
        planned: tuple[str, str] | None = None
        if pin is not None:
            planned = (pin.goal, pin.category)
        elif device.status == Device.Status.IN_REPAIR:
            planned = self._workshop_plan(rng, device)
        elif device.status == Device.Status.ASSIGNED:
            u = rng.random()
            if u < OPEN_DECLARED_SHARE:
                planned = (State.DECLARED, self._category(rng, open_ticket=True))
            elif u < OPEN_DECLARED_SHARE + OPEN_AWAITING_DEVICE_SHARE:
                planned = (State.AWAITING_DEVICE, self._category(rng, open_ticket=True))
        history_end = end
        if planned is not None:
            history_end = end - QUIET_BEFORE_OPEN
        elif theft:
            history_end = end - dt.timedelta(days=2)
        start = max(self.window_start, device.holdings[0].start)
        drafts = self._history(rng, device, start=start, end=history_end)
        not_before = drafts[-1].last_at + dt.timedelta(days=1) if drafts else start
        last = None
        if theft:
            last = self._theft(rng, device, at=end)
        elif planned is not None:
            goal, category = planned
            last = self._recent(rng, device, goal=goal, category=category, not_before=not_before, pin=pin)
            if last is None and device.status == Device.Status.IN_REPAIR:
                # The workshop holds it for some ticket: at least one just being diagnosed.
                last = self._recent(rng, device, goal=State.DIAGNOSING, category=category, not_before=not_before)
        if last is not None:
            drafts.append(self._keep(last))
        return drafts

    def _history(
        self, rng: random.Random, device: FleetDevice, *, start: dt.datetime, end: dt.datetime
    ) -> list[TicketDraft]:
        """Closed tickets declared between `start` and `end`, one after the other, all closed by `end`."""
        if end <= start:
            return []
        years = (end - start).total_seconds() / (365.25 * 86400)
        rate = FAULTS_PER_YEAR.get(device.delivered_on.year if device.delivered_on else 0, DEFAULT_FAULTS_PER_YEAR)
        days = sorted(self._season_day(rng, start, end) for _ in range(_poisson(rng, rate * years)))
        drafts: list[TicketDraft] = []
        not_before = start
        for drawn in days:
            if (self.now.date() - drawn).days < RECENT_DAYS and rng.random() < RECENT_THINNING:
                continue
            day = max(drawn, not_before.date() + dt.timedelta(days=1))
            category = self._category(rng, open_ticket=False)
            goal = self._outcome(rng, category)
            reporter, student = self._reporter(rng, device, day)
            if reporter is None:
                continue
            declared_at = self.calendar.declaration_time(day, student=student, rng=rng)
            draft = self._simulate(
                rng, device, declared_at=declared_at, category=category, goal=goal, reporter_id=reporter, limit=end
            )
            if draft is None:
                break  # not closed by `end`: the later ones would not be either
            drafts.append(self._keep(draft))
            # The next fault comes days or weeks after this one was sorted out.
            not_before = draft.last_at + dt.timedelta(days=rng.uniform(1, 20))
        return drafts

    def _recent(
        self,
        rng: random.Random,
        device: FleetDevice,
        *,
        goal: str,
        category: str,
        not_before: dt.datetime,
        pin: _Pin | None = None,
    ) -> TicketDraft | None:
        """A ticket declared recently that has just reached `goal`: declared early enough to get there
        by now, late enough not to have sat there longer than it plausibly would."""
        low, high = RECENT_AGE_DAYS[goal]
        age, fallback = rng.uniform(low, high), None
        max_dwell = dt.timedelta(days=MAX_DWELL_DAYS.get(goal, 10_000))
        people = self.fleet.people
        for _attempt in range(10):
            day = (self.now - dt.timedelta(days=age)).date()
            reporter, student = self._reporter(rng, device, day)
            if pin is not None and pin.declared_by_staff and people.staff_id:
                reporter, student = people.staff_id, False
            if reporter is None:
                return None
            declared_at = self.calendar.declaration_time(day, student=student, rng=rng)
            if declared_at < not_before:
                age *= 0.7
                continue
            draft = None
            if declared_at <= self.now:
                draft = self._simulate(
                    rng,
                    device,
                    declared_at=declared_at,
                    category=category,
                    goal=goal,
                    reporter_id=reporter,
                    limit=self.now,
                    pin=pin,
                )
            if draft is None:
                age = age * 1.5 + 0.5  # not there yet by now: declare it earlier
                continue
            if goal in FINAL_STATES or self.now - draft.last_at <= max_dwell:
                return draft
            fallback = fallback or draft
            age *= 0.7
        return fallback

    def _theft(self, rng: random.Random, device: FleetDevice, *, at: dt.datetime) -> TicketDraft | None:
        """The fleet's lost laptop: declared when its holder's assignment ended, replaced from a spare."""
        staff = self.fleet.staff.get(device.establishment_id, [])
        holder = device.holder_at(at - dt.timedelta(minutes=1))
        reporter = holder if holder and (not staff or rng.random() < 0.7) else (rng.choice(staff) if staff else None)
        if reporter is None or not (self.fleet.spares.get(device.establishment_id) or self.fleet.spares.get(None)):
            return None  # no spare to swap it for: ticket_swap would refuse too
        report = self._police_report(rng, at) if rng.random() < 0.6 else ""
        return self._simulate(
            rng,
            device,
            declared_at=at,
            category=C.THEFT_LOSS,
            goal=State.RETURNED,
            reporter_id=reporter,
            limit=self.now,
            police_report=report,
        )

    def _demo_student_repair(self, rng: random.Random, device: FleetDevice) -> list[TicketDraft]:
        """demo-student's laptop: one keyboard repaired weeks ago and nothing open, so that a demo (or an
        acceptance test) can declare any fault on it."""
        if not device.holdings:
            return []
        holding = device.holdings[-1]
        for _attempt in range(5):
            day = (holding.start + dt.timedelta(days=rng.uniform(10, 25))).date()
            declared_at = self.calendar.declaration_time(day, student=False, rng=rng)
            draft = self._simulate(
                rng,
                device,
                declared_at=declared_at,
                category=C.KEYBOARD,
                goal=State.RETURNED,
                reporter_id=holding.student_id,
                limit=self.now - dt.timedelta(days=7),
                description="La touche E ne fonctionne plus.",
                pin=_Pin(State.RETURNED, C.KEYBOARD),
            )
            if draft is not None:
                return [self._keep(draft)]
        return []

    # One ticket: a walk through the state machine.

    def _simulate(
        self,
        rng: random.Random,
        device: FleetDevice,
        *,
        declared_at: dt.datetime,
        category: str,
        goal: str,
        reporter_id: int,
        limit: dt.datetime,
        pin: _Pin | None = None,
        description: str = "",
        police_report: str = "",
    ) -> TicketDraft | None:
        """Walk from `declared` to `goal`, or None if some step would come after `limit` or `goal`
        cannot be reached. Fleet effects are only noted on the draft (see _keep)."""
        tech = self._technician(rng, device, pin)
        if tech is None:
            return None
        on = timezone.localdate(declared_at)
        answer = coverage_for(device=device.instance(), on=on, category=category, coverages=device.coverages())
        allowed = allowed_transitions(category=category, decision=answer.decision)
        reach = _reachable(allowed)
        if goal not in reach[State.DECLARED]:
            return None
        description = description or rng.choice(DESCRIPTIONS[category])
        draft = TicketDraft(
            device=device,
            reporter_id=reporter_id,
            establishment_id=device.establishment_id,
            category=category,
            description=description,
            declared_at=declared_at,
            police_report=police_report,
        )
        draft.entries.append(
            EntryDraft(
                at=declared_at,
                actor_id=reporter_id,
                kind=TimelineEntry.Kind.DECLARED,
                target=State.DECLARED,
                note=description,
            )
        )
        state, at, done = str(State.DECLARED), declared_at, Counter()
        while state != goal:
            options = [
                spec
                for spec in TRANSITIONS
                if state in spec.sources and spec.name in allowed and goal in reach[spec.target]
            ]
            if not options or len(draft.entries) > 16:
                return None
            weights = [self._weight(spec.name, source=state, category=category, done=done) for spec in options]
            if goal not in FINAL_STATES:
                # A ticket stopped midway mostly took the direct road there, not the scenic one.
                weights = [w * (4 if spec.target == goal else 1) for w, spec in zip(weights, options, strict=True)]
            spec = rng.choices(options, weights=weights if any(weights) else None)[0]
            at = self._after(rng, at, name=spec.name, source=state)
            if at > limit:
                return None
            actor = self._actor(rng, spec.name, draft=draft, tech=tech, pin=pin)
            self._fire(rng, draft, spec, source=state, at=at, actor_id=actor, answer=answer)
            state = str(spec.target)
            done[spec.name] += 1
        draft.state = state
        draft.assignee_id = self._assignee(rng, draft, tech=tech, pin=pin)
        return draft

    def _fire(
        self,
        rng: random.Random,
        draft: TicketDraft,
        spec: TransitionSpec,
        *,
        source: str,
        at: dt.datetime,
        actor_id: int,
        answer: CoverageAnswer,
    ) -> None:
        """What repairs.services._fire and the service of `spec` would have recorded: the fields, then
        the entry with the same payload keys (arguments first, then what the service prepared)."""
        name, payload = spec.name, {}
        note = rng.choice(NOTES.get(name, ("",)))
        if name in ("start_diagnosis", "receive_device"):
            draft.coverage = answer.decision
            draft.warranty_id = answer.coverage.pk if answer.coverage else None
            draft.coverage_reason = "\n".join([answer.reason, *answer.considered])
            payload["coverage_proposed"] = answer.decision
            if draft.claim is None and answer.coverage is not None and answer.decision == Coverage.ACCIDENTAL:
                draft.claim = answer.coverage  # counted at start_repair or swap, below
        elif name == "close_no_fault":
            payload["note"] = note
        elif name == "order_parts":
            choices = PARTS[draft.category]
            parts = rng.sample(choices, k=2 if len(choices) > 1 and rng.random() < 0.2 else 1)
            parts = [part.format(model=draft.device.model) for part in parts]
            draft.parts = [*draft.parts, *parts]
            payload["parts"] = parts
        elif name == "send_to_manufacturer":
            prefix = RMA_PREFIXES.get(draft.device.manufacturer, "RMA")
            draft.rma_number = f"{prefix}{rng.randrange(10**8):08d}"
            payload["rma_number"] = draft.rma_number
        elif name == "finish_repair":
            payload.update(self._image_check(draft, at=at))
        elif name == "swap":
            if not draft.police_report:
                draft.police_report = self._police_report(rng, at)
                payload["police_report"] = draft.police_report
            spares = self.fleet.spares.get(draft.establishment_id) or self.fleet.spares[None]
            # The replacement is named, not linked: the fleet's assignments are already written.
            payload["replacement"] = rng.choice(spares)
        elif name == "ship":
            draft.carrier = rng.choice(CARRIERS)
            draft.tracking_number = self._tracking_number(rng, draft.carrier)
            draft.return_channel = ReturnChannel.CARRIER
            payload.update(carrier=draft.carrier, tracking_number=draft.tracking_number)
        if name in ("start_repair", "swap") and draft.claim is not None and not draft.claim_counted:
            draft.claim_counted = True
            payload["claim_counted"] = True
        if name == "swap" and (holder := draft.device.holder_at(at)):
            payload["student"] = holder
        if draft.first_responded_at is None and name in ("start_diagnosis", "request_device"):
            draft.first_responded_at = at
        if spec.target in FINAL_STATES:
            draft.resolved_at = at
        draft.entries.append(
            EntryDraft(
                at=at,
                actor_id=actor_id,
                kind=TimelineEntry.Kind.TRANSITION,
                name=name,
                source=source,
                target=spec.target,
                note=note,
                payload=payload,
            )
        )

    def _image_check(self, draft: TicketDraft, *, at: dt.datetime) -> dict:
        """finish_repair hands back a laptop on the académie's image of the day, re-imaged if it ran an
        older one (repairs.services._image_check). Never moves a laptop back to an older image."""
        academie = self.fleet.establishments[draft.establishment_id][1]
        images = self.fleet.images.get(academie, [])
        position = bisect.bisect_right([image.released_on for image in images], at.date())
        if position == 0:
            return {}
        current = images[position - 1]
        mine = self.fleet.image_by_pk.get(draft.device.image_id or 0)
        if mine is not None and mine.academie == academie and mine.released_on >= current.released_on:
            return {}
        draft.image_id = current.pk
        return {
            "reimaged": {"device": draft.device.serial, "from": mine.version if mine else None, "to": current.version}
        }

    @staticmethod
    def _keep(draft: TicketDraft) -> TicketDraft:
        """Apply a kept draft's effects to the device, so that its later tickets see them."""
        if draft.image_id is not None:
            draft.device.image_id = draft.image_id
        if draft.claim_counted and draft.claim is not None:
            draft.claim.claims_used += 1
        return draft

    # Small decisions.

    def _after(self, rng: random.Random, at: dt.datetime, *, name: str, source: str) -> dt.datetime:
        """When `name` fires, `at` being when the ticket entered `source`."""
        cal = self.calendar
        match name:
            case "start_diagnosis":
                return cal.add_work_hours(at, _hours(rng, 5, 0.3, 45), rng)
            case "request_device":
                return cal.add_work_hours(at, _hours(rng, 3, 0.2, 30), rng)
            case "receive_device":
                return cal.add_days(at, min(14.0, 1 + rng.expovariate(1 / 3)), rng)
            case "cancel" if source == State.AWAITING_DEVICE:
                return cal.add_days(at, rng.uniform(2, 12), rng)
            case "cancel":
                return cal.add_work_hours(at, rng.uniform(0.5, 30), rng)
            case "start_repair" if source == State.AWAITING_PARTS:
                return cal.add_days(at, min(20.0, 2 + rng.expovariate(1 / 4)), rng)  # parts lead time
            case "receive_from_manufacturer":
                return cal.add_days(at, rng.uniform(7, 21), rng)  # a manufacturer's round trip
            case "deliver":
                return cal.add_days(at, rng.uniform(1, 3), rng)
            case "hand_over":
                return cal.add_work_hours(at, _hours(rng, 12, 0.5, 80), rng)  # the student comes by
            case "send_to_manufacturer" | "swap":
                return cal.add_work_hours(at, _hours(rng, 6, 0.5, 30), rng)
            case _:  # workshop steps: start_repair, order_parts, finish_repair, close_no_fault, ship
                return cal.add_work_hours(at, _hours(rng, 4, 0.2, 30), rng)

    @staticmethod
    def _weight(name: str, *, source: str, category: str, done: Mapping[str, int]) -> float:
        if name == "order_parts":
            # More parts at diagnosis than once the laptop is open; rarely a second order.
            return PARTS_WEIGHT.get(category, 10) * (0.25 if source == State.IN_REPAIR else 1) * 0.15 ** done[name]
        if name == "send_to_manufacturer":
            if done[name]:
                return 0
            return MANUFACTURER_WEIGHT.get(category, 0) * (0.3 if source == State.IN_REPAIR else 1)
        return TRANSITION_WEIGHTS[name]

    def _actor(self, rng: random.Random, name: str, *, draft: TicketDraft, tech: int, pin: _Pin | None) -> int:
        """Who fires `name`, among those repairs.states.TRANSITIONS allows."""
        people = self.fleet.people
        staff = self.fleet.staff.get(draft.establishment_id, [])
        if pin is not None and pin.requested_by and name == "request_device":
            return people.staff_id if pin.requested_by == "staff" and people.staff_id else tech
        u = rng.random()
        if name == "cancel":
            return draft.reporter_id if u < 0.55 or not staff else rng.choice(staff) if u < 0.8 else tech
        if name in ("request_device", "receive_device", "hand_over", "deliver") and staff:
            share = {"request_device": 0.4, "receive_device": 0.55, "hand_over": 0.45, "deliver": 0.3}[name]
            if u < share:
                return rng.choice(staff)
        if name in ("ship", "deliver") and self.fleet.depot_technicians and rng.random() < 0.3:
            return rng.choice(self.fleet.depot_technicians)  # the depot ships returns too
        return tech

    def _assignee(self, rng: random.Random, draft: TicketDraft, *, tech: int, pin: _Pin | None) -> int | None:
        """The technician who diagnosed, for most tickets past `declared`."""
        names = {entry.name: entry.actor_id for entry in draft.transitions}
        if "start_diagnosis" in names or "receive_device" in names:
            return tech if pin is not None or rng.random() < 0.95 else None
        if names.get("request_device") == tech:
            return tech if pin is not None or rng.random() < 0.7 else None
        if draft.state == State.DECLARED and pin is None and rng.random() < 0.12:
            return tech  # taken, not started yet
        return None

    def _technician(self, rng: random.Random, device: FleetDevice, pin: _Pin | None) -> int | None:
        people = self.fleet.people
        if pin is not None:
            if pin.demo_tech and people.tech_id:
                return people.tech_id
            if self.colleagues:
                return rng.choice(self.colleagues)
        zone = self._zone(device.establishment_id)
        pool = self.fleet.technicians.get(zone or 0) or self.fleet.depot_technicians
        return rng.choice(pool) if pool else None

    def _zone(self, establishment_id: int | None) -> int | None:
        return self.fleet.establishments.get(establishment_id or 0, (None, ""))[0]

    def _reporter(self, rng: random.Random, device: FleetDevice, day: dt.date) -> tuple[int | None, bool]:
        """The student holding the laptop that day, or now and then a staff member of its school."""
        holder = device.holder_at(dt.datetime.combine(day, dt.time(12), tzinfo=PARIS))
        staff = self.fleet.staff.get(device.establishment_id, [])
        if holder is not None and (not staff or rng.random() < 0.82):
            return holder, True
        return (rng.choice(staff), False) if staff else (holder, holder is not None)

    def _season_day(self, rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.date:
        span = (end - start).total_seconds()
        top = max(SEASON.values())
        while True:
            day = (start + dt.timedelta(seconds=rng.random() * span)).date()
            if rng.random() * top < SEASON[day.month]:
                return day

    @staticmethod
    def _category(rng: random.Random, *, open_ticket: bool) -> str:
        weights = {k: w for k, w in CATEGORY_WEIGHTS.items() if not (open_ticket and k == C.THEFT_LOSS)}
        return rng.choices(list(weights), weights=list(weights.values()))[0]

    @staticmethod
    def _outcome(rng: random.Random, category: str) -> str:
        if category == C.THEFT_LOSS:
            return State.CANCELLED  # found again; see CATEGORY_WEIGHTS
        u = rng.random() * 100
        if u < CANCELLED_SHARE:
            return State.CANCELLED
        if u < CANCELLED_SHARE + NO_FAULT_SHARE.get(category, DEFAULT_NO_FAULT_SHARE):
            return State.CLOSED_NO_FAULT
        return State.RETURNED

    def _workshop_plan(self, rng: random.Random, device: FleetDevice) -> tuple[str, str]:
        """Where the open ticket of a laptop in the workshop stands; the manufacturer only for covered faults."""
        category = self._category(rng, open_ticket=True)
        goal = rng.choices(list(WORKSHOP_GOALS), weights=list(WORKSHOP_GOALS.values()))[0]
        if goal == State.AT_MANUFACTURER and not self._covered(device, category):
            goal = State.AWAITING_PARTS
        return goal, category

    def _covered(self, device: FleetDevice, category: str) -> bool:
        on = (self.now - dt.timedelta(days=15)).date()
        answer = coverage_for(device=device.instance(), on=on, category=category, coverages=device.coverages())
        return answer.decision in WARRANTY_DECISIONS

    def _place_pins(self) -> dict[int, _Pin]:
        """Laptops of the demo establishment for the scenarios of PINS: held, and for the workshop
        states preferably already in the workshop; the first that fit, in the dataset's order, so that
        `small` and `region` pick the same ones."""
        people = self.fleet.people
        candidates = [
            device
            for device in self.fleet.devices
            if device.establishment_id == people.establishment_id
            and device.pk not in people.student_device_ids | people.quiet_device_ids
            and device.holdings
            and device.holdings[-1].end is None
        ]
        pins: dict[int, _Pin] = {}
        for pin in PINS:
            statuses = (
                (Device.Status.IN_REPAIR, Device.Status.ASSIGNED)
                if pin.goal in WORKSHOP_STATES
                else (Device.Status.ASSIGNED,)
            )
            for status in statuses:
                device = next(
                    (
                        d
                        for d in candidates
                        if d.pk not in pins
                        and d.status == status
                        and (pin.goal != State.AT_MANUFACTURER or self._covered(d, pin.category))
                    ),
                    None,
                )
                if device is not None:
                    pins[device.pk] = pin
                    break
        return pins

    @staticmethod
    def _police_report(rng: random.Random, at: dt.datetime) -> str:
        return f"PV {at.year}/{rng.randrange(1, 10**6):06d}"

    @staticmethod
    def _tracking_number(rng: random.Random, carrier: str) -> str:
        if carrier == "Colissimo":
            return f"6A{rng.randrange(10**11):011d}"
        if carrier == "Chronopost":
            return f"XW{rng.randrange(10**9):09d}FR"
        return f"{rng.randrange(10**14):014d}"


# --- Reading the fleet ----------------------------------------------------------------------------------


def demo_now(dataset: DemoDataset) -> dt.datetime:
    """The demo's present: the wall clock, so that the open queue is as fresh as the day seed_demo
    ran (due dates and "at risk" then mean something), but never before the fleet's last recorded
    event (a laptop handed over, a loss declared), which the tickets must follow."""
    latest = max(
        (a.returned_at or a.handed_over_at for a in dataset.assignments),
        default=dt.datetime(2000, 1, 1, tzinfo=PARIS),
    )
    return max(timezone.now(), latest + dt.timedelta(days=1))


def load_demo_fleet(ctx: SeedContext) -> DemoFleet:
    """The devices of the dataset that have no ticket yet, with their holders, coverages and people
    around them: a dozen queries whatever the scale."""
    dataset = ctx.dataset
    ticketed: set[int] = set()
    ticketed_establishments: set[int | None] = set()
    for device_id, establishment_id in Ticket.objects.values_list("device_id", "establishment_id").distinct():
        ticketed.add(device_id)
        ticketed_establishments.add(establishment_id)
    demo_students = {ctx.user_ids.get(DEMO_STUDENT): set(), ctx.user_ids.get(DEMO_STUDENT_OTHER): set()}
    order = {
        ctx.device_ids[row.serial_number]: position
        for position, row in enumerate(dataset.devices)
        if row.serial_number in ctx.device_ids
    }
    wanted = {pk for pk in order if pk not in ticketed}

    devices: dict[int, FleetDevice] = {}
    for row in Device.objects.values(
        "pk",
        "serial_number",
        "status",
        "establishment_id",
        "image_id",
        "delivered_on",
        "model__manufacturer",
        "model__name",
    ):
        if row["pk"] in wanted:
            devices[row["pk"]] = FleetDevice(
                pk=row["pk"],
                serial=row["serial_number"],
                status=row["status"],
                establishment_id=row["establishment_id"],
                manufacturer=row["model__manufacturer"],
                model=f"{row['model__manufacturer']} {row['model__name']}",
                delivered_on=row["delivered_on"],
                image_id=row["image_id"],
            )
    for device_id, student_id, start, end in Assignment.objects.order_by("handed_over_at", "pk").values_list(
        "device_id", "student_id", "handed_over_at", "returned_at"
    ):
        if end is None and student_id in demo_students:
            demo_students[student_id].add(device_id)
        if device_id in devices:
            # Paris time: the generator's working hours are Paris hours, the database answers in UTC.
            devices[device_id].holdings.append(
                Holding(student_id, start.astimezone(PARIS), end and end.astimezone(PARIS))
            )
    # A retired laptop sits at the depot now; its tickets were declared at its last holder's school.
    for device_id, establishment_id in Assignment.objects.filter(device__status=Device.Status.RETIRED).values_list(
        "device_id", "student__profile__establishment_id"
    ):
        if device_id in devices and devices[device_id].establishment_id is None:
            devices[device_id].establishment_id = establishment_id
    coverage_fields = [f.attname for f in WarrantyCoverage._meta.concrete_fields]
    for row in WarrantyCoverage.objects.order_by("pk").values(*coverage_fields):
        if row["device_id"] in devices:
            devices[row["device_id"]].coverage_rows.append(row)

    establishments = {
        pk: (zone_id, academie)
        for pk, zone_id, academie in Establishment.objects.values_list("pk", "zone_id", "academie")
    }
    technicians: dict[int, list[int]] = defaultdict(list)
    depot: list[int] = []
    staff: dict[int, list[int]] = defaultdict(list)
    for user_id, role, establishment_id, zone_id, is_depot in (
        Profile.objects.filter(role__in=[Role.STAFF, Role.TECHNICIAN], user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "role", "establishment_id", "zone_id", "zone__is_depot")
    ):
        if role == Role.STAFF and establishment_id:
            staff[establishment_id].append(user_id)
        elif role == Role.TECHNICIAN and is_depot:
            depot.append(user_id)
        elif role == Role.TECHNICIAN and zone_id:
            technicians[zone_id].append(user_id)
    images: dict[str, list[ImageInfo]] = defaultdict(list)
    for pk, academie, version, released_on in MasterImage.objects.order_by("released_on", "pk").values_list(
        "pk", "academie", "version", "released_on"
    ):
        images[academie].append(ImageInfo(pk, academie, version, released_on))
    spares: dict[int | None, list[str]] = defaultdict(list)
    for establishment_id, serial in (
        Device.objects.filter(status=Device.Status.SPARE)
        .order_by("serial_number")
        .values_list("establishment_id", "serial_number")
    ):
        spares[establishment_id].append(serial)

    def held_by(username: str) -> frozenset[int]:
        """What the demo student holds now, and the laptop the dataset gives them (they may differ)."""
        held = demo_students.get(ctx.user_ids.get(username), set())
        planned = ctx.device_ids.get(dataset.demo_devices.get(username, ""))
        return frozenset(held | ({planned} if planned else set()))

    demo_establishment = ctx.establishment_ids.get(dataset.demo_establishment_uai)
    people = DemoPeople(
        tech_id=ctx.user_ids.get(DEMO_TECH),
        staff_id=ctx.user_ids.get(DEMO_STAFF),
        establishment_id=demo_establishment,
        student_device_ids=held_by(DEMO_STUDENT),
        quiet_device_ids=held_by(DEMO_STUDENT_OTHER),
    )
    return DemoFleet(
        devices=sorted(devices.values(), key=lambda device: order[device.pk]),
        establishments=establishments,
        technicians=dict(technicians),
        depot_technicians=depot,
        staff=dict(staff),
        images=dict(images),
        spares=dict(spares),
        people=people,
        pin_demo_scenarios=demo_establishment not in ticketed_establishments,
    )


# --- Writing -------------------------------------------------------------------------------------------------

BATCH = 2000


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _number(drafts: list[TicketDraft]) -> list[str]:
    """References R-YYYY-NNNNNN in declaration order, after what each year's counter has handed out,
    and the counters moved past them so that new declarations continue after the seeded tickets.
    The counter rows stay locked (select_for_update) until the seed's transaction commits."""
    years = sorted({timezone.localtime(draft.declared_at).year for draft in drafts})
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year) for year in years], ignore_conflicts=True)
    last = dict(ReferenceCounter.objects.select_for_update().filter(year__in=years).values_list("year", "value"))
    # A reference written without the counter (an import, a fixture) must not be handed out twice.
    highest = Ticket.objects.aggregate(
        **{str(year): Max("reference", filter=Q(reference__startswith=f"R-{year}-")) for year in years}
    )
    for year in years:
        top = highest[str(year)]
        if top and top[7:].isdigit():
            last[year] = max(last[year], int(top[7:]))
    references = []
    for draft in drafts:
        year = timezone.localtime(draft.declared_at).year
        last[year] += 1
        references.append(f"R-{year}-{last[year]:06d}")
    ReferenceCounter.objects.bulk_update([ReferenceCounter(year=year, value=last[year]) for year in years], ["value"])
    return references


def write_demo_tickets(ctx: SeedContext, *, drafts: list[TicketDraft]) -> list[Ticket]:
    """Insert the drafts and their timelines in bulk, then the fleet effects the services would have had."""
    drafts = sorted(drafts, key=lambda draft: (draft.declared_at, draft.device.serial))
    references = _number(drafts)
    tickets = [
        Ticket(
            reference=reference,
            device_id=draft.device.pk,
            reporter_id=draft.reporter_id,
            establishment_id=draft.establishment_id,
            category=draft.category,
            description=draft.description,
            priority=propose_priority(category=draft.category, on=timezone.localdate(draft.declared_at)),
            assignee_id=draft.assignee_id,
            state=draft.state,  # a protected FSMField may be set once, at construction
            coverage=draft.coverage,
            coverage_reason=draft.coverage_reason,
            warranty_id=draft.warranty_id,
            claim_counted=draft.claim_counted,
            parts=draft.parts,
            rma_number=draft.rma_number,
            police_report=draft.police_report,
            return_channel=draft.return_channel,
            carrier=draft.carrier,
            tracking_number=draft.tracking_number,
            declared_at=draft.declared_at,
            first_responded_at=draft.first_responded_at,
            resolved_at=draft.resolved_at,
            version=len(draft.transitions),  # each transition's save bumped it once
        )
        for reference, draft in zip(references, drafts, strict=True)
    ]
    for chunk in _chunks(tickets, BATCH):
        Ticket.objects.bulk_create(chunk)
    entries = [
        TimelineEntry(
            ticket_id=ticket.pk,
            at=entry.at,
            actor_id=entry.actor_id,
            kind=entry.kind,
            name=entry.name,
            source=entry.source,
            target=entry.target,
            note=entry.note,
            payload=entry.payload,
        )
        for ticket, draft in zip(tickets, drafts, strict=True)
        for entry in draft.entries
    ]
    for chunk in _chunks(entries, BATCH):
        TimelineEntry.objects.bulk_create(chunk)
    # bulk_create stamped updated_at (auto_now) with today: a ticket last changed at its last entry.
    last_entry = TimelineEntry.objects.filter(ticket=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    for chunk in _chunks([ticket.pk for ticket in tickets], 500):
        Ticket.objects.filter(pk__in=chunk).update(updated_at=Subquery(last_entry))
    _apply_fleet_effects(drafts)
    ctx.created[Ticket._meta.label] += len(tickets)
    ctx.created[TimelineEntry._meta.label] += len(entries)
    return tickets


def _apply_fleet_effects(drafts: list[TicketDraft]) -> None:
    """In the workshop for an open ticket past diagnosis (at the manufacturer for one there);
    re-imaged by repairs; claims used."""
    to_workshop = sorted(
        {
            draft.device.pk
            for draft in drafts
            if draft.state in WORKSHOP_STATES and draft.device.status != Device.Status.IN_REPAIR
        }
    )
    for chunk in _chunks(to_workshop, 500):
        Device.objects.filter(pk__in=chunk).update(status=Device.Status.IN_REPAIR)
    # What send_to_manufacturer records: the laptop is tracked at the manufacturer until it returns.
    away = sorted({draft.device.pk for draft in drafts if draft.state == State.AT_MANUFACTURER})
    for chunk in _chunks(away, 500):
        Device.objects.filter(pk__in=chunk).update(status=Device.Status.AT_MANUFACTURER)
    reimaged: dict[int, list[int]] = defaultdict(list)
    for device in {draft.device.pk: draft.device for draft in drafts if draft.image_id is not None}.values():
        reimaged[device.image_id].append(device.pk)
    for image_id, device_ids in reimaged.items():
        for chunk in _chunks(device_ids, 500):
            Device.objects.filter(pk__in=chunk).update(image_id=image_id)
    claims = {draft.claim.pk: draft.claim.claims_used for draft in drafts if draft.claim_counted and draft.claim}
    by_value: dict[int, list[int]] = defaultdict(list)
    for coverage_id, used in claims.items():
        by_value[used].append(coverage_id)
    for used, coverage_ids in by_value.items():
        for chunk in _chunks(coverage_ids, 500):
            WarrantyCoverage.objects.filter(pk__in=chunk).update(claims_used=used)


def seed_demo_tickets(ctx: SeedContext) -> None:
    """The seed step (register_seed_step("tickets", ...)): tickets for the devices that have none."""
    fleet = load_demo_fleet(ctx)
    drafts = DemoTicketGenerator(fleet=fleet, seed=ctx.dataset.seed, now=demo_now(ctx.dataset)).generate()
    if drafts:
        write_demo_tickets(ctx, drafts=drafts)
