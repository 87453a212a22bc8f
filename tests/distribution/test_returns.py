"""Returns at the end of schooling: the condition is noted, a damaged laptop gets a repair ticket
of the right category, and the laptop goes back to the pool."""

import pytest

from devices.models import Assignment, Device
from distribution import services
from distribution.exceptions import Conflict, Invalid, NotVisible
from distribution.models import HandoverEvent
from repairs.models import Ticket
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_desk_world()
    world.assignment = services.handover_record(
        actor=world.staff, student=world.students[0], device=world.laptops[0], charter_signed=True
    ).assignment
    return world


def test_a_laptop_in_good_condition_goes_back_to_the_pool(world):
    result = services.return_record(actor=world.staff, device=world.laptops[0], condition="good")

    assert Assignment.objects.get(pk=world.assignment.pk).returned_at is not None
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.IN_STOCK
    assert result.ticket is None
    event = HandoverEvent.objects.get(kind="returned")
    assert (event.condition, event.student) == ("good", world.students[0])
    assert not Ticket.objects.filter(device=world.laptops[0]).exists()


def test_a_damaged_laptop_opens_a_ticket_of_its_category(world):
    result = services.return_record(
        actor=world.staff, device=world.laptops[0], condition="damaged", category="screen", note="Écran fissuré"
    )

    ticket = Ticket.objects.get(device=world.laptops[0])
    assert result.ticket == ticket
    assert (ticket.category, ticket.description, ticket.reporter, ticket.state) == (
        "screen",
        "Écran fissuré",
        world.staff,
        "declared",
    )
    assert Device.objects.get(pk=world.laptops[0].pk).status == Device.Status.IN_STOCK
    assert HandoverEvent.objects.get(kind="returned").payload == {"ticket": ticket.reference}
    # In the pool, but not to be handed over before its repair.
    with pytest.raises(Conflict):
        services.handover_record(
            actor=world.staff, student=world.students[1], device=world.laptops[0], charter_signed=True
        )


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"condition": "broken"}, "condition"),
        ({"condition": "damaged", "category": "", "note": "x"}, "damage_category"),
        ({"condition": "damaged", "category": "theft_loss", "note": "x"}, "damage_category"),
        ({"condition": "damaged", "category": "keyboard", "note": " "}, "damage_note"),
    ],
)
def test_a_return_needs_its_condition_and_what_is_damaged(world, fields, rule):
    with pytest.raises(Invalid) as caught:
        services.return_record(actor=world.staff, device=world.laptops[0], **fields)
    assert caught.value.rule == rule
    assert Assignment.objects.get(pk=world.assignment.pk).returned_at is None
    assert not Ticket.objects.exists() or not Ticket.objects.filter(device=world.laptops[0]).exists()


def test_a_laptop_nobody_holds_cannot_be_returned(world):
    with pytest.raises(Conflict):
        services.return_record(actor=world.staff, device=world.laptops[1], condition="good")


def test_staff_elsewhere_do_not_see_the_laptop(world):
    with pytest.raises(NotVisible):
        services.return_record(actor=world.other_staff, device=world.laptops[0], condition="good")
    assert Assignment.objects.get(pk=world.assignment.pk).returned_at is None
