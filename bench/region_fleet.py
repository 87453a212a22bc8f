"""The region's fleet and people for bench/region_data.py: zones, establishments, laptops,
technicians, staff, students holding the laptops."""

from __future__ import annotations

import datetime as dt
import random

DEVICES, ESTABLISHMENTS, ZONES = 61_000, 370, 26
BATCH = 5000


def fleet_build(rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from demo.fleet.names import LAST_NAMES as _LAST_NAMES
    from demo.fleet.names import STUDENT_FIRST_NAMES as _STUDENT_FIRST_NAMES
    from devices.models import (
        ACADEMIE_DEPARTEMENTS,
        Assignment,
        Device,
        DeviceModel,
        Establishment,
        MasterImage,
        Profile,
        Role,
        Zone,
    )

    User = get_user_model()
    password = make_password("bench")
    zones = Zone.objects.bulk_create([Zone(code=f"z{n:02d}", name=f"Zone {n:02d}") for n in range(ZONES)])
    depot = Zone.objects.create(code="depot", name="Dépôt", is_depot=True)
    departements = [d for deps in ACADEMIE_DEPARTEMENTS.values() for d in deps]
    academie_of = {d: a for a, deps in ACADEMIE_DEPARTEMENTS.items() for d in deps}
    establishments = Establishment.objects.bulk_create(
        [
            Establishment(
                uai=f"{(dep := departements[n % len(departements)])}{n:05d}{'ABCDEFGHJK'[n % 10]}",
                name=f"Lycée {n:03d}",
                city=f"Ville {n % 90}",
                departement=dep,
                academie=academie_of[dep],
                zone=zones[n % ZONES],
            )
            for n in range(ESTABLISHMENTS)
        ]
    )
    models = DeviceModel.objects.bulk_create(
        [
            DeviceModel(manufacturer=m, name=n)
            for m, n in (("Dell", "Latitude 3140"), ("HP", "ProBook G9"), ("Lenovo", "300e"))
        ]
    )
    images = {
        academie: MasterImage.objects.create(
            name="Mon cartable numérique",
            version="2026.1",
            academie=academie,
            released_on=dt.date(2026, 8, 20),
            is_current=True,
        )
        for academie in ACADEMIE_DEPARTEMENTS
    }
    devices = []
    for n in range(DEVICES):
        place = None if n % 50 == 49 else establishments[n % ESTABLISHMENTS]  # 2 % at the depot
        status = (
            Device.Status.IN_STOCK
            if place is None
            else (Device.Status.SPARE if n % 20 == 7 else Device.Status.ASSIGNED)
        )
        devices.append(
            Device(
                serial_number=f"PF{n:08d}",
                asset_tag=f"RO-{n:06d}",
                model=models[n % 3],
                establishment=place,
                status=status,
                image=images[place.academie] if place else None,
                delivered_on=dt.date(2024, 8, 26),
            )
        )
    devices = Device.objects.bulk_create(devices, batch_size=BATCH)
    staff_users = User.objects.bulk_create(
        [User(username="manager", password=password), User(username="supervisor", password=password)]
        + [
            User(username=f"tech{n:03d}", first_name="Tech", last_name=f"{n:03d}", password=password)
            for n in range(104)
        ]
        + [
            User(username=f"staff{n:03d}", first_name="Référent", last_name=f"{n:03d}", password=password)
            for n in range(ESTABLISHMENTS)
        ]
    )
    manager, supervisor, techs, staff = staff_users[0], staff_users[1], staff_users[2:106], staff_users[106:]
    held = [d for d in devices if d.status == Device.Status.ASSIGNED]
    students = User.objects.bulk_create(
        [
            User(
                username=f"eleve{n:05d}",
                first_name=rng.choice(_STUDENT_FIRST_NAMES),
                last_name=rng.choice(_LAST_NAMES).replace("_", " "),
                email=f"eleve{n:05d}@ac-region.example",
                password=password,
            )
            for n in range(len(held))
        ],
        batch_size=BATCH,
    )
    Profile.objects.bulk_create(
        [Profile(user=manager, role=Role.MANAGER), Profile(user=supervisor, role=Role.SUPERVISOR)]
        + [
            Profile(user=u, role=Role.TECHNICIAN, zone=zones[n % ZONES] if n < 100 else depot)
            for n, u in enumerate(techs)
        ]
        + [Profile(user=u, role=Role.STAFF, establishment=establishments[n]) for n, u in enumerate(staff)]
        + [
            Profile(user=u, role=Role.STUDENT, establishment=d.establishment)
            for u, d in zip(students, held, strict=True)
        ],
        batch_size=BATCH,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                device=d, student=u, handed_over_at=(at := dt.datetime(2024, 9, 3, 9, tzinfo=dt.UTC)), delivered_at=at
            )
            for u, d in zip(students, held, strict=True)
        ],
        batch_size=BATCH,
    )
    zone_techs: dict = {}
    for n, tech in enumerate(techs[:100]):
        zone_techs.setdefault(zones[n % ZONES].pk, []).append(tech.pk)
    return {
        "devices": devices,
        "holder": {d.pk: u.pk for u, d in zip(students, held, strict=True)},
        "staff_of": {e.pk: s.pk for e, s in zip(establishments, staff, strict=True)},
        "zone_of": {e.pk: e.zone_id for e in establishments},
        "zone_techs": zone_techs,
        "depot_techs": [t.pk for t in techs[100:]],
        "students": {u.pk: u for u in students},
        "people": {"manager": manager, "supervisor": supervisor, "technician": techs[0], "staff": staff[0]},
    }
