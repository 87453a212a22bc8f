import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from devices.models import Assignment, Device, MasterImage
from devices.services import assignment_close, assignment_hand_over, master_image_make_current
from tests.devices.factories import DeviceFactory, MasterImageFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_making_an_image_current_retires_the_previous_one_of_the_same_academie_only():
    old = MasterImageFactory(academie="toulouse", is_current=True)
    other = MasterImageFactory(academie="montpellier", is_current=True)
    new = MasterImageFactory(academie="toulouse")
    master_image_make_current(image=new)
    current = set(MasterImage.objects.filter(is_current=True))
    assert current == {new, other}
    assert old not in current


def test_hand_over_assigns_the_device_and_marks_it_assigned():
    device, student, staff = DeviceFactory(status=Device.Status.SPARE), UserFactory(), UserFactory()
    assignment = assignment_hand_over(device=device, student=student, actor=staff)
    assert assignment.handed_over_by == staff
    assert Device.objects.get(pk=device.pk).status == Device.Status.ASSIGNED


def test_hand_over_refuses_a_device_already_held_and_changes_nothing():
    device = DeviceFactory()
    first = UserFactory()
    assignment_hand_over(device=device, student=first)
    with pytest.raises(ValidationError, match="déjà attribué"):
        assignment_hand_over(device=device, student=UserFactory())
    assert list(Assignment.objects.values_list("student", flat=True)) == [first.pk]


def test_hand_over_refuses_a_student_who_already_holds_a_device():
    student = UserFactory()
    assignment_hand_over(device=DeviceFactory(), student=student)
    other = DeviceFactory()
    with pytest.raises(ValidationError, match="détient déjà"):
        assignment_hand_over(device=other, student=student)
    assert Device.objects.get(pk=other.pk).status == Device.Status.IN_STOCK


@pytest.mark.parametrize("status", [Device.Status.RETIRED, Device.Status.LOST])
def test_hand_over_refuses_a_retired_or_lost_device(status):
    with pytest.raises(ValidationError):
        assignment_hand_over(device=DeviceFactory(status=status), student=UserFactory())
    assert not Assignment.objects.exists()


def test_home_delivery_needs_a_tracking_number():
    with pytest.raises(ValidationError, match="numéro de suivi"):
        assignment_hand_over(device=DeviceFactory(), student=UserFactory(), channel="carrier")
    assignment = assignment_hand_over(
        device=DeviceFactory(), student=UserFactory(), channel="carrier", tracking_number=" 6A123456789 "
    )
    assert assignment.tracking_number == "6A123456789"


def test_closing_an_assignment_frees_the_device_and_the_student():
    student = UserFactory()
    assignment = assignment_hand_over(device=DeviceFactory(), student=student)
    assignment_close(assignment=assignment, at=assignment.handed_over_at + dt.timedelta(days=1))
    assert Device.objects.get(pk=assignment.device_id).status == Device.Status.IN_STOCK
    assignment_hand_over(device=DeviceFactory(), student=student)  # may hold a new one
    with pytest.raises(ValidationError):
        assignment_close(assignment=assignment)
