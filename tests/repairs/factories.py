"""A small world for ticket tests, built through the real services."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from devices.models import Device, Role
from devices.services import assignment_hand_over
from repairs.models import Ticket
from repairs.services import ticket_declare
from tests.devices.factories import (
    CoverageFactory,
    DeviceFactory,
    EstablishmentFactory,
    MasterImageFactory,
    ZoneFactory,
    make_person,
)
from tests.once import kept_and_copied


@dataclass
class World:
    establishment: object
    other_establishment: object
    image: object
    device: Device
    spare: Device
    student: object
    other_student: object
    staff: object
    other_staff: object
    tech: object
    other_tech: object
    manager: object
    supervisor: object

    def declare(self, *, category: str = "screen", by=None, device=None, **kwargs) -> Ticket:
        return ticket_declare(
            device=device or self.device,
            reporter=by or self.student,
            category=category,
            description=kwargs.pop("description", "L'écran reste noir."),
            **kwargs,
        )

    def people(self) -> dict[str, object]:
        return {
            "student": self.student,
            "other_student": self.other_student,
            "staff": self.staff,
            "other_staff": self.other_staff,
            "technician": self.tech,
            "other_technician": self.other_tech,
            "manager": self.manager,
            "supervisor": self.supervisor,
        }


def build_world() -> World:
    zone, other_zone = ZoneFactory(code="z31"), ZoneFactory(code="z34")
    here = EstablishmentFactory(zone=zone, departement="31", uai="0310024H", name="Lycée Pierre-de-Fermat")
    there = EstablishmentFactory(zone=other_zone, departement="34", uai="0340005B", name="Lycée Joffre")
    image = MasterImageFactory(academie="toulouse", is_current=True, version="2026.1")
    MasterImageFactory(academie="montpellier", is_current=True, version="2026.1-M")
    device = DeviceFactory(establishment=here, image=image, delivered_on=dt.date(2025, 9, 1))
    CoverageFactory(device=device, starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2028, 8, 31))
    spare = DeviceFactory(establishment=here, image=image, status=Device.Status.SPARE)
    student = make_person(Role.STUDENT, establishment=here, username="eleve")
    assignment_hand_over(device=device, student=student)
    other_student = make_person(Role.STUDENT, establishment=there, username="eleve-autre")
    assignment_hand_over(device=DeviceFactory(establishment=there, image=image), student=other_student)
    return World(
        establishment=here,
        other_establishment=there,
        image=image,
        device=Device.objects.get(pk=device.pk),
        spare=spare,
        student=student,
        other_student=other_student,
        staff=make_person(Role.STAFF, establishment=here, username="referent"),
        other_staff=make_person(Role.STAFF, establishment=there, username="referent-autre"),
        tech=make_person(Role.TECHNICIAN, zone=zone, username="tech"),
        other_tech=make_person(Role.TECHNICIAN, zone=other_zone, username="tech-autre"),
        manager=make_person(Role.MANAGER, username="manager"),
        supervisor=make_person(Role.SUPERVISOR, username="supervisor"),
    )


def force_state(ticket: Ticket, state: str, **fields) -> Ticket:
    """Put a ticket in `state` directly (test set-up only: the app never writes state but by transition)."""
    Ticket.objects.filter(pk=ticket.pk).update(state=state, **fields)
    return Ticket.objects.select_related("establishment", "device").get(pk=ticket.pk)


def world_fixtures(build: Callable[[], World] = build_world):
    """The `world` fixture of a module whose database tests all want one, as
    `module_world, world = world_fixtures(...)`: its rows are written once, by `build`, for the
    module (tests/once.py); each test gets its own copy of the instances, and its changes to the
    rows are undone after it. Only a test that builds a world of its own cannot live beside it."""
    return kept_and_copied(build, kept="module_world", copied="world")
