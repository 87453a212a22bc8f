"""A laptop at the manufacturer stays tracked there (status and RMA on its page) when its student gets
a replacement meanwhile, until it comes back; then it joins the spare pool."""

import traceback

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from devices.models import Device
from repairs import services
from repairs.models import Ticket
from tests.repairs.factories import build_world
from tests.test_architecture import FLEET_TABLES, ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def device(pk) -> Device:
    return Device.objects.get(pk=pk)


def at_manufacturer(world) -> Ticket:
    ticket = world.declare()
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    services.ticket_send_to_manufacturer(ticket=ticket, actor=world.tech, rma_number="DELL-RMA-778812")
    return Ticket.objects.select_related("establishment", "device").get(pk=ticket.pk)


def test_sending_to_the_manufacturer_tracks_the_laptop_there_and_its_return_brings_it_back(world):
    ticket = at_manufacturer(world)
    assert device(world.device.pk).status == Device.Status.AT_MANUFACTURER
    services.ticket_receive_from_manufacturer(ticket=ticket, actor=world.tech)
    assert device(world.device.pk).status == Device.Status.IN_REPAIR


def test_a_swap_at_the_manufacturer_keeps_the_laptop_tracked_there_until_it_returns_to_the_pool(client, world):
    ticket = at_manufacturer(world)
    services.ticket_swap(ticket=ticket, actor=world.tech)
    services.ticket_hand_over(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.staff)
    faulty = device(world.device.pk)
    assert (faulty.status, faulty.establishment_id) == (Device.Status.AT_MANUFACTURER, None)
    assert device(world.spare.pk).status == Device.Status.ASSIGNED  # the student holds the replacement

    client.force_login(world.tech)
    page = client.get(f"/devices/{faulty.serial_number}/").content.decode()
    assert "Chez le constructeur — RMA DELL-RMA-778812" in page and ticket.reference in page
    ticket_page = client.get(f"/tickets/{ticket.reference}/").content.decode()
    assert "Ordinateur revenu de chez le constructeur" in ticket_page
    client.force_login(world.staff)  # staff hand over laptops; technicians record manufacturer returns
    staff_view = client.get(f"/tickets/{ticket.reference}/").content.decode()
    assert "Ordinateur revenu de chez le constructeur" not in staff_view

    client.force_login(world.tech)
    response = client.post(f"/tickets/{ticket.reference}/manufacturer-return/", follow=True)
    assert "réserve de prêt du dépôt" in response.content.decode()
    back = device(world.device.pk)
    assert (back.status, back.establishment_id) == (Device.Status.SPARE, None)
    entry = Ticket.objects.get(pk=ticket.pk).timeline.latest("pk")
    assert (entry.name, entry.payload["rma_number"]) == ("manufacturer_return", "DELL-RMA-778812")
    assert "RMA DELL-RMA-778812" not in client.get(f"/devices/{back.serial_number}/").content.decode()
    with pytest.raises(ValidationError):
        services.ticket_manufacturer_return(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)


def test_a_swap_from_the_workshop_still_sends_the_faulty_laptop_to_stock(world):
    ticket = world.declare()
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    services.ticket_swap(ticket=ticket, actor=world.tech)
    assert device(world.device.pk).status == Device.Status.IN_STOCK
    with pytest.raises(ValidationError):
        services.ticket_manufacturer_return(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)


def test_the_manufacturer_path_writes_the_fleet_through_devices_services_only(world):
    offenders = []

    def watch(execute, sql, params, many, context):
        match = FLEET_TABLES.match(sql.lstrip())
        if match:
            frames = [f.filename for f in traceback.extract_stack()]
            product = [f for f in frames if f.startswith(str(ROOT)) and "/tests/" not in f and ".venv" not in f]
            if product and not any(f.endswith("devices/services.py") for f in product):
                offenders.append((match.group(2), product[-1]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        ticket = at_manufacturer(world)
        services.ticket_swap(ticket=ticket, actor=world.tech)
        services.ticket_manufacturer_return(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech)
    assert offenders == []
    assert device(world.device.pk).status == Device.Status.SPARE
