"""The permission module: each role sees exactly its scope."""

import pytest
from django.contrib.auth.models import AnonymousUser

from devices import permissions
from devices.models import Role
from tests.devices.factories import (
    AssignmentFactory,
    DeviceFactory,
    EstablishmentFactory,
    UserFactory,
    ZoneFactory,
    make_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet():
    """Two zones, an establishment in each, a device in each, one at the depot."""
    north, south = ZoneFactory(code="north"), ZoneFactory(code="south")
    here, there = EstablishmentFactory(zone=north), EstablishmentFactory(zone=south, departement="34")
    return {
        "north": north,
        "here": here,
        "there": there,
        "device_here": DeviceFactory(establishment=here),
        "device_there": DeviceFactory(establishment=there),
        "device_depot": DeviceFactory(establishment=None),
    }


def visible(user) -> set:
    return set(permissions.visible_devices(user=user).values_list("serial_number", flat=True))


def test_student_sees_only_the_device_they_hold(fleet):
    student = make_person(Role.STUDENT, establishment=fleet["here"])
    AssignmentFactory(device=fleet["device_here"], student=student)
    assert visible(student) == {fleet["device_here"].serial_number}
    assert permissions.can_view_device(user=student, device=fleet["device_here"])
    assert not permissions.can_view_device(user=student, device=fleet["device_there"])


def test_student_no_longer_sees_a_returned_device(fleet):
    from devices.services import assignment_close

    student = make_person(Role.STUDENT, establishment=fleet["here"])
    assignment = AssignmentFactory(device=fleet["device_here"], student=student)
    assignment_close(assignment=assignment)
    assert visible(student) == set()


def test_staff_see_their_establishment_only(fleet):
    staff = make_person(Role.STAFF, establishment=fleet["here"])
    assert visible(staff) == {fleet["device_here"].serial_number}
    assert permissions.can_act_for_establishment(user=staff, establishment=fleet["here"])
    assert not permissions.can_act_for_establishment(user=staff, establishment=fleet["there"])
    assert not permissions.can_act_for_establishment(user=staff, establishment=None)


def test_zone_technician_sees_the_zone_and_the_depot(fleet):
    tech = make_person(Role.TECHNICIAN, zone=fleet["north"])
    assert visible(tech) == {fleet["device_here"].serial_number, fleet["device_depot"].serial_number}
    assert set(permissions.visible_establishments(user=tech)) == {fleet["here"]}
    assert permissions.can_act_for_establishment(user=tech, establishment=None)


def test_depot_technician_sees_every_establishment(fleet):
    tech = make_person(Role.TECHNICIAN, zone=ZoneFactory(code="depot", is_depot=True))
    assert len(visible(tech)) == 3


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SUPERVISOR])
def test_managers_and_supervisors_read_everything(fleet, role):
    assert len(visible(make_person(role))) == 3


def test_only_managers_change_reference_data():
    assert permissions.can_change_reference_data(make_person(Role.MANAGER))
    assert permissions.can_change_reference_data(UserFactory(is_superuser=True))
    for role in (Role.SUPERVISOR, Role.TECHNICIAN, Role.STAFF, Role.STUDENT):
        assert not permissions.can_change_reference_data(make_person(role))
    assert permissions.can_view_reference_data(make_person(Role.SUPERVISOR))
    assert not permissions.can_view_reference_data(make_person(Role.STUDENT))


def test_users_without_profile_and_anonymous_see_nothing(fleet):
    assert visible(UserFactory()) == set()
    assert visible(AnonymousUser()) == set()
    assert permissions.role_of(AnonymousUser()) is None
    assert not permissions.can_act_for_establishment(user=UserFactory(), establishment=fleet["here"])
