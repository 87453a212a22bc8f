"""The world of the hand-over desk tests: the repairs' small world, plus students to equip and
laptops in stock, built through the real services."""

from dataclasses import dataclass

from devices.models import Device, Role
from tests.devices.factories import DeviceFactory, make_person
from tests.repairs.factories import World, build_world


@dataclass
class DeskWorld:
    base: World
    students: list
    laptops: list[Device]

    def __getattr__(self, name):
        return getattr(self.base, name)

    def laptop(self, **fields) -> Device:
        fields.setdefault("establishment", self.base.establishment)
        fields.setdefault("image", self.base.image)
        return DeviceFactory(**fields)

    def new_student(self, **fields):
        fields.setdefault("establishment", self.base.establishment)
        return make_person(Role.STUDENT, **fields)


def build_desk_world(*, students: int = 3) -> DeskWorld:
    base = build_world()
    world = DeskWorld(base=base, students=[], laptops=[])
    world.students = [
        world.new_student(
            username=f"eleve-{n}", first_name=f"Prénom{n}", last_name=f"Nom{n}", email=f"eleve{n}@example.org"
        )
        for n in range(students)
    ]
    for index, student in enumerate(world.students):
        student.profile.student_number = f"2026-{index:03d}"
        student.profile.class_name = "2NDE 1"
        student.profile.save()
    world.laptops = [world.laptop(serial_number=f"PC{n:06d}", asset_tag=f"RO-9{n:05d}") for n in range(students)]
    return world
