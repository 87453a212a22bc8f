"""The demo region's catalogue, built identically at every scale: 370 establishments with their zone,
lots and share of the region's laptops, the académies' master images, and the contractor's team.

Every random draw comes from a named stream of the seed (`Streams`), so that adding a draw in one
place never shifts the values drawn elsewhere.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from demo.fleet.identifiers import french_de, slug, uai_check_letter
from demo.fleet.names import (
    ADULT_FIRST_NAMES,
    DEPARTEMENTS,
    DEPOT_TECHNICIANS,
    IMAGE_NAME,
    IMAGES,
    LAST_NAMES,
    LOTS,
    PEOPLE_HONOURED,
    PINNED,
    PRIVATE_PATRONS,
    SHARED_CITIES,
    ZONE_SPLITS,
    ZONES,
)
from demo.fleet.rows import (
    DELIVERY_YEARS,
    DEPOT_ZONE_CODE,
    REGION_DEPOT_DEVICES,
    REGION_DEVICES,
    REGION_ESTABLISHMENTS,
    EstablishmentRow,
    ImageRow,
    PersonRow,
    ZoneRow,
)
from devices.models import Academie, Role


class Streams:
    """Named random streams of one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.salt = self.rng("salt").getrandbits(64)  # another seed, other serials and usernames

    def rng(self, *parts: object) -> random.Random:
        # String seeds are hashed with SHA-512 by random.Random: stable across runs and machines,
        # unlike hash(), which PYTHONHASHSEED randomises.
        return random.Random(":".join(str(part) for part in (self.seed, *parts)))


@dataclass(frozen=True)
class EstablishmentPlan:
    """An establishment of the catalogue, with what its devices are drawn from."""

    index: int
    row: EstablishmentRow
    pinned: bool
    region_devices: int
    lots: dict[int, tuple[str, str]]  # delivery year → model


@dataclass(frozen=True)
class Catalogue:
    plans: list[EstablishmentPlan]
    zones: list[ZoneRow]
    images: dict[str, list[ImageRow]]  # académie → images, oldest first (the last is current)
    contractor: list[PersonRow]  # technicians of every zone, depot technicians, managers, supervisors


def build_catalogue(streams: Streams) -> Catalogue:
    """The 370 establishments, their zones and images, and the contractor's people: the same at every scale."""
    rng = streams.rng("catalogue")
    zones = [ZoneRow(code, name) for code, name, _count in ZONES]
    zones.append(ZoneRow(DEPOT_ZONE_CODE, "Dépôt SAV", is_depot=True))
    plans: list[EstablishmentPlan] = []
    weights: list[float] = []
    for dep in DEPARTEMENTS:
        numbers = rng.sample(range(10, 2500), dep.establishments)
        used_names: set[tuple[str, str]] = set()
        pinned = PINNED.get(dep.code, ())
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
                name = establishment_name(rng, kind=kind, private=private, city=city, used=used_names)
            used_names.add((name, city))
            if city == SHARED_CITIES.get(dep.code):
                # Alternate so that both zones get their share of the big city.
                shared_city_count += 1
                zone_code = ZONE_SPLITS[dep.code][1 if shared_city_count % 2 else 0]
            elif dep.code in ZONE_SPLITS:
                listed_zone, other_zone, listed = ZONE_SPLITS[dep.code]
                zone_code = listed_zone if city in listed else other_zone
            else:
                zone_code = next(code for code, _n, _c in ZONES if code.startswith(f"z{dep.code}-"))
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
            lots = {year: rng.choice(LOTS[year]) for year in DELIVERY_YEARS}
            base = {"lgt": 1.25, "polyvalent": 1.4, "lp": 0.7, "agricole": 0.45, "erea": 0.2}[kind]
            weight = base * rng.uniform(0.6, 1.4) * (1.6 if position == 0 else 1.0)
            plans.append(EstablishmentPlan(len(plans), row, position < len(pinned), 0, lots))
            weights.append(weight)
    if len(plans) != REGION_ESTABLISHMENTS:
        raise AssertionError(f"the catalogue has {len(plans)} establishments, not {REGION_ESTABLISHMENTS}")
    sizes = allocate(REGION_DEVICES - REGION_DEPOT_DEVICES, weights)
    plans = [
        EstablishmentPlan(plan.index, plan.row, plan.pinned, size, plan.lots)
        for plan, size in zip(plans, sizes, strict=True)
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
                is_current=index == len(IMAGES) - 1,
            )
            for index, spec in enumerate(IMAGES)
        ]
    return Catalogue(plans, zones, images, contractor_people(streams))


def establishment_name(rng: random.Random, *, kind: str, private: bool, city: str, used: set[tuple[str, str]]) -> str:
    for _attempt in range(50):
        if private:
            patron = rng.choice(PRIVATE_PATRONS).replace("La-", "La ")
            prefix = {"lp": "Lycée professionnel privé", "agricole": "Lycée agricole privé"}.get(kind, "Lycée privé")
            name = f"{prefix} {patron}"
        else:
            honoured = rng.choice(PEOPLE_HONOURED)
            name = {
                "lgt": f"Lycée {honoured}",
                "polyvalent": f"Lycée polyvalent {honoured}",
                "lp": f"Lycée professionnel {honoured}",
                "agricole": f"Lycée agricole {honoured}" if rng.random() < 0.5 else f"Lycée agricole {french_de(city)}",
                "erea": f"EREA {honoured}",
            }[kind]
        if (name, city) not in used:
            return name
    return f"{name} – site {len(used) + 1}"


def contractor_people(streams: Streams) -> list[PersonRow]:
    """The contractor's team and the region's supervisors: generated whole at every scale (so
    their usernames never change), then filtered down to the zones a scale keeps."""
    rng = streams.rng("contractor")
    taken: set[str] = set()
    people: list[PersonRow] = []

    def person(role: str, zone_code: str | None, domain: str) -> PersonRow:
        first, last = rng.choice(ADULT_FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{slug(first)}.{slug(last)}"
        username, n = base, 1
        while username in taken:  # ".2" cannot clash with students (digits follow the name directly)
            n += 1
            username = f"{base}.{n}"
        taken.add(username)
        phone = f"+3363998{rng.randrange(10_000):04d}"  # ARCEP range reserved for fiction
        return PersonRow(username, first, last, f"{username}@{domain}", role, zone_code=zone_code, phone=phone)

    for code, _name, count in ZONES:
        people.extend(person(Role.TECHNICIAN, code, "sav.example.org") for _ in range(count))
    people.extend(person(Role.TECHNICIAN, DEPOT_ZONE_CODE, "sav.example.org") for _ in range(DEPOT_TECHNICIANS))
    people.extend(person(Role.MANAGER, None, "sav.example.org") for _ in range(5))
    people.extend(person(Role.SUPERVISOR, None, "laregion.example.org") for _ in range(2))
    return people


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights`, in integers that add up exactly (largest remainder)."""
    scale = total / sum(weights)
    shares = [weight * scale for weight in weights]
    sizes = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (sizes[i] - shares[i], i))
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes
