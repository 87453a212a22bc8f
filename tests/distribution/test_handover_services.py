"""The hand-over desk's rules, each refused with its reason and nothing written."""

import datetime as dt

import pytest
from django.utils import timezone

from devices.models import Assignment, Device, Role
from distribution import services
from distribution.exceptions import Conflict, Forbidden, Invalid, NotVisible
from distribution.models import HandoverEvent
from notifications.models import Notification
from repairs.models import Ticket
from tests.devices.factories import EstablishmentFactory, MasterImageFactory, make_person
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_desk_world()


def hand_over(world, *, actor=None, student=None, device=None, **kwargs):
    kwargs.setdefault("charter_signed", True)
    return services.handover_record(
        actor=actor or world.staff,
        student=student or world.students[0],
        device=device or world.laptops[0],
        **kwargs,
    )


def snapshot():
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "device_id", "student_id", "returned_at")),
        list(Device.objects.order_by("pk").values_list("pk", "status", "image_id")),
        HandoverEvent.objects.count(),
        Notification.objects.count(),
        Ticket.objects.count(),
    )


def refused(world, error, rule, **kwargs):
    before = snapshot()
    with pytest.raises(error) as caught:
        hand_over(world, **kwargs)
    assert caught.value.rule == rule, caught.value.message
    assert snapshot() == before
    return caught.value


def test_hand_over_lends_the_laptop_and_writes_one_history_row(world):
    result = hand_over(world)

    assignment = result.assignment
    assert (assignment.device, assignment.student, assignment.handed_over_by) == (
        world.laptops[0],
        world.students[0],
        world.staff,
    )
    assert assignment.delivered_at == assignment.handed_over_at
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.ASSIGNED
    event = HandoverEvent.objects.get()
    assert (event.kind, event.actor, event.payload["charter"]) == ("handed_over", world.staff, "2026")


def test_a_laptop_already_assigned_is_refused(world):
    hand_over(world)
    error = refused(world, Conflict, "device_assigned", student=world.students[1])
    assert "déjà" in error.message or "already" in error.message


def test_a_laptop_of_another_establishment_is_refused(world):
    neighbour = EstablishmentFactory(zone=world.establishment.zone, departement="31")
    refused(
        world, Invalid, "device_other_establishment", actor=world.tech, device=world.laptop(establishment=neighbour)
    )


@pytest.mark.parametrize("status", [Device.Status.IN_REPAIR, Device.Status.AT_MANUFACTURER])
def test_a_laptop_in_repair_is_refused(world, status):
    refused(world, Conflict, "device_in_repair", device=world.laptop(status=status))


def test_a_laptop_in_stock_with_an_open_ticket_is_refused(world):
    laptop = world.laptops[0]
    world.declare(device=laptop, by=world.staff)
    refused(world, Conflict, "device_in_repair", device=laptop)


@pytest.mark.parametrize("status", [Device.Status.RETIRED, Device.Status.LOST])
def test_a_retired_or_lost_laptop_is_refused(world, status):
    refused(world, Conflict, "device_retired_or_lost", device=world.laptop(status=status))


def test_a_student_already_equipped_is_refused(world):
    hand_over(world)
    error = refused(world, Conflict, "student_equipped", device=world.laptops[1])
    assert error.details["previous_device"] == world.laptops[0].serial_number


def test_a_student_returning_the_previous_laptop_in_the_same_step_is_equipped(world):
    first = hand_over(world).assignment

    result = hand_over(world, device=world.laptops[1], return_previous=True)

    assert Assignment.objects.get(pk=first.pk).returned_at == result.assignment.handed_over_at
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.IN_STOCK
    assert result.returned == first
    assert HandoverEvent.objects.filter(kind="returned", assignment=first).exists()


def test_the_charter_must_be_signed(world):
    refused(world, Invalid, "charter_not_signed", charter_signed=False)


def test_an_outdated_image_is_flagged_until_the_person_decides(world):
    old = MasterImageFactory(academie="toulouse", version="2025.4")
    laptop = world.laptop(image=old)

    error = refused(world, Invalid, "image_outdated", device=laptop)

    assert (error.details["running"], error.details["current"]) == ("2025.4", "2026.1")


def test_an_outdated_image_is_reimaged_on_the_spot_when_the_person_confirms(world):
    laptop = world.laptop(image=MasterImageFactory(academie="toulouse", version="2025.4"))

    result = hand_over(world, device=laptop, reimage=True)

    assert result.reimaged
    assert Device.objects.get(pk=laptop.pk).image == world.image
    reimaged = HandoverEvent.objects.get(kind="reimaged")
    assert reimaged.payload == {"device": laptop.serial_number, "from": "2025.4", "to": "2026.1"}


def test_an_outdated_image_may_be_handed_over_as_it_is_and_that_is_recorded(world):
    laptop = world.laptop(image=MasterImageFactory(academie="toulouse", version="2025.4"))

    result = hand_over(world, device=laptop, reimage=False)

    assert not result.reimaged
    assert Device.objects.get(pk=laptop.pk).image.version == "2025.4"
    assert HandoverEvent.objects.get(kind="handed_over").payload["image_outdated"] == {
        "running": "2025.4",
        "current": "2026.1",
    }


def test_a_current_image_needs_no_decision(world):
    assert not hand_over(world).reimaged


# Who may


def test_a_technician_of_the_zone_may_hand_over(world):
    assert hand_over(world, actor=world.tech).assignment.handed_over_by == world.tech


@pytest.mark.parametrize("who", ["other_staff", "other_tech", "supervisor", "student"])
def test_people_outside_the_establishment_do_not_see_the_student(world, who):
    refused(world, NotVisible, "student_not_found", actor=getattr(world, who))


def test_a_laptop_the_person_may_not_see_is_not_found(world):
    there = world.other_establishment
    refused(world, NotVisible, "device_not_found", device=world.laptop(establishment=there))


def test_permission_is_checked_before_state_and_state_before_conditions(world):
    hand_over(world)
    # Not visible beats everything; an assigned laptop beats an unsigned charter.
    refused(world, NotVisible, "student_not_found", actor=world.other_staff, charter_signed=False)
    refused(world, Conflict, "device_assigned", student=world.students[1], charter_signed=False)


# Undo


def test_the_author_undoes_a_hand_over_within_ten_minutes(world):
    assignment = hand_over(world).assignment

    services.handover_undo(
        actor=world.staff, assignment=assignment, now=assignment.handed_over_at + dt.timedelta(minutes=9)
    )

    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.IN_STOCK
    undone = HandoverEvent.objects.get(kind="undone")
    assert (undone.actor, undone.device, undone.student) == (world.staff, world.laptops[0], world.students[0])
    # The student may be equipped again at once.
    hand_over(world, device=world.laptops[1])


def test_undo_after_ten_minutes_is_refused(world):
    assignment = hand_over(world).assignment
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        services.handover_undo(
            actor=world.staff, assignment=assignment, now=assignment.handed_over_at + dt.timedelta(minutes=11)
        )

    assert caught.value.rule == "undo_too_late"
    assert snapshot() == before


def test_only_the_author_may_undo(world):
    assignment = hand_over(world).assignment
    colleague = make_person(Role.STAFF, establishment=world.establishment)

    with pytest.raises(Forbidden):
        services.handover_undo(actor=colleague, assignment=assignment)
    with pytest.raises(NotVisible):
        services.handover_undo(actor=world.other_staff, assignment=assignment)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_undo_gives_the_student_back_the_laptop_returned_in_the_same_step(world):
    first = hand_over(world).assignment
    second = hand_over(world, device=world.laptops[1], return_previous=True).assignment

    services.handover_undo(actor=world.staff, assignment=second)

    assert Assignment.objects.get(pk=first.pk).returned_at is None
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.ASSIGNED
    assert Device.objects.get(pk=world.laptops[1].pk).status == Device.Status.IN_STOCK


def test_undo_restores_a_spare_to_the_spare_pool(world):
    spare = world.laptop(status=Device.Status.SPARE)
    assignment = hand_over(world, device=spare).assignment

    services.handover_undo(actor=world.staff, assignment=assignment)

    assert Device.objects.get(pk=spare.pk).status == Device.Status.SPARE


def test_the_desk_offers_undo_to_the_author_for_ten_minutes(world):
    assignment = hand_over(world).assignment
    later = assignment.handed_over_at + dt.timedelta(minutes=10, seconds=1)

    assert services.handover_undoable(user=world.staff, assignment=assignment)
    assert not services.handover_undoable(user=world.tech, assignment=assignment)
    assert not services.handover_undoable(user=world.staff, assignment=assignment, now=later)


def test_a_hand_over_is_recorded_at_the_time_given(world):
    at = timezone.now() - dt.timedelta(hours=1)
    assert hand_over(world, at=at).assignment.handed_over_at == at
