"""Home delivery: a hand-over by carrier is shipped, then delivered, confirmed by staff or by the
student; the student is told at shipping, the other party at delivery, through the outbox."""

import pytest

from devices.models import Assignment
from distribution import services
from distribution.carriers import tracking_url
from distribution.exceptions import Conflict, Invalid, NotVisible
from distribution.models import HandoverEvent
from notifications.models import Notification
from tests.distribution.desk_world import build_desk_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_desk_world()
    world.staff.email = "referent@example.org"
    world.staff.save()
    return world


def ship(world, **kwargs):
    kwargs.setdefault("carrier", "colissimo")
    kwargs.setdefault("tracking_number", "6a 123 456 789 01")
    return services.handover_record(
        actor=world.staff,
        student=world.students[0],
        device=world.laptops[0],
        charter_signed=True,
        channel="carrier",
        **kwargs,
    ).assignment


def test_a_parcel_is_shipped_with_its_carrier_and_the_student_is_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assignment = ship(world)

    assert (assignment.channel, assignment.carrier, assignment.tracking_number) == (
        Assignment.Channel.CARRIER,
        "La Poste / Colissimo",
        "6A12345678901",
    )
    assert assignment.delivered_at is None
    told = Notification.objects.get()
    assert (told.recipient, told.event, told.channel) == (world.students[0], "distribution.shipped", "email")
    assert "6A12345678901" in told.body and "La Poste / Colissimo" in told.body
    assert len(callbacks) == 1  # the delivery task, woken after commit


@pytest.mark.parametrize(
    ("fields", "rule"),
    [({"carrier": ""}, "carrier"), ({"tracking_number": " "}, "tracking_number")],
)
def test_a_parcel_needs_a_carrier_and_a_tracking_number(world, fields, rule):
    with pytest.raises(Invalid) as caught:
        ship(world, **fields)
    assert caught.value.rule == rule
    assert not Assignment.objects.filter(device=world.laptops[0]).exists()


def test_the_student_confirms_the_delivery_and_the_sender_is_told(world):
    assignment = ship(world)

    services.delivery_confirm(actor=world.students[0], assignment=assignment)

    assert Assignment.objects.get(pk=assignment.pk).delivered_at is not None
    assert HandoverEvent.objects.get(kind="delivered").payload == {"by_student": True}
    told = Notification.objects.get(event="distribution.delivered")
    assert told.recipient == world.staff
    assert services.delivery_pending_for(student=world.students[0]) is None


def test_staff_confirm_the_delivery_and_the_student_is_told(world):
    assignment = ship(world)
    assert services.delivery_pending_for(student=world.students[0]) == assignment

    services.delivery_confirm(actor=world.staff, assignment=assignment)

    assert Notification.objects.get(event="distribution.delivered").recipient == world.students[0]


def test_a_delivery_is_confirmed_once(world):
    assignment = ship(world)
    services.delivery_confirm(actor=world.students[0], assignment=assignment)

    with pytest.raises(Conflict):
        services.delivery_confirm(actor=world.staff, assignment=assignment)
    assert Notification.objects.filter(event="distribution.delivered").count() == 1


def test_a_hand_over_at_school_has_no_delivery_to_confirm(world):
    assignment = services.handover_record(
        actor=world.staff, student=world.students[0], device=world.laptops[0], charter_signed=True
    ).assignment
    with pytest.raises(Conflict):
        services.delivery_confirm(actor=world.staff, assignment=assignment)


def test_another_student_or_staff_elsewhere_cannot_confirm(world):
    assignment = ship(world)
    for outsider in (world.students[1], world.other_staff):
        with pytest.raises(NotVisible):
            services.delivery_confirm(actor=outsider, assignment=assignment)
    assert Assignment.objects.get(pk=assignment.pk).delivered_at is None


@pytest.mark.parametrize(
    ("carrier", "start"),
    [
        ("Colissimo", "https://www.laposte.fr/"),
        ("La Poste", "https://www.laposte.fr/"),
        ("chronopost", "https://www.chronopost.fr/"),
        ("DPD", "https://trace.dpd.fr/"),
        ("ups", "https://www.ups.com/"),
        ("DHL Express", "https://www.dhl.com/"),
    ],
)
def test_known_carriers_link_to_their_tracking_page(carrier, start):
    url = tracking_url(carrier=carrier, tracking_number="6A1 2/3")
    assert url.startswith(start) and url.endswith("6A1%202%2F3")


def test_an_unknown_carrier_has_no_link():
    assert tracking_url(carrier="Coursier Dupont", tracking_number="X1") is None
