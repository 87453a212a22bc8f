"""The fleet generator: a scale's rows from the catalogue, without touching the database.

Why `small` is a subset of `region`: both scales build the same catalogue of 370 establishments,
every establishment draws its people and devices from its own random stream (seeded by its UAI),
and `small` keeps a few pinned establishments and only the first devices of each. The first devices
of an establishment are therefore the same at both scales, with the same serials and holders.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence

from demo.fleet.catalogue import Catalogue, EstablishmentPlan, Streams, build_catalogue
from demo.fleet.identifiers import mix, months_later, september_business_days, serial_number, slug
from demo.fleet.names import ACCIDENTAL_PROVIDERS, ADULT_FIRST_NAMES, LAST_NAMES, LOTS, MODELS, STUDENT_FIRST_NAMES
from demo.fleet.rows import (
    DEFAULT_SEED,
    DELIVERY_YEAR_WEIGHTS,
    DELIVERY_YEARS,
    DEMO_MANAGER,
    DEMO_STAFF,
    DEMO_STUDENT,
    DEMO_STUDENT_OTHER,
    DEMO_TECH,
    DEPOT_GID,
    DEPOT_ZONE_CODE,
    PARIS,
    PER_ESTABLISHMENT,
    REGION_DEPOT_DEVICES,
    SCHOOL_YEAR,
    SMALL_DEPOT_DEVICES,
    SMALL_DEVICES_PER_ESTABLISHMENT,
    SPARE_EVERY,
    SPARE_POSITION,
    AssignmentRow,
    CampaignRow,
    CoverageRow,
    DemoDataset,
    DeviceModelRow,
    DeviceRow,
    EstablishmentRow,
    ImageRow,
    PersonRow,
    Scale,
)
from devices.models import Academie, Assignment, Device, Role, WarrantyCoverage


class DemoFleetGenerator:
    """Builds a DemoDataset from a seed. Pure: same seed and scale, same rows; no database."""

    def __init__(self, *, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed
        self._streams = Streams(seed)
        self._salt = self._streams.salt
        self._rng = self._streams.rng
        self._catalogue: Catalogue = build_catalogue(self._streams)

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
            device_models=list(MODELS),
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
            first, last = rng.choice(ADULT_FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) in names:
                continue
            names.add((first, last))
            username = f"{slug(first)}.{slug(last)}.{establishment.uai.lower()}"
            email = f"{slug(first)}.{slug(last)}@ac-{establishment.academie}.example.org"
            people.append(PersonRow(username, first, last, email, Role.STAFF, establishment_uai=establishment.uai))
        return people

    def _establishment_fleet(
        self,
        data: DemoDataset,
        plan: EstablishmentPlan,
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
        models = {model.key: model for model in MODELS}
        # A fixed number of draws before the devices, for the same reason.
        batch_dates = {year: dt.date(year, rng.choice((7, 8)), rng.randint(1, 28)) for year in DELIVERY_YEARS}
        first_assignment = len(data.assignments)
        waiting = 0

        def student(sid: int, *, is_active: bool = True) -> str:
            first, last = rng.choice(STUDENT_FIRST_NAMES), rng.choice(LAST_NAMES)
            # The number is a bijection of the student's own number: unique without a lookup.
            username = f"{slug(first)}.{slug(last)}{mix(sid, bits=21, salt=self._salt)}"
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
            days = september_business_days(year)
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
            gid = plan.index * PER_ESTABLISHMENT + position
            is_demo = position == 0 and demo_holder is not None
            year = 2026 if is_demo else rng.choices(DELIVERY_YEARS, weights=DELIVERY_YEAR_WEIGHTS)[0]
            model = models[plan.lots[year]]
            delivered_on = batch_dates[year]
            status = Device.Status.ASSIGNED if is_demo else _status(rng, position=position, year=year)
            image = images[-1] if is_demo else _image(rng, images=images, year=year, delivered_on=delivered_on)
            serial = serial_number(model, gid=gid, made_on=delivered_on - dt.timedelta(days=40), salt=self._salt)
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
        models = {model.key: model for model in MODELS}
        for position in range(count):
            gid = DEPOT_GID + position
            fresh = rng.random() < 0.7
            year = 2026 if fresh else rng.choice(DELIVERY_YEARS[:-1])
            model = models[rng.choice(LOTS[year])]
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
            serial = serial_number(model, gid=gid, made_on=delivered_on - dt.timedelta(days=40), salt=self._salt)
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
    lot_ref = f"{model.manufacturer[:3].upper()}-{year}-{gid // PER_ESTABLISHMENT:03d}"
    manufacturer_end = months_later(delivered_on, model.warranty_months)
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
                months_later(start, months),
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
                ACCIDENTAL_PROVIDERS[gid % len(ACCIDENTAL_PROVIDERS)],
                f"ADP-{year}-{gid:06d}",
                delivered_on,
                months_later(delivered_on, 36),
                claims_cap=cap,
                claims_used=used,
            )
        )
    return rows


def demo_data_generate(*, scale: Scale | str, seed: int = DEFAULT_SEED) -> DemoDataset:
    """The rows of a scale, without touching the database."""
    return DemoFleetGenerator(seed=seed).generate(scale=Scale(scale))
