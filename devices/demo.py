"""Demo data for the fleet (SPEC §2, §6), behind `manage.py seed_demo [--scale small|region]`.

Two halves:

- the *generator* (`demo_data_generate`) builds plain rows from seeded `random.Random` streams,
  without touching the database, so that its determinism can be tested cheaply;
- the *writer* (`demo_data_write`) inserts what is missing with `bulk_create`, resolving foreign keys
  through natural keys (UAI, serial number, username, (académie, version)...). Running it twice adds
  nothing, and running `region` after `small` only adds the difference.

Why `small` is a subset of `region`: both scales build the same catalogue of 370 establishments,
every establishment draws its people and devices from its own random stream (seeded by its UAI),
and `small` keeps a few pinned establishments and only the first devices of each. The first devices
of an establishment are therefore the same at both scales, with the same serials and holders.

Later steps plug in with `register_seed_step`: tickets (SPEC §6: "realistic tickets in every
state") belong to `repairs`, and the fleet must not import `repairs` (imports run repairs → devices),
so `repairs` registers its step from its AppConfig.ready() and receives the written fleet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import secrets
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from devices.models import (
    DEPARTEMENT_ACADEMIE,
    Academie,
    Assignment,
    Device,
    DeviceModel,
    DistributionCampaign,
    Establishment,
    MasterImage,
    Profile,
    Role,
    WarrantyCoverage,
    Zone,
)

# --- Parameters of the demo world -------------------------------------------------------------

DEFAULT_SEED = 20260901
# Published on purpose (SPEC §6); config.auth refuses demo accounts where DEMO_DATA_ALLOWED is off.
DEMO_PASSWORD = "demo"  # noqa: S105
SCHOOL_YEAR = 2026  # the demo's current school year is 2026-2027
DELIVERY_YEARS = (2023, 2024, 2025, 2026)
# Newer batches are bigger: the programme grew, and the 2023 batch is being worn out.
DELIVERY_YEAR_WEIGHTS = (15, 25, 28, 32)

REGION_ESTABLISHMENTS = 370  # SPEC §1
REGION_DEVICES = 61_000  # SPEC §1, depot included
REGION_DEPOT_DEVICES = 640
SMALL_DEVICES_PER_ESTABLISHMENT = 24
SMALL_DEPOT_DEVICES = 12
# One device in 32 is a spare (about 3 %), at a fixed position so that every establishment with four
# devices or more has one, at both scales.
SPARE_EVERY, SPARE_POSITION = 32, 3
# A device's global number is establishment index × 1000 + position (depot: 999 000 + position).
# Serial numbers and asset tags are bijections of it, hence unique by construction at any scale.
_PER_ESTABLISHMENT = 1000
_DEPOT_GID = 999 * _PER_ESTABLISHMENT

DEPOT_ZONE_CODE = "depot-sav"
DEMO_STUDENT, DEMO_STAFF, DEMO_TECH = "demo-student", "demo-staff", "demo-tech"
DEMO_MANAGER, DEMO_STUDENT_OTHER = "demo-manager", "demo-student-other"
DEMO_USERNAMES = (DEMO_STUDENT, DEMO_STAFF, DEMO_TECH, DEMO_MANAGER, DEMO_STUDENT_OTHER)

PARIS = ZoneInfo("Europe/Paris")
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # the UAI check letter: the 7 digits modulo 23
_SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTVWXYZ"  # 32 symbols: no I, O, S, U to misread


class Scale(StrEnum):
    SMALL = "small"
    REGION = "region"


# --- Rows: what the generator produces, keyed by natural keys ---------------------------------


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
    serial_prefix: str  # see _serial_number

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


# --- Reference data: the region as it is -----------------------------------------------------


@dataclass(frozen=True)
class _Departement:
    code: str
    name: str
    establishments: int  # at region scale: roughly in proportion to population, rural ones a bit more
    cities: tuple[tuple[str, int], ...]  # (city, weight)


def _cities(spec: str) -> tuple[tuple[str, int], ...]:
    """'Foix 3, Pamiers 4' → (('Foix', 3), ('Pamiers', 4))."""
    pairs = []
    for item in spec.split(","):
        city, weight = item.strip().rsplit(" ", 1)
        pairs.append((city, int(weight)))
    return tuple(pairs)


_DEPARTEMENTS = (
    _Departement(
        "09", "Ariège", 12, _cities("Foix 3, Pamiers 4, Saint-Girons 2, Lavelanet 1, Mirepoix 1, Tarascon-sur-Ariège 1")
    ),
    _Departement(
        "11",
        "Aude",
        24,
        _cities("Carcassonne 6, Narbonne 6, Castelnaudary 2, Limoux 2, Lézignan-Corbières 2, Quillan 1"),
    ),
    _Departement(
        "12",
        "Aveyron",
        20,
        _cities(
            "Rodez 5, Millau 3, Villefranche-de-Rouergue 2, Decazeville 2, Saint-Affrique 1, Espalion 1, "
            "Onet-le-Château 1"
        ),
    ),
    _Departement(
        "30",
        "Gard",
        44,
        _cities(
            "Nîmes 10, Alès 5, Bagnols-sur-Cèze 2, Beaucaire 1, Uzès 1, Le Vigan 1, Vauvert 1, Pont-Saint-Esprit 1, "
            "Saint-Gilles 1"
        ),
    ),
    _Departement(
        "31",
        "Haute-Garonne",
        80,
        _cities(
            "Toulouse 40, Colomiers 3, Muret 3, Blagnac 2, Tournefeuille 2, Saint-Gaudens 3, Balma 1, "
            "Castanet-Tolosan 2, Villefranche-de-Lauragais 1, Fronton 1, Revel 1, L'Union 1, "
            "Saint-Orens-de-Gameville 1, Cugnaux 1, Ramonville-Saint-Agne 1, Auzeville-Tolosane 1, Fonsorbes 1, "
            "Grenade 1"
        ),
    ),
    _Departement(
        "32", "Gers", 13, _cities("Auch 5, Condom 2, Lectoure 1, Mirande 1, L'Isle-Jourdain 1, Eauze 1, Nogaro 1")
    ),
    _Departement(
        "34",
        "Hérault",
        68,
        _cities(
            "Montpellier 30, Béziers 9, Sète 4, Lunel 3, Agde 2, Lodève 1, Pézenas 2, Castelnau-le-Lez 2, "
            "Clermont-l'Hérault 1, Frontignan 1, Ganges 1, Bédarieux 1, Saint-Clément-de-Rivière 1, Pérols 1, "
            "Mauguio 1"
        ),
    ),
    _Departement("46", "Lot", 12, _cities("Cahors 5, Figeac 3, Gourdon 1, Souillac 1, Saint-Céré 1, Gramat 1")),
    _Departement("48", "Lozère", 7, _cities("Mende 4, Marvejols 1, Saint-Chély-d'Apcher 1, Florac 1, Langogne 1")),
    _Departement(
        "65",
        "Hautes-Pyrénées",
        16,
        _cities("Tarbes 7, Lourdes 2, Bagnères-de-Bigorre 2, Lannemezan 2, Vic-en-Bigorre 1, Argelès-Gazost 1"),
    ),
    _Departement(
        "66",
        "Pyrénées-Orientales",
        28,
        _cities(
            "Perpignan 14, Céret 2, Prades 2, Argelès-sur-Mer 1, Rivesaltes 1, Font-Romeu-Odeillo-Via 1, "
            "Canet-en-Roussillon 1, Thuir 1, Saint-Estève 1"
        ),
    ),
    _Departement(
        "81",
        "Tarn",
        27,
        _cities("Albi 6, Castres 6, Gaillac 2, Lavaur 2, Graulhet 1, Mazamet 2, Carmaux 1, Rabastens 1"),
    ),
    _Departement(
        "82",
        "Tarn-et-Garonne",
        19,
        _cities(
            "Montauban 8, Castelsarrasin 2, Moissac 2, Caussade 1, Valence 1, Beaumont-de-Lomagne 1, Nègrepelisse 1"
        ),
    ),
)

# Pinned establishments open their département's list, in this order; `small` keeps exactly these.
# The first of 31 is the demo establishment E, the first of 34 holds demo-student-other's device.
_PINNED: dict[str, tuple[tuple[str, str, str, str, bool], ...]] = {
    # (name, city, kind, sector, "lycée numérique")
    "09": (("Lycée Gabriel-Fauré", "Foix", "lgt", "public", False),),
    "11": (("Lycée Paul-Sabatier", "Carcassonne", "lgt", "public", True),),
    "12": (("Lycée Ferdinand-Foch", "Rodez", "lgt", "public", False),),
    "30": (
        ("Lycée Alphonse-Daudet", "Nîmes", "lgt", "public", False),
        ("Lycée polyvalent Jean-Baptiste-Dumas", "Alès", "polyvalent", "public", True),
    ),
    "31": (
        ("Lycée Pierre-de-Fermat", "Toulouse", "lgt", "public", True),
        ("Lycée agricole d'Auzeville", "Auzeville-Tolosane", "agricole", "public", False),
        ("Lycée professionnel Déodat-de-Séverac", "Toulouse", "lp", "public", False),
    ),
    "32": (("Lycée Le Garros", "Auch", "lgt", "public", False),),
    "34": (
        ("Lycée Joffre", "Montpellier", "lgt", "public", True),
        ("Lycée professionnel Jules-Ferry", "Montpellier", "lp", "public", False),
    ),
    "46": (("Lycée Clément-Marot", "Cahors", "lgt", "public", False),),
    "48": (("Lycée Chaptal", "Mende", "lgt", "public", False),),
    "65": (("Lycée Théophile-Gautier", "Tarbes", "lgt", "public", False),),
    "66": (
        ("Lycée François-Arago", "Perpignan", "lgt", "public", False),
        ("Lycée privé Notre-Dame-de-Bon-Secours", "Perpignan", "lgt", "private", False),
    ),
    "81": (("Lycée Lapérouse", "Albi", "lgt", "public", True),),
    "82": (("Lycée Antoine-Bourdelle", "Montauban", "lgt", "public", False),),
}

# Technician zones: one per département, two where there are many establishments.
# (code, name, technicians)
_ZONES: tuple[tuple[str, str, int], ...] = (
    ("z09-ariege", "Ariège", 2),
    ("z11-aude", "Aude", 3),
    ("z12-aveyron", "Aveyron", 3),
    ("z30-nimes", "Gard – Nîmes et Petite Camargue", 3),
    ("z30-ales", "Gard – Alès et Cévennes", 2),
    ("z31-nord", "Haute-Garonne – Toulouse Nord", 6),
    ("z31-sud", "Haute-Garonne – Toulouse Sud et Comminges", 5),
    ("z32-gers", "Gers", 2),
    ("z34-montpellier", "Hérault – Montpellier et Lunellois", 5),
    ("z34-beziers", "Hérault – Béziers, Sète et Biterrois", 4),
    ("z46-lot", "Lot", 2),
    ("z48-lozere", "Lozère", 1),
    ("z65-bigorre", "Hautes-Pyrénées", 3),
    ("z66-roussillon", "Pyrénées-Orientales", 3),
    ("z81-tarn", "Tarn", 3),
    ("z82-tarn-et-garonne", "Tarn-et-Garonne", 3),
)
_DEPOT_TECHNICIANS = 10
_ZONE_SPLITS: dict[str, tuple[str, str, frozenset[str]]] = {
    # département: (zone of the listed cities, zone of the others, listed cities)
    "30": ("z30-ales", "z30-nimes", frozenset({"Alès", "Bagnols-sur-Cèze", "Le Vigan", "Pont-Saint-Esprit", "Uzès"})),
    "31": (
        "z31-sud",
        "z31-nord",
        frozenset(
            {
                "Muret",
                "Saint-Gaudens",
                "Castanet-Tolosan",
                "Ramonville-Saint-Agne",
                "Revel",
                "Villefranche-de-Lauragais",
                "Cugnaux",
                "Fonsorbes",
                "Saint-Orens-de-Gameville",
                "Auzeville-Tolosane",
                "Tournefeuille",
            }
        ),
    ),
    "34": (
        "z34-beziers",
        "z34-montpellier",
        frozenset({"Béziers", "Sète", "Agde", "Pézenas", "Bédarieux", "Frontignan"}),
    ),
}
# The big city of a split département is shared: its establishments alternate between both zones.
_SHARED_CITIES = {"30": "Nîmes", "31": "Toulouse", "34": "Montpellier"}

# Education laptops of the kind regions buy; each summer's lot is one or two of them.
_MODELS = (
    DeviceModelRow("Dell", "Latitude 3140", 36, ""),
    DeviceModelRow("Acer", "TravelMate B3 Spin 11", 24, "NXKF3EF"),
    DeviceModelRow("Lenovo", "300w Yoga Gen 4", 24, "PF"),
    DeviceModelRow("HP", "ProBook 440 G10", 36, "5CG"),
    DeviceModelRow("ASUS", "ExpertBook BR1104F", 48, "R"),
    DeviceModelRow("Lenovo", "ThinkPad L13 Gen 5", 48, "PW"),
)
_LOTS: dict[int, tuple[tuple[str, str], ...]] = {
    2023: (("Dell", "Latitude 3140"), ("Acer", "TravelMate B3 Spin 11")),
    2024: (("Lenovo", "300w Yoga Gen 4"), ("HP", "ProBook 440 G10")),
    2025: (("HP", "ProBook 440 G10"), ("ASUS", "ExpertBook BR1104F")),
    2026: (("Lenovo", "ThinkPad L13 Gen 5"), ("Dell", "Latitude 3140")),
}
_ACCIDENTAL_PROVIDERS = ("Assurécole", "Protect Campus")

# "Mon cartable numérique": one image a summer, and a mid-year fix in 2025. (version, month, day,
# programs in Toulouse, programs in Montpellier); Montpellier releases a few days later.
_IMAGES = (
    ("2023.08", 2023, 8, 470, 462),
    ("2024.08", 2024, 8, 481, 476),
    ("2025.02", 2025, 2, 484, 479),
    ("2025.08", 2025, 8, 495, 493),
    ("2026.08", 2026, 8, 503, 511),
)
IMAGE_NAME = "Mon cartable numérique"


def _words(text: str) -> tuple[str, ...]:
    """Names separated by blanks; an underscore stands for a blank inside a name (Da_Silva)."""
    return tuple(word.replace("_", " ") for word in text.split())


_PEOPLE_HONOURED = _words(
    "Jean-Jaurès Victor-Hugo Marie-Curie Jules-Ferry Louis-Pasteur Jean-Moulin Simone-Veil Condorcet Voltaire "
    "Rabelais Montaigne Molière Jean-Mermoz Saint-Exupéry Clément-Ader Toulouse-Lautrec Champollion "
    "Marcelin-Berthelot Henri-Matisse Georges-Brassens Paul-Valéry Jean-Vilar Camille-Claudel Olympe-de-Gouges "
    "Germaine-Tillion Lucie-Aubrac Gaston-Fébus Jean-Monnet Alexandre-Dumas Albert-Camus Frédéric-Mistral "
    "Joséphine-Baker Louise-Michel George-Sand Émile-Zola Jules-Verne Aristide-Maillol Ingres Marc-Bloch "
    "Stéphane-Hessel Raymond-Naves Jean-Zay Pierre-Paul-Riquet Gustave-Eiffel Irène-Joliot-Curie Nelson-Mandela "
    "Hélène-Boucher Vincent-Auriol Pierre-Bourdieu Claude-Nougaro Charles-Trenet Joseph-Delteil Jean-Lurçat "
    "Édouard-Branly Jean-Rostand André-Malraux Pierre-Mendès-France Clémence-Isaure Armand-Barbès Jean-Pierre-Vernant "
    "Françoise-Dolto Gisèle-Halimi Rosa-Parks Antoine-Bourdelle Bertrand-de-Born Jacques-Prévert Guillaume-Apollinaire "
    "Paul-Éluard Louis-Aragon Max-Rouquette Arthur-Rimbaud Charles-Baudelaire Étienne-Dolet Paul-Riquet "
    "Louis-Armand Mariette-Pouget Roland-Garros Marie-Marvingt Maurice-Ravel Paul-Cézanne Jean-Giono"
)
_PRIVATE_PATRONS = _words(
    "Saint-Joseph Sainte-Marie Notre-Dame Saint-Louis Jeanne-d'Arc La-Salle Sainte-Famille Saint-François "
    "Sacré-Cœur Saint-Jean Saint-Pierre La-Providence Sainte-Thérèse Saint-Vincent-de-Paul Bon-Sauveur"
)

_STUDENT_FIRST_NAMES = _words(
    "Léa Manon Chloé Camille Emma Inès Jade Sarah Lina Louise Zoé Lola Clara Anaïs Océane Lucie Maëlys Julie "
    "Mathilde Juliette Eva Romane Ambre Nina Yasmine Alice Noémie Margaux Élise Salomé Jeanne Agathe Rose Maya "
    "Lucas Hugo Nathan Enzo Louis Théo Mathis Tom Léo Gabriel Raphaël Arthur Jules Maxime Thomas Clément Antoine "
    "Noah Adam Ethan Rayan Mohamed Yanis Baptiste Paul Mathéo Axel Évan Timéo Valentin Alexandre Quentin Romain "
    "Sacha Nolan Kylian Ilyes Marius Loïc Jean-Baptiste Pierre-Louis Anne-Sophie"
)
_ADULT_FIRST_NAMES = _words(
    "Isabelle Nathalie Sandrine Valérie Sophie Christine Stéphanie Céline Véronique Catherine Laurence Sylvie "
    "Caroline Aurélie Émilie Delphine Karine Virginie Hélène Patricia Philippe Laurent Stéphane Christophe Nicolas "
    "Frédéric Olivier Sébastien David Éric Pascal Thierry Jérôme Julien Vincent Franck Cédric Didier Mickaël Karim"
)
_LAST_NAMES = _words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez "
    "Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Perrin Morin Mathieu Clément Gauthier Dumont "
    "Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Roger Roche Roy "
    "Noël Meyer Lucas Meunier Perez Marchand Dufour Blanchard Barbier Brun Dumas Brunet Schmitt Leroux Colin "
    "Fernandez Renard Arnaud Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard "
    "Lacroix Fabre Dupuis Olivier Rodriguez Hubert Rivière Guillaume Rey Moulin Gonzalez Berger Fleury Julien "
    "Benoît Marty Pons Dupuy Bousquet Cazals Rouquette Castel Sabatier Teyssier Puech Alibert Carrière Delmas "
    "Bonnafous Salvat Cabrol Maurel Pujol Soulié Lacombe Calmettes Combes Bories Assié Gasc Fourcade Estève "
    "Benhamou Haddad Benali Diallo Traoré Ferreira Lafon Mas Costes Barthe Rigal Vialaret "
    "Da_Silva Dos_Santos Le_Gall N'Diaye Ben_Ahmed"
)


# --- Small pure helpers -----------------------------------------------------------------------


def uai_check_letter(digits: str) -> str:
    """The UAI check letter of 7 digits, as the Éducation nationale computes it."""
    return UAI_LETTERS[int(digits) % len(UAI_LETTERS)]


def _slug(text: str) -> str:
    """'Anne-Sophie' → 'anne-sophie', "N'Diaye" → 'ndiaye', 'Le Gall' → 'legall'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum() or ch == "-")


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return day.replace(year=year, month=month0 + 1, day=min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _months_later(day: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` starting on `day` (both ends included)."""
    return _add_months(day, months) - dt.timedelta(days=1)


def _mix(value: int, *, bits: int, salt: int) -> int:
    """A bijection of [0, 2**bits): serials look random, yet distinct numbers give distinct serials.

    Each step is invertible modulo 2**bits: xor with a constant, multiplication by an odd number,
    xor with the value shifted right.
    """
    mask = (1 << bits) - 1
    if not 0 <= value <= mask:
        raise ValueError(f"{value} does not fit in {bits} bits")
    x = value ^ (salt & mask)
    for multiplier in (0x9E3779B1, 0x85EBCA77):
        x = (x * multiplier) & mask  # both multipliers are odd
        x ^= x >> (bits // 2 + 1)
    return x


def _base32(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(_SERIAL_ALPHABET[digit])
    return "".join(reversed(chars))


def _serial_number(model: DeviceModelRow, *, gid: int, made_on: dt.date, salt: int) -> str:
    """A serial in the manufacturer's style. Each manufacturer's serials have their own length, and
    within one manufacturer the variable part is a bijection of the device's global number (the
    seed's `salt` picks which bijection)."""
    yy = f"{made_on.year % 100:02d}"
    week = f"{made_on.isocalendar().week:02d}"
    if model.manufacturer == "Dell":  # service tag: 7 characters, e.g. 8XK2LM3
        return _base32(_mix(gid, bits=35, salt=0x1D377A1 ^ salt), 7)
    if model.manufacturer == "Lenovo":  # e.g. PF3XK2LM
        return model.serial_prefix + _base32(_mix(gid, bits=30, salt=0x2F1C0DE ^ salt), 6)
    if model.manufacturer == "HP":  # plant, year digit, week, then 4 characters: 5CG3201ABC
        return f"{model.serial_prefix}{yy[1]}{week}" + _base32(_mix(gid, bits=20, salt=0xB1C35 ^ salt), 4)
    if model.manufacturer == "ASUS":  # e.g. R25NRC3K7LMQ2T
        return f"{model.serial_prefix}{yy}NRC" + _base32(_mix(gid, bits=40, salt=0x5A5A5A5 ^ salt), 8)
    if model.manufacturer == "Acer":  # SNID-like: NXKF3EF23A7K2LM
        return f"{model.serial_prefix}{yy}" + _base32(_mix(gid, bits=30, salt=0x3ACE5 ^ salt), 6)
    raise ValueError(f"no serial style for {model.manufacturer}")


def _de(city: str) -> str:
    """French 'de' before a place name: d'Auch, du Vigan, de Pamiers."""
    if city.startswith("Le "):
        return "du " + city[3:]
    if city[0] in "AEIOUYÉÈÂaeiouy":
        return "d'" + city
    return "de " + city


def _september_business_days(year: int) -> list[dt.date]:
    return [
        day
        for day in (dt.date(year, 9, d) for d in range(1, 31))
        if day.weekday() < 5  # hand-overs happen on school days
    ]


# --- The generator ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """An establishment of the catalogue, with what its devices are drawn from."""

    index: int
    row: EstablishmentRow
    pinned: bool
    region_devices: int
    lots: dict[int, tuple[str, str]]  # delivery year → model


@dataclass(frozen=True)
class _Catalogue:
    plans: list[_Plan]
    zones: list[ZoneRow]
    images: dict[str, list[ImageRow]]  # académie → images, oldest first (the last is current)
    contractor: list[PersonRow]  # technicians of every zone, depot technicians, managers, supervisors


class DemoFleetGenerator:
    """Builds a DemoDataset from a seed. Pure: same seed and scale, same rows; no database."""

    def __init__(self, *, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed
        self._salt = self._rng("salt").getrandbits(64)  # another seed, other serials and usernames
        self._catalogue = self._build_catalogue()

    def _rng(self, *parts: object) -> random.Random:
        # String seeds are hashed with SHA-512 by random.Random: stable across runs and machines,
        # unlike hash(), which PYTHONHASHSEED randomises.
        return random.Random(":".join(str(part) for part in (self.seed, *parts)))

    # Catalogue: built identically at every scale.

    def _build_catalogue(self) -> _Catalogue:
        rng = self._rng("catalogue")
        zones = [ZoneRow(code, name) for code, name, _count in _ZONES]
        zones.append(ZoneRow(DEPOT_ZONE_CODE, "Dépôt SAV", is_depot=True))
        plans: list[_Plan] = []
        weights: list[float] = []
        for dep in _DEPARTEMENTS:
            numbers = rng.sample(range(10, 2500), dep.establishments)
            used_names: set[tuple[str, str]] = set()
            pinned = _PINNED.get(dep.code, ())
            shared_city_count = 0
            for position in range(dep.establishments):
                digits = f"0{dep.code}{numbers[position]:04d}"
                if position < len(pinned):
                    name, city, kind, sector, numerique = pinned[position]
                else:
                    city = rng.choices([c for c, _w in dep.cities], weights=[w for _c, w in dep.cities])[0]
                    kind = rng.choices(["lgt", "lp", "polyvalent", "agricole", "erea"], weights=[34, 28, 24, 10, 4])[0]
                    private = kind != "erea" and rng.random() < 0.2
                    sector = "private" if private else "public"
                    numerique = rng.random() < 0.25
                    name = self._establishment_name(rng, kind=kind, private=private, city=city, used=used_names)
                used_names.add((name, city))
                if city == _SHARED_CITIES.get(dep.code):
                    # Alternate so that both zones get their share of the big city.
                    shared_city_count += 1
                    zone_code = _ZONE_SPLITS[dep.code][1 if shared_city_count % 2 else 0]
                elif dep.code in _ZONE_SPLITS:
                    listed_zone, other_zone, listed = _ZONE_SPLITS[dep.code]
                    zone_code = listed_zone if city in listed else other_zone
                else:
                    zone_code = next(code for code, _n, _c in _ZONES if code.startswith(f"z{dep.code}-"))
                row = EstablishmentRow(
                    uai=digits + uai_check_letter(digits),
                    name=name,
                    city=city,
                    departement=dep.code,
                    kind=kind,
                    sector=sector,
                    lycee_numerique=numerique,
                    zone_code=zone_code,
                )
                lots = {year: rng.choice(_LOTS[year]) for year in DELIVERY_YEARS}
                base = {"lgt": 1.25, "polyvalent": 1.4, "lp": 0.7, "agricole": 0.45, "erea": 0.2}[kind]
                weight = base * rng.uniform(0.6, 1.4) * (1.6 if position == 0 else 1.0)
                plans.append(_Plan(len(plans), row, position < len(pinned), 0, lots))
                weights.append(weight)
        if len(plans) != REGION_ESTABLISHMENTS:
            raise AssertionError(f"the catalogue has {len(plans)} establishments, not {REGION_ESTABLISHMENTS}")
        sizes = _allocate(REGION_DEVICES - REGION_DEPOT_DEVICES, weights)
        plans = [
            _Plan(plan.index, plan.row, plan.pinned, size, plan.lots) for plan, size in zip(plans, sizes, strict=True)
        ]
        images: dict[str, list[ImageRow]] = {}
        for academie, offset, column in ((Academie.TOULOUSE, 0, 3), (Academie.MONTPELLIER, 4, 4)):
            images[academie] = [
                ImageRow(
                    academie=str(academie),
                    version=spec[0],
                    name=IMAGE_NAME,
                    released_on=dt.date(spec[1], spec[2], 20 + offset - spec[1] % 3),
                    program_count=spec[column],
                    is_current=index == len(_IMAGES) - 1,
                )
                for index, spec in enumerate(_IMAGES)
            ]
        return _Catalogue(plans, zones, images, self._contractor_people())

    @staticmethod
    def _establishment_name(
        rng: random.Random, *, kind: str, private: bool, city: str, used: set[tuple[str, str]]
    ) -> str:
        for _attempt in range(50):
            if private:
                patron = rng.choice(_PRIVATE_PATRONS).replace("La-", "La ")
                prefix = {"lp": "Lycée professionnel privé", "agricole": "Lycée agricole privé"}.get(
                    kind, "Lycée privé"
                )
                name = f"{prefix} {patron}"
            else:
                honoured = rng.choice(_PEOPLE_HONOURED)
                name = {
                    "lgt": f"Lycée {honoured}",
                    "polyvalent": f"Lycée polyvalent {honoured}",
                    "lp": f"Lycée professionnel {honoured}",
                    "agricole": f"Lycée agricole {honoured}" if rng.random() < 0.5 else f"Lycée agricole {_de(city)}",
                    "erea": f"EREA {honoured}",
                }[kind]
            if (name, city) not in used:
                return name
        return f"{name} – site {len(used) + 1}"

    def _contractor_people(self) -> list[PersonRow]:
        """The contractor's team and the region's supervisors: generated whole at every scale (so
        their usernames never change), then filtered down to the zones a scale keeps."""
        rng = self._rng("contractor")
        taken: set[str] = set()
        people: list[PersonRow] = []

        def person(role: str, zone_code: str | None, domain: str) -> PersonRow:
            first, last = rng.choice(_ADULT_FIRST_NAMES), rng.choice(_LAST_NAMES)
            base = f"{_slug(first)}.{_slug(last)}"
            username, n = base, 1
            while username in taken:  # ".2" cannot clash with students (digits follow the name directly)
                n += 1
                username = f"{base}.{n}"
            taken.add(username)
            phone = f"+3363998{rng.randrange(10_000):04d}"  # ARCEP range reserved for fiction
            return PersonRow(username, first, last, f"{username}@{domain}", role, zone_code=zone_code, phone=phone)

        for code, _name, count in _ZONES:
            people.extend(person(Role.TECHNICIAN, code, "sav.example.org") for _ in range(count))
        people.extend(person(Role.TECHNICIAN, DEPOT_ZONE_CODE, "sav.example.org") for _ in range(_DEPOT_TECHNICIANS))
        people.extend(person(Role.MANAGER, None, "sav.example.org") for _ in range(5))
        people.extend(person(Role.SUPERVISOR, None, "laregion.example.org") for _ in range(2))
        return people

    # A scale: a subset of the catalogue, then each establishment's people and devices.

    def generate(self, *, scale: Scale) -> DemoDataset:
        scale = Scale(scale)
        catalogue = self._catalogue
        plans = catalogue.plans if scale is Scale.REGION else [plan for plan in catalogue.plans if plan.pinned]
        demo_plan = next(plan for plan in plans if plan.row.departement == "31")
        other_plan = next(plan for plan in plans if plan.row.departement == "34")
        zone_codes = {plan.row.zone_code for plan in plans} | {DEPOT_ZONE_CODE}
        data = DemoDataset(
            scale=scale,
            seed=self.seed,
            demo_establishment_uai=demo_plan.row.uai,
            other_establishment_uai=other_plan.row.uai,
            zones=[zone for zone in catalogue.zones if zone.code in zone_codes],
            establishments=[plan.row for plan in plans],
            device_models=list(_MODELS),
            images=[image for academie in Academie for image in catalogue.images[academie]],
        )
        contractor = [person for person in catalogue.contractor if person.zone_code in zone_codes | {None}]
        data.people.extend(self._demo_people(demo=demo_plan.row, other=other_plan.row))
        data.people.extend(contractor)
        technicians: dict[str, list[str]] = defaultdict(list)
        for person in contractor:
            if person.zone_code:
                technicians[person.zone_code].append(person.username)
        holders = {demo_plan.index: DEMO_STUDENT, other_plan.index: DEMO_STUDENT_OTHER}
        for plan in plans:
            staff = self._staff(plan.row)
            data.people.extend(staff)
            handers = [person.username for person in staff]
            if plan is demo_plan:
                handers.insert(0, DEMO_STAFF)  # demo-staff hands demo-student their laptop
            count = (
                plan.region_devices
                if scale is Scale.REGION
                else min(plan.region_devices, SMALL_DEVICES_PER_ESTABLISHMENT)
            )
            self._establishment_fleet(
                data,
                plan,
                count=count,
                staff=handers,
                zone_technicians=technicians[plan.row.zone_code],
                depot_technicians=technicians[DEPOT_ZONE_CODE],
                demo_holder=holders.get(plan.index),
            )
        self._depot_fleet(data, count=REGION_DEPOT_DEVICES if scale is Scale.REGION else SMALL_DEPOT_DEVICES)
        return data

    @staticmethod
    def _demo_people(*, demo: EstablishmentRow, other: EstablishmentRow) -> list[PersonRow]:
        def person(username: str, first: str, role: str, **where: str) -> PersonRow:
            return PersonRow(username, first, "Démo", f"{username}@demo.example.org", role, is_demo=True, **where)

        return [
            person(DEMO_STUDENT, "Léa", Role.STUDENT, establishment_uai=demo.uai),
            person(DEMO_STAFF, "Sophie", Role.STAFF, establishment_uai=demo.uai),
            person(DEMO_TECH, "Julien", Role.TECHNICIAN, zone_code=demo.zone_code),
            person(DEMO_MANAGER, "Nathalie", Role.MANAGER),
            person(DEMO_STUDENT_OTHER, "Hugo", Role.STUDENT, establishment_uai=other.uai),
        ]

    def _staff(self, establishment: EstablishmentRow) -> list[PersonRow]:
        """Référent numérique and CPE everywhere, a documentaliste in most establishments.

        Profile has no job title, so the function only shows in the order of the list."""
        rng = self._rng("staff", establishment.uai)
        count = 3 if rng.random() < 0.6 else 2
        people, names = [], set()
        while len(people) < count:
            first, last = rng.choice(_ADULT_FIRST_NAMES), rng.choice(_LAST_NAMES)
            if (first, last) in names:
                continue
            names.add((first, last))
            username = f"{_slug(first)}.{_slug(last)}.{establishment.uai.lower()}"
            email = f"{_slug(first)}.{_slug(last)}@ac-{establishment.academie}.example.org"
            people.append(PersonRow(username, first, last, email, Role.STAFF, establishment_uai=establishment.uai))
        return people

    def _establishment_fleet(
        self,
        data: DemoDataset,
        plan: _Plan,
        *,
        count: int,
        staff: Sequence[str],
        zone_technicians: Sequence[str],
        depot_technicians: Sequence[str],
        demo_holder: str | None,
    ) -> None:
        """Devices, coverages, holders and hand-overs of one establishment, from its own stream.

        Device i's data depends only on the draws for devices 0..i, never on `count`: the first
        devices are the same at both scales.
        """
        rng = self._rng("devices", plan.row.uai)
        establishment = plan.row
        images = self._catalogue.images[establishment.academie]
        models = {model.key: model for model in _MODELS}
        # A fixed number of draws before the devices, for the same reason.
        batch_dates = {year: dt.date(year, rng.choice((7, 8)), rng.randint(1, 28)) for year in DELIVERY_YEARS}
        first_assignment = len(data.assignments)
        waiting = 0

        def student(sid: int, *, is_active: bool = True) -> str:
            first, last = rng.choice(_STUDENT_FIRST_NAMES), rng.choice(_LAST_NAMES)
            # The number is a bijection of the student's own number: unique without a lookup.
            username = f"{_slug(first)}.{_slug(last)}{_mix(sid, bits=21, salt=self._salt)}"
            phone = f"+3363998{rng.randrange(10_000):04d}" if rng.random() < 0.4 else ""  # fiction range
            data.people.append(
                PersonRow(
                    username,
                    first,
                    last,
                    f"{username}@eleves.example.org",
                    Role.STUDENT,
                    establishment_uai=establishment.uai,
                    phone=phone,
                    is_active=is_active,
                )
            )
            return username

        def hand_over(
            serial: str, holder: str, year: int, *, by: str | None = None, until: dt.datetime | None = None, lost=False
        ) -> None:
            days = _september_business_days(year)
            at = dt.datetime.combine(
                days[min(len(days) - 1, int(rng.expovariate(1 / 4)))],  # most in the first two weeks
                dt.time(rng.randint(8, 16), rng.choice((0, 10, 15, 20, 30, 40, 45, 50))),
                tzinfo=PARIS,
            )
            channel, tracking = Assignment.Channel.ON_SITE, ""
            if by is None and rng.random() < 0.06:  # home delivery by carrier, shipped by the depot
                channel, tracking = Assignment.Channel.CARRIER, f"6A{rng.randrange(10**11):011d}"
                by = rng.choice(depot_technicians)
            elif by is None:
                by = rng.choice(staff) if rng.random() < 0.7 else rng.choice(zone_technicians)
            returned_at = until
            if lost:  # the assignment ended when the loss or theft was declared
                latest = dt.datetime(2026, 11, 10, 17, 0, tzinfo=PARIS)
                returned_at = at + dt.timedelta(days=rng.randint(30, (latest - at).days))
            data.assignments.append(AssignmentRow(serial, holder, at, by, channel, tracking, returned_at))

        for position in range(count):
            gid = plan.index * _PER_ESTABLISHMENT + position
            is_demo = position == 0 and demo_holder is not None
            year = 2026 if is_demo else rng.choices(DELIVERY_YEARS, weights=DELIVERY_YEAR_WEIGHTS)[0]
            model = models[plan.lots[year]]
            delivered_on = batch_dates[year]
            status = Device.Status.ASSIGNED if is_demo else _status(rng, position=position, year=year)
            image = images[-1] if is_demo else _image(rng, images=images, year=year, delivered_on=delivered_on)
            serial = _serial_number(model, gid=gid, made_on=delivered_on - dt.timedelta(days=40), salt=self._salt)
            data.devices.append(
                DeviceRow(
                    serial_number=serial,
                    asset_tag=f"RO-{establishment.departement}-{gid:06d}",
                    model=model.key,
                    # Retired devices were collected by the depot, where they wait to be recycled.
                    establishment_uai=None if status == Device.Status.RETIRED else establishment.uai,
                    status=status,
                    image=image.key,
                    delivered_on=delivered_on,
                )
            )
            data.coverages.extend(
                _coverages(rng, model=model, serial=serial, gid=gid, delivered_on=delivered_on, demo=is_demo)
            )
            # The 2023 batch's first holders left school in July 2026 (end of terminale) and handed
            # their laptops back; most went to a new seconde student in September.
            if year == 2023 and (status != Device.Status.SPARE or rng.random() < 0.6):
                graduation = dt.datetime(2026, 7, rng.randint(1, 7), rng.randint(9, 16), 0, tzinfo=PARIS)
                hand_over(serial, student(2 * gid + 1, is_active=False), 2023, until=graduation)
            if is_demo:
                data.demo_devices[demo_holder] = serial
                hand_over(serial, demo_holder, year, by=staff[0])
            elif status in (Device.Status.ASSIGNED, Device.Status.IN_REPAIR):
                hand_over(serial, student(2 * gid), SCHOOL_YEAR if year == 2023 else year)
            elif status == Device.Status.LOST:
                hand_over(serial, student(2 * gid), year, lost=True)
            elif status == Device.Status.IN_STOCK:
                waiting += 1  # delivered for a student who has not collected it yet

        # Targets: the students equipped during the year, plus those yet to collect their laptop.
        mine = data.assignments[first_assignment:]
        slack = self._rng("campaign", establishment.uai, count)
        for school_year, extra in ((SCHOOL_YEAR, waiting), (SCHOOL_YEAR - 1, 0)):
            begins = dt.datetime(school_year, 9, 1, tzinfo=PARIS)
            ends = dt.datetime(school_year + 1, 7, 1, tzinfo=PARIS)
            equipped = extra + sum(
                a.handed_over_at < ends and (a.returned_at is None or a.returned_at >= begins) for a in mine
            )
            data.campaigns.append(
                CampaignRow(
                    school_year=f"{school_year}-{school_year + 1}",
                    establishment_uai=establishment.uai,
                    target_students=equipped + round(equipped * slack.uniform(0, 0.03)),
                    starts_on=dt.date(school_year, 9, 1),
                    ends_on=dt.date(school_year, 9, 30),
                )
            )

    def _depot_fleet(self, data: DemoDataset, *, count: int) -> None:
        """The depot: new laptops waiting to be imaged or sent, its spare pool, laptops under repair."""
        rng = self._rng("depot")
        models = {model.key: model for model in _MODELS}
        for position in range(count):
            gid = _DEPOT_GID + position
            fresh = rng.random() < 0.7
            year = 2026 if fresh else rng.choice(DELIVERY_YEARS[:-1])
            model = models[rng.choice(_LOTS[year])]
            delivered_on = dt.date(year, 8, rng.randint(1, 28))
            academie = rng.choice(list(Academie))
            imaged = not fresh or rng.random() < 0.6
            image = self._catalogue.images[academie][-1] if imaged else None
            u = rng.random()
            if not fresh and u < 0.3:
                status = Device.Status.IN_REPAIR  # swapped out of a school, repaired here
            elif imaged and u > 0.7:
                status = Device.Status.SPARE  # the depot's pool, for schools whose own pool is empty
            else:
                status = Device.Status.IN_STOCK
            serial = _serial_number(model, gid=gid, made_on=delivered_on - dt.timedelta(days=40), salt=self._salt)
            data.devices.append(
                DeviceRow(
                    serial_number=serial,
                    asset_tag=f"RO-SAV-{position + 1:06d}",
                    model=model.key,
                    establishment_uai=None,
                    status=status,
                    image=image.key if image else None,
                    delivered_on=delivered_on,
                )
            )
            data.coverages.extend(
                _coverages(rng, model=model, serial=serial, gid=gid, delivered_on=delivered_on, demo=False)
            )


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights`, in integers that add up exactly (largest remainder)."""
    scale = total / sum(weights)
    shares = [weight * scale for weight in weights]
    sizes = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (sizes[i] - shares[i], i))
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _status(rng: random.Random, *, position: int, year: int) -> str:
    if position % SPARE_EVERY == SPARE_POSITION:
        return Device.Status.SPARE
    u = rng.random()
    if year == 2026:
        if u < 0.05:
            return Device.Status.IN_STOCK  # not collected yet, two months into the year
        return Device.Status.IN_REPAIR if u < 0.06 else Device.Status.ASSIGNED
    if year == 2023:
        if u < 0.04:
            return Device.Status.RETIRED  # worn out when handed back in July
        return Device.Status.IN_REPAIR if u < 0.055 else Device.Status.ASSIGNED
    if u < 0.006:
        return Device.Status.LOST
    return Device.Status.IN_REPAIR if u < 0.02 else Device.Status.ASSIGNED


# Share of devices on the current image, by delivery year: the 2023 batch was re-imaged when it was
# handed back, and the 2024 one is the furthest from a technician's hands.
_ON_CURRENT_IMAGE = {2023: 0.9, 2024: 0.78, 2025: 0.85, 2026: 0.95}


def _image(rng: random.Random, *, images: Sequence[ImageRow], year: int, delivered_on: dt.date) -> ImageRow:
    if rng.random() < _ON_CURRENT_IMAGE[year]:
        return images[-1]
    since = delivered_on - dt.timedelta(days=400)
    return rng.choice([image for image in images[:-1] if image.released_on >= since] or [images[-2]])


def _coverages(
    rng: random.Random, *, model: DeviceModelRow, serial: str, gid: int, delivered_on: dt.date, demo: bool
) -> list[CoverageRow]:
    year = delivered_on.year
    lot_ref = f"{model.manufacturer[:3].upper()}-{year}-{gid // _PER_ESTABLISHMENT:03d}"
    manufacturer_end = _months_later(delivered_on, model.warranty_months)
    rows = [
        CoverageRow(
            serial, WarrantyCoverage.Kind.MANUFACTURER, model.manufacturer, lot_ref, delivered_on, manufacturer_end
        )
    ]
    # The region bought extensions for the older batches, whose warranty ends first.
    if not demo and year <= 2024 and rng.random() < 0.35:
        start = manufacturer_end + dt.timedelta(days=1)
        months = 24 if model.warranty_months <= 24 else 12
        rows.append(
            CoverageRow(
                serial,
                WarrantyCoverage.Kind.EXTENDED,
                model.manufacturer,
                f"EXT-{lot_ref}",
                start,
                _months_later(start, months),
            )
        )
    # Accidental-damage protection with a claims cap, mostly on the recent batches.
    if demo or rng.random() < {2023: 0.1, 2024: 0.25, 2025: 0.55, 2026: 0.6}[year]:
        cap = 3 if demo else rng.choice((1, 2, 2, 3, 3))
        u = 0.0 if demo else rng.random()
        used = 0 if u < 0.7 else cap if u < 0.8 else rng.randint(0, cap - 1) if cap > 1 else 0
        rows.append(
            CoverageRow(
                serial,
                WarrantyCoverage.Kind.ACCIDENTAL,
                _ACCIDENTAL_PROVIDERS[gid % len(_ACCIDENTAL_PROVIDERS)],
                f"ADP-{year}-{gid:06d}",
                delivered_on,
                _months_later(delivered_on, 36),
                claims_cap=cap,
                claims_used=used,
            )
        )
    return rows


def demo_data_generate(*, scale: Scale | str, seed: int = DEFAULT_SEED) -> DemoDataset:
    """The rows of a scale, without touching the database."""
    return DemoFleetGenerator(seed=seed).generate(scale=Scale(scale))


# --- The writer -------------------------------------------------------------------------------


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...


class _NoProgress:
    def update(self, n: int = 1) -> None:
        return None


@dataclass
class SeedContext:
    """What the writer knows after each step: natural key → primary key, and what it created.

    Later steps (see register_seed_step) read the maps instead of querying rows one by one.
    """

    dataset: DemoDataset
    progress: Progress
    zone_ids: dict[str, int] = field(default_factory=dict)
    establishment_ids: dict[str, int] = field(default_factory=dict)
    model_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    image_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    device_ids: dict[str, int] = field(default_factory=dict)
    new_serials: set[str] = field(default_factory=set)
    created: Counter[str] = field(default_factory=Counter)  # model label → rows created
    _hashes: dict[bool, str] = field(default_factory=dict)

    def password_hash(self, *, demo: bool) -> str:
        """One hash for every generated account, one for the demo accounts: hashing tens of thousands
        of passwords would take hours. The generated accounts' secret is random and thrown away, so
        nobody can log in as them; only the demo accounts have a known password."""
        if demo not in self._hashes:
            self._hashes[demo] = make_password(DEMO_PASSWORD if demo else secrets.token_urlsafe(32))
        return self._hashes[demo]


SeedStep = Callable[[SeedContext], None]
_EXTRA_STEPS: dict[str, SeedStep] = {}


def register_seed_step(name: str, step: SeedStep) -> None:
    """Add a step run after the fleet is written, in the same transaction (e.g. tickets).

    Registering the same name again replaces the step, so an AppConfig.ready() run twice is harmless.
    A step must be idempotent like the rest: create only what is missing.
    """
    _EXTRA_STEPS[name] = step


class DemoDataNotAllowed(Exception):
    """Demo data is refused where settings.DEMO_DATA_ALLOWED is off (production)."""


def demo_data_check_allowed() -> None:
    """Raise DemoDataNotAllowed in production: the demo accounts have a published password."""
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoDataNotAllowed


BATCH = 2000


def _chunks(items: Iterable, size: int = BATCH) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(
    ctx: SeedContext, model: type[models.Model], objects: Iterable[models.Model], *, counts_as_rows: bool = True
) -> list[models.Model]:
    """bulk_create in chunks (the progress bar moves, memory stays flat); returns objects with pks.

    PostgreSQL and SQLite ≥ 3.35 both return the new primary keys from a bulk insert.
    """
    created: list[models.Model] = []
    for chunk in _chunks(objects):
        created.extend(model.objects.bulk_create(chunk))
        if counts_as_rows:
            ctx.progress.update(len(chunk))
    ctx.created[model._meta.label] += len(created)
    return created


def _write_zones(ctx: SeedContext) -> None:
    rows = ctx.dataset.zones
    existing = dict(Zone.objects.filter(code__in=[row.code for row in rows]).values_list("code", "pk"))
    ctx.progress.update(len(existing))
    new = _insert(
        ctx, Zone, (Zone(code=r.code, name=r.name, is_depot=r.is_depot) for r in rows if r.code not in existing)
    )
    ctx.zone_ids = existing | {zone.code: zone.pk for zone in new}


def _write_establishments(ctx: SeedContext) -> None:
    rows = ctx.dataset.establishments
    existing = dict(Establishment.objects.filter(uai__in=[row.uai for row in rows]).values_list("uai", "pk"))
    ctx.progress.update(len(existing))
    new = _insert(
        ctx,
        Establishment,
        (
            Establishment(
                uai=r.uai,
                name=r.name,
                city=r.city,
                departement=r.departement,
                academie=r.academie,  # bulk_create skips Establishment.save(), which derives it
                kind=r.kind,
                sector=r.sector,
                lycee_numerique=r.lycee_numerique,
                zone_id=ctx.zone_ids[r.zone_code],
            )
            for r in rows
            if r.uai not in existing
        ),
    )
    ctx.establishment_ids = existing | {establishment.uai: establishment.pk for establishment in new}


def _write_device_models(ctx: SeedContext) -> None:
    existing = {(m, n): pk for m, n, pk in DeviceModel.objects.values_list("manufacturer", "name", "pk")}
    rows = ctx.dataset.device_models
    ctx.progress.update(sum(row.key in existing for row in rows))
    new = _insert(
        ctx,
        DeviceModel,
        (
            DeviceModel(manufacturer=r.manufacturer, name=r.name, warranty_months=r.warranty_months)
            for r in rows
            if r.key not in existing
        ),
    )
    ctx.model_ids = existing | {(m.manufacturer, m.name): m.pk for m in new}


def _write_images(ctx: SeedContext) -> None:
    existing = {(a, v): pk for a, v, pk in MasterImage.objects.values_list("academie", "version", "pk")}
    # An académie that already has a current image keeps it: a manager may have chosen another one,
    # and the partial unique index allows one current image per académie anyway.
    has_current = set(MasterImage.objects.filter(is_current=True).values_list("academie", flat=True))
    rows = ctx.dataset.images
    ctx.progress.update(sum(row.key in existing for row in rows))
    new = _insert(
        ctx,
        MasterImage,
        (
            MasterImage(
                name=r.name,
                version=r.version,
                academie=r.academie,
                released_on=r.released_on,
                program_count=r.program_count,
                is_current=r.is_current and r.academie not in has_current,
            )
            for r in rows
            if r.key not in existing
        ),
    )
    ctx.image_ids = existing | {(image.academie, image.version): image.pk for image in new}


def _write_people(ctx: SeedContext) -> None:
    User = get_user_model()
    rows = ctx.dataset.people
    existing = dict(User.objects.values_list("username", "pk"))
    ctx.progress.update(sum(row.username in existing for row in rows))
    new_users = _insert(
        ctx,
        User,
        (
            User(
                username=r.username,
                first_name=r.first_name,
                last_name=r.last_name,
                email=r.email,
                password=ctx.password_hash(demo=r.is_demo),
                is_staff=r.is_staff,
                is_active=r.is_active,
            )
            for r in rows
            if r.username not in existing
        ),
    )
    ctx.user_ids = existing | {user.get_username(): user.pk for user in new_users}
    with_profile = set(Profile.objects.values_list("user_id", flat=True))
    _insert(
        ctx,
        Profile,
        (
            Profile(
                user_id=ctx.user_ids[r.username],
                role=r.role,
                establishment_id=ctx.establishment_ids[r.establishment_uai] if r.establishment_uai else None,
                zone_id=ctx.zone_ids[r.zone_code] if r.zone_code else None,
                phone=r.phone,
            )
            for r in rows
            if ctx.user_ids[r.username] not in with_profile
        ),
        counts_as_rows=False,  # the progress bar counts people once
    )


def _write_devices(ctx: SeedContext) -> None:
    rows = ctx.dataset.devices
    existing = dict(Device.objects.values_list("serial_number", "pk"))
    ctx.progress.update(sum(row.serial_number in existing for row in rows))
    new = _insert(
        ctx,
        Device,
        (
            Device(
                serial_number=r.serial_number,
                asset_tag=r.asset_tag,
                model_id=ctx.model_ids[r.model],
                establishment_id=ctx.establishment_ids[r.establishment_uai] if r.establishment_uai else None,
                status=r.status,
                image_id=ctx.image_ids[r.image] if r.image else None,
                delivered_on=r.delivered_on,
            )
            for r in rows
            if r.serial_number not in existing
        ),
    )
    ctx.new_serials = {device.serial_number for device in new}
    ctx.device_ids = existing | {device.serial_number: device.pk for device in new}


def _write_coverages(ctx: SeedContext) -> None:
    # Coverages have no natural key: they are written with their device, once.
    rows = ctx.dataset.coverages
    ctx.progress.update(sum(row.serial_number not in ctx.new_serials for row in rows))
    _insert(
        ctx,
        WarrantyCoverage,
        (
            WarrantyCoverage(
                device_id=ctx.device_ids[r.serial_number],
                kind=r.kind,
                provider=r.provider,
                contract_ref=r.contract_ref,
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                claims_cap=r.claims_cap,
                claims_used=r.claims_used,
            )
            for r in rows
            if r.serial_number in ctx.new_serials
        ),
    )


def _write_assignments(ctx: SeedContext) -> None:
    # Written with their device, once. A student who already holds a device (the database has a
    # life of its own between runs) keeps it: the open-assignment constraint would refuse a second one.
    holding = set(Assignment.objects.filter(returned_at__isnull=True).values_list("student_id", flat=True))
    rows = ctx.dataset.assignments
    ctx.progress.update(sum(row.serial_number not in ctx.new_serials for row in rows))
    _insert(
        ctx,
        Assignment,
        (
            Assignment(
                device_id=ctx.device_ids[r.serial_number],
                student_id=ctx.user_ids[r.student],
                handed_over_at=r.handed_over_at,
                handed_over_by_id=ctx.user_ids[r.handed_over_by] if r.handed_over_by else None,
                channel=r.channel,
                tracking_number=r.tracking_number,
                returned_at=r.returned_at,
            )
            for r in rows
            if r.serial_number in ctx.new_serials
            and (r.returned_at is not None or ctx.user_ids[r.student] not in holding)
        ),
    )


def _write_campaigns(ctx: SeedContext) -> None:
    """Create missing campaigns; raise a target when this scale equips more students (small, then
    region), never lower it (region, then small)."""
    rows = ctx.dataset.campaigns
    existing = {
        (year, establishment_id): (pk, target)
        for pk, year, establishment_id, target in DistributionCampaign.objects.filter(
            establishment_id__in=ctx.establishment_ids.values()
        ).values_list("pk", "school_year", "establishment_id", "target_students")
    }
    raised = []
    missing = []
    for r in rows:
        key = (r.school_year, ctx.establishment_ids[r.establishment_uai])
        if key not in existing:
            missing.append(
                DistributionCampaign(
                    school_year=r.school_year,
                    establishment_id=key[1],
                    target_students=r.target_students,
                    starts_on=r.starts_on,
                    ends_on=r.ends_on,
                )
            )
        elif existing[key][1] < r.target_students:
            raised.append(DistributionCampaign(pk=existing[key][0], target_students=r.target_students))
    ctx.progress.update(len(rows) - len(missing))
    _insert(ctx, DistributionCampaign, missing)
    DistributionCampaign.objects.bulk_update(raised, ["target_students"], batch_size=BATCH)


def _ensure_demo_accounts(ctx: SeedContext) -> None:
    """The demo accounts are what people log in with: whatever happened to them since the last run
    (a changed password, a deactivation, another role), put back their password, role and place,
    and give each demo student their laptop back if they hold none and nobody else holds it."""
    User = get_user_model()
    rows = {person.username: person for person in ctx.dataset.people if person.is_demo}
    users = list(User.objects.filter(username__in=rows))
    for account in users:
        row = rows[account.get_username()]
        account.password = ctx.password_hash(demo=True)
        account.is_active, account.is_staff, account.is_superuser = True, row.is_staff, False
    User.objects.bulk_update(users, ["password", "is_active", "is_staff", "is_superuser"])

    profiles = {profile.user_id: profile for profile in Profile.objects.filter(user__in=users)}
    for username, row in rows.items():
        profile = profiles.get(ctx.user_ids[username]) or Profile(user_id=ctx.user_ids[username])
        profile.role = row.role
        profile.establishment_id = ctx.establishment_ids[row.establishment_uai] if row.establishment_uai else None
        profile.zone_id = ctx.zone_ids[row.zone_code] if row.zone_code else None
        profiles[profile.user_id] = profile
    Profile.objects.bulk_update([p for p in profiles.values() if p.pk], ["role", "establishment", "zone"])
    Profile.objects.bulk_create([p for p in profiles.values() if not p.pk])

    wanted = {ctx.user_ids[username]: ctx.device_ids[serial] for username, serial in ctx.dataset.demo_devices.items()}
    busy = Assignment.objects.filter(returned_at__isnull=True).filter(
        models.Q(student_id__in=wanted) | models.Q(device_id__in=wanted.values())
    )
    busy_students, busy_devices = set(), set()
    for student_id, device_id in busy.values_list("student_id", "device_id"):
        busy_students.add(student_id)
        busy_devices.add(device_id)
    planned = {(a.serial_number, a.student): a for a in ctx.dataset.assignments if a.student in rows}
    restored = []
    for username, serial in ctx.dataset.demo_devices.items():
        student_id, device_id = ctx.user_ids[username], ctx.device_ids[serial]
        if student_id in busy_students or device_id in busy_devices:
            continue
        plan = planned[(serial, username)]
        restored.append(
            Assignment(
                device_id=device_id,
                student_id=student_id,
                handed_over_at=plan.handed_over_at,
                handed_over_by_id=ctx.user_ids.get(plan.handed_over_by or ""),
                channel=plan.channel,
            )
        )
    if restored:
        _insert(ctx, Assignment, restored, counts_as_rows=False)
        Device.objects.filter(pk__in=[a.device_id for a in restored]).update(status=Device.Status.ASSIGNED)


FLEET_STEPS: tuple[tuple[str, SeedStep], ...] = (
    ("zones", _write_zones),
    ("establishments", _write_establishments),
    ("device_models", _write_device_models),
    ("images", _write_images),
    ("people", _write_people),
    ("devices", _write_devices),
    ("coverages", _write_coverages),
    ("assignments", _write_assignments),
    ("campaigns", _write_campaigns),
    ("demo_accounts", _ensure_demo_accounts),
)


@transaction.atomic
def demo_data_write(*, dataset: DemoDataset, progress: Progress | None = None) -> SeedContext:
    """Write what is missing of `dataset`, then run the registered steps; all or nothing."""
    demo_data_check_allowed()
    ctx = SeedContext(dataset=dataset, progress=progress or _NoProgress())
    for _name, step in (*FLEET_STEPS, *_EXTRA_STEPS.items()):
        step(ctx)
    return ctx


def demo_data_seed(*, scale: Scale | str, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> SeedContext:
    """Generate and write a scale. Refused (DemoDataNotAllowed) where demo data is not allowed."""
    demo_data_check_allowed()
    return demo_data_write(dataset=demo_data_generate(scale=scale, seed=seed), progress=progress)
