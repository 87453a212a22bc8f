"""The written fleet, read once for the ticket generator: a dozen `values()` queries whatever the scale."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo.fleet.rows import DEMO_STAFF, DEMO_STUDENT, DEMO_STUDENT_OTHER, DEMO_TECH, PARIS, DemoDataset
from demo.fleet.writer import SeedContext
from demo.tickets.drafts import DemoFleet, DemoPeople, FleetDevice, Holding, ImageInfo
from devices.models import Assignment, Device, Establishment, MasterImage, Profile, Role, WarrantyCoverage
from repairs.models import Ticket


def demo_now(dataset: DemoDataset) -> dt.datetime:
    """The demo's present: the wall clock, so that the open queue is as fresh as the day seed_demo
    ran (due dates and "at risk" then mean something), but never before the fleet's last recorded
    event (a laptop handed over, a loss declared), which the tickets must follow."""
    latest = max(
        (a.returned_at or a.handed_over_at for a in dataset.assignments),
        default=dt.datetime(2000, 1, 1, tzinfo=PARIS),
    )
    return max(timezone.now(), latest + dt.timedelta(days=1))


def _device(row: dict) -> FleetDevice:
    return FleetDevice(
        pk=row["pk"],
        serial=row["serial_number"],
        status=row["status"],
        establishment_id=row["establishment_id"],
        place_id=row["establishment_id"],
        manufacturer=row["model__manufacturer"],
        model=f"{row['model__manufacturer']} {row['model__name']}",
        delivered_on=row["delivered_on"],
        image_id=row["image_id"],
    )


def load_demo_fleet(ctx: SeedContext) -> DemoFleet:
    """The devices of the dataset that have no ticket yet, with their holders and coverages, the
    spare pools, and the people around them."""
    dataset = ctx.dataset
    ticketed: set[int] = set()
    ticketed_establishments: set[int | None] = set()
    for device_id, replacement_id, establishment_id in Ticket.objects.values_list(
        "device_id", "replacement_id", "establishment_id"
    ).distinct():
        # A replacement's story started with the ticket that gave it: it has one.
        ticketed.update((device_id, replacement_id))
        ticketed_establishments.add(establishment_id)
    demo_students = {ctx.user_ids.get(DEMO_STUDENT): set(), ctx.user_ids.get(DEMO_STUDENT_OTHER): set()}
    order = {
        ctx.device_ids[row.serial_number]: position
        for position, row in enumerate(dataset.devices)
        if row.serial_number in ctx.device_ids
    }
    wanted = {pk for pk in order if pk not in ticketed}

    devices: dict[int, FleetDevice] = {}
    spares: dict[int | None, list[FleetDevice]] = defaultdict(list)
    for row in Device.objects.order_by("serial_number").values(
        "pk", "serial_number", "status", "establishment_id", "image_id", "delivered_on",
        "model__manufacturer", "model__name",
    ):  # fmt: skip
        if row["status"] == Device.Status.SPARE:
            spares[row["establishment_id"]].append(_device(row))
        elif row["pk"] in wanted:
            devices[row["pk"]] = _device(row)
    # What earlier runs lent from the pools: a draft never takes a spare that was out then, so that
    # a laptop refused a spare in a run is refused again in the next, and gets no ticket there either.
    on_shelf = {spare.pk: spare for pool in spares.values() for spare in pool}
    for loaner_id, lent, back in Ticket.objects.filter(loaner__status=Device.Status.SPARE).values_list(
        "loaner_id", "loaner_lent_at", "loaner_returned_at"
    ):
        on_shelf[loaner_id].loans.append((lent.astimezone(PARIS), back and back.astimezone(PARIS)))
    for pk, device_id, student_id, start, end, channel, by in Assignment.objects.order_by(
        "handed_over_at", "pk"
    ).values_list("pk", "device_id", "student_id", "handed_over_at", "returned_at", "channel", "handed_over_by_id"):
        if end is None and student_id in demo_students:
            demo_students[student_id].add(device_id)
        if device_id in devices:
            # Paris time: the generator's working hours are Paris hours, the database answers in UTC.
            devices[device_id].holdings.append(
                Holding(pk, student_id, start.astimezone(PARIS), end and end.astimezone(PARIS), channel, by)
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
    usernames = dict(
        get_user_model()
        .objects.filter(profile__role=Role.TECHNICIAN, is_active=True)
        .values_list("pk", get_user_model().USERNAME_FIELD)
    )
    images: dict[str, list[ImageInfo]] = defaultdict(list)
    for pk, academie, version, released_on in MasterImage.objects.order_by("released_on", "pk").values_list(
        "pk", "academie", "version", "released_on"
    ):
        images[academie].append(ImageInfo(pk, academie, version, released_on))

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
        usernames=usernames,
        images=dict(images),
        spares=dict(spares),
        people=people,
        pin_demo_scenarios=demo_establishment not in ticketed_establishments,
    )
