"""The rules of the domain, each asserted with its effects and, when refused, no change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from devices.models import Assignment, Device, WarrantyCoverage
from repairs import services
from repairs.exceptions import TicketChanged
from repairs.models import Ticket, TimelineEntry
from tests.devices.factories import CoverageFactory, DeviceFactory, MasterImageFactory
from tests.repairs.factories import world_fixtures

pytestmark = pytest.mark.django_db


module_world, world = world_fixtures()


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("establishment", "device", "replacement", "loaner").get(pk=ticket.pk)


def walk(ticket: Ticket, actor, *names: str, **fields) -> Ticket:
    for name in names:
        services.ticket_transition(ticket=ticket, actor=actor, name=name, **fields.get(name, {}))
        ticket = fresh(ticket)
    return ticket


# Declaration


def test_declaration_gets_a_reference_a_priority_and_a_timeline_entry(world):
    ticket = world.declare(category="boot_software", at=dt.datetime(2026, 5, 12, 9, tzinfo=dt.UTC))
    assert ticket.reference == "R-2026-000001"
    assert ticket.state == "declared"
    assert ticket.priority == "urgent"  # won't boot during the exam season
    assert ticket.establishment == world.establishment
    entry = TimelineEntry.objects.get(ticket=ticket)
    assert (entry.kind, entry.actor, entry.target) == ("declared", world.student, "declared")
    assert world.declare(category="battery").reference == "R-2026-000002"


def test_references_restart_each_year(world):
    first = world.declare(at=dt.datetime(2026, 12, 31, 22, 0, tzinfo=dt.UTC))  # 23:00 in Paris
    second = world.declare(category="battery", at=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))  # 2027 in Paris
    assert (first.reference, second.reference) == ("R-2026-000001", "R-2027-000001")


def test_a_second_open_ticket_for_the_same_fault_points_to_the_first(world):
    first = world.declare(category="screen")
    with pytest.raises(ValidationError) as excinfo:
        world.declare(category="screen", by=world.staff)
    assert first.reference in str(excinfo.value)
    assert Ticket.objects.count() == 1
    world.declare(category="keyboard")  # another fault of the same device is fine


def test_a_closed_ticket_does_not_block_a_new_declaration(world):
    ticket = world.declare()
    services.ticket_cancel(ticket=fresh(ticket), actor=world.student)
    assert world.declare().reference != ticket.reference


@pytest.mark.parametrize("status", [Device.Status.RETIRED, Device.Status.LOST])
def test_a_retired_or_lost_device_cannot_be_declared(world, status):
    device = DeviceFactory(establishment=world.establishment, status=status)
    with pytest.raises(ValidationError, match="réformé ou perdu"):
        world.declare(device=device, by=world.staff)
    assert not Ticket.objects.exists()


def test_a_student_declares_only_on_the_device_they_hold(world):
    other = DeviceFactory(establishment=world.establishment)
    with pytest.raises(services.ActionForbidden):
        world.declare(device=other)
    world.declare(device=other, by=world.staff)  # staff of the establishment may


def test_declaration_needs_a_description_and_a_known_category(world):
    with pytest.raises(ValidationError) as excinfo:
        world.declare(category="toaster", description="  ")
    assert set(excinfo.value.message_dict) == {"category", "description"}
    assert not Ticket.objects.exists()


# Coverage


def test_diagnosis_proposes_the_coverage_from_the_warranty_records(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    assert ticket.coverage == "manufacturer"
    assert ticket.warranty.kind == "manufacturer"
    assert ticket.coverage_reason.startswith("Pris en charge par Garantie constructeur")
    assert ticket.first_responded_at is not None
    assert Device.objects.get(pk=world.device.pk).status == Device.Status.IN_REPAIR


def test_technician_overrides_the_coverage_with_a_reason(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError, match="pourquoi"):
        services.ticket_start_repair(ticket=ticket, actor=world.tech, coverage="region")
    assert fresh(ticket).state == "diagnosing"
    services.ticket_start_repair(ticket=fresh(ticket), actor=world.tech, coverage="region", coverage_reason="Casse")
    ticket = fresh(ticket)
    assert (ticket.state, ticket.coverage, ticket.coverage_overridden) == ("in_repair", "region", True)
    entry = TimelineEntry.objects.filter(ticket=ticket).latest("pk")
    assert entry.payload["coverage"] == {"from": "manufacturer", "to": "region", "reason": "Casse"}


def test_an_accidental_damage_repair_uses_one_claim_of_the_protection(world):
    protection = CoverageFactory(device=world.device, kind="accidental", provider="AXA", claims_cap=1)
    ticket = walk(world.declare(category="accidental_damage"), world.tech, "start_diagnosis", "start_repair")
    assert ticket.coverage == "accidental"
    assert WarrantyCoverage.objects.get(pk=protection.pk).claims_used == 1
    # Parts ordered and repair resumed: still one claim for this ticket.
    walk(ticket, world.tech, "order_parts", "start_repair", order_parts={"parts": ["Coque"]})
    assert WarrantyCoverage.objects.get(pk=protection.pk).claims_used == 1


def test_send_to_manufacturer_is_refused_without_an_active_warranty_on_the_declaration_date(world):
    world.device.coverages.all().delete()
    CoverageFactory(device=world.device, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2023, 1, 1))
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError, match="Aucune garantie constructeur ou extension"):
        services.ticket_send_to_manufacturer(ticket=ticket, actor=world.tech, rma_number="RMA-1")
    assert fresh(ticket).state == "diagnosing"
    assert fresh(ticket).rma_number == ""


def test_send_to_manufacturer_needs_an_rma_number(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError) as excinfo:
        services.ticket_send_to_manufacturer(ticket=ticket, actor=world.tech, rma_number=" ")
    assert "rma_number" in excinfo.value.message_dict


def test_manufacturer_round_trip_then_finish_and_hand_over(world):
    ticket = walk(
        world.declare(),
        world.tech,
        "start_diagnosis",
        "send_to_manufacturer",
        "receive_from_manufacturer",
        "finish_repair",
        "hand_over",
        send_to_manufacturer={"rma_number": "RMA-77"},
    )
    assert (ticket.state, ticket.rma_number) == ("returned", "RMA-77")
    assert ticket.resolved_at is not None
    assert Device.objects.get(pk=world.device.pk).status == Device.Status.ASSIGNED


# Master image


def test_finish_repair_refuses_a_device_on_an_outdated_image(world):
    old = MasterImageFactory(academie="toulouse", version="2025.2")
    Device.objects.filter(pk=world.device.pk).update(image=old)
    ticket = walk(world.declare(), world.tech, "start_diagnosis", "start_repair")
    with pytest.raises(ValidationError, match=r"2025\.2"):
        services.ticket_finish_repair(ticket=ticket, actor=world.tech)
    assert fresh(ticket).state == "in_repair"
    services.ticket_finish_repair(ticket=fresh(ticket), actor=world.tech, reimage=True)
    assert fresh(ticket).state == "ready_for_return"
    assert Device.objects.get(pk=world.device.pk).image == world.image
    entry = TimelineEntry.objects.filter(ticket=ticket).latest("pk")
    assert entry.payload["reimaged"] == {"device": world.device.serial_number, "from": "2025.2", "to": "2026.1"}


# Swap


def test_swap_moves_the_assignment_to_a_spare_and_sends_the_faulty_device_to_the_depot(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis", "swap")
    assert (ticket.state, ticket.replacement) == ("ready_for_return", world.spare)
    holding = Assignment.objects.get(student=world.student, returned_at__isnull=True)
    assert holding.device == world.spare
    faulty = Device.objects.get(pk=world.device.pk)
    assert (faulty.status, faulty.establishment) == (Device.Status.IN_STOCK, None)
    assert faulty.assignments.get().returned_at is not None  # its history stays
    assert Device.objects.get(pk=world.spare.pk).status == Device.Status.ASSIGNED
    ticket = walk(ticket, world.staff, "hand_over")
    assert ticket.state == "returned"


def test_swap_takes_a_depot_spare_when_the_school_pool_is_empty(world):
    Device.objects.filter(pk=world.spare.pk).update(status=Device.Status.RETIRED)
    depot_spare = DeviceFactory(establishment=None, image=world.image, status=Device.Status.SPARE)
    ticket = walk(world.declare(), world.tech, "start_diagnosis", "swap")
    assert ticket.replacement == depot_spare
    assert Device.objects.get(pk=depot_spare.pk).establishment == world.establishment


def test_swap_without_any_spare_is_refused_and_changes_nothing(world):
    Device.objects.filter(pk=world.spare.pk).update(status=Device.Status.RETIRED)
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError, match="Aucun ordinateur de réserve"):
        services.ticket_swap(ticket=ticket, actor=world.tech)
    assert fresh(ticket).state == "diagnosing"
    assert Assignment.objects.get(student=world.student, returned_at__isnull=True).device == world.device


def test_swap_with_a_named_device_that_is_not_a_spare_is_refused(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    busy = DeviceFactory(establishment=world.establishment, status=Device.Status.ASSIGNED)
    with pytest.raises(ValidationError, match="n’est pas dans la réserve"):
        services.ticket_swap(ticket=ticket, actor=world.tech, replacement=busy.serial_number.lower())
    with pytest.raises(ValidationError, match="Aucun ordinateur n’a"):
        services.ticket_swap(ticket=fresh(ticket), actor=world.tech, replacement="NOPE")


def test_swap_needs_the_replacement_on_the_current_image_or_a_reimage(world):
    Device.objects.filter(pk=world.spare.pk).update(image=MasterImageFactory(academie="toulouse", version="2024.1"))
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError, match=r"2024\.1"):
        services.ticket_swap(ticket=ticket, actor=world.tech)
    assert Assignment.objects.get(student=world.student, returned_at__isnull=True).device == world.device
    services.ticket_swap(ticket=fresh(ticket), actor=world.tech, reimage=True)
    assert Device.objects.get(pk=world.spare.pk).image == world.image


def test_theft_swap_needs_the_police_report_and_marks_the_device_lost(world):
    ticket = walk(world.declare(category="theft_loss"), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError, match="dépôt de plainte"):
        services.ticket_swap(ticket=ticket, actor=world.tech)
    assert fresh(ticket).state == "diagnosing"
    services.ticket_swap(ticket=fresh(ticket), actor=world.tech, police_report="PV 2026/123")
    ticket = fresh(ticket)
    assert (ticket.state, ticket.police_report) == ("ready_for_return", "PV 2026/123")
    assert Device.objects.get(pk=world.device.pk).status == Device.Status.LOST


# Loaners


def test_hand_over_is_refused_while_a_loaner_is_out(world):
    loaner = DeviceFactory(establishment=world.establishment, status=Device.Status.SPARE, image=world.image)
    ticket = world.declare()
    ticket = services.ticket_lend_loaner(ticket=fresh(ticket), actor=world.staff, device=loaner.asset_tag)
    assert Device.objects.get(pk=loaner.pk).status == Device.Status.ON_LOAN
    ticket = walk(ticket, world.tech, "start_diagnosis", "start_repair", "finish_repair")
    with pytest.raises(ValidationError, match="Récupérez l’ordinateur de prêt"):
        services.ticket_hand_over(ticket=ticket, actor=world.staff)
    assert fresh(ticket).state == "ready_for_return"
    services.ticket_collect_loaner(ticket=fresh(ticket), actor=world.staff)
    assert Device.objects.get(pk=loaner.pk).status == Device.Status.SPARE
    assert walk(fresh(ticket), world.staff, "hand_over").state == "returned"


def test_only_one_loaner_at_a_time_and_none_for_a_student(world):
    ticket = world.declare()
    with pytest.raises(services.ActionForbidden):
        services.ticket_lend_loaner(ticket=ticket, actor=world.student)
    services.ticket_lend_loaner(ticket=fresh(ticket), actor=world.tech)
    DeviceFactory(establishment=world.establishment, status=Device.Status.SPARE)
    with pytest.raises(ValidationError, match="déjà sorti"):
        services.ticket_lend_loaner(ticket=fresh(ticket), actor=world.tech)


# Concurrency and edits


def test_a_stale_ticket_cannot_overwrite_a_newer_one(world):
    ticket = world.declare()
    first, second = fresh(ticket), fresh(ticket)
    services.ticket_start_diagnosis(ticket=first, actor=world.tech)
    with pytest.raises(TicketChanged):
        services.ticket_request_device(ticket=second, actor=world.staff)
    assert fresh(ticket).state == "diagnosing"
    assert TimelineEntry.objects.filter(ticket=ticket, kind="transition").count() == 1


def test_a_stale_priority_edit_does_not_overwrite_an_assignment(world):
    ticket = world.declare()
    first, second = fresh(ticket), fresh(ticket)
    services.ticket_assign(ticket=first, actor=world.tech, assignee=world.tech)
    with pytest.raises(TicketChanged):
        services.ticket_set_priority(ticket=second, actor=world.manager, priority="urgent")
    assert (fresh(ticket).assignee, fresh(ticket).priority) == (world.tech, "high")


def test_expected_version_from_a_form_detects_a_change_made_since_it_was_shown(world):
    ticket = world.declare()
    shown_version = ticket.version
    services.ticket_set_priority(ticket=fresh(ticket), actor=world.tech, priority="low")
    with pytest.raises(TicketChanged):
        services.ticket_start_diagnosis(ticket=fresh(ticket), actor=world.tech, expected_version=shown_version)


def test_a_technician_takes_a_ticket_but_cannot_give_it_to_someone_else(world):
    ticket = world.declare()
    with pytest.raises(services.ActionForbidden):
        services.ticket_assign(ticket=ticket, actor=world.tech, assignee=world.other_tech)
    services.ticket_assign(ticket=fresh(ticket), actor=world.tech, assignee=world.tech)
    services.ticket_assign(ticket=fresh(ticket), actor=world.manager, assignee=world.other_tech)
    assert fresh(ticket).assignee == world.other_tech
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=fresh(ticket), actor=world.manager, assignee=world.staff)


def test_comments_are_timeline_entries_and_refused_on_closed_tickets(world):
    ticket = world.declare()
    entry = services.ticket_comment(ticket=ticket, actor=world.student, text="  Il fait un bruit bizarre. ")
    assert (entry.kind, entry.note) == ("comment", "Il fait un bruit bizarre.")
    with pytest.raises(ValidationError):
        services.ticket_comment(ticket=ticket, actor=world.student, text="   ")
    with pytest.raises(services.ActionForbidden):
        services.ticket_comment(ticket=ticket, actor=world.supervisor, text="Vu")
    services.ticket_cancel(ticket=fresh(ticket), actor=world.student)
    with pytest.raises(services.TransitionNotPossible):
        services.ticket_comment(ticket=fresh(ticket), actor=world.student, text="Encore ?")


def test_close_no_fault_needs_a_note(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis")
    with pytest.raises(ValidationError) as excinfo:
        services.ticket_close_no_fault(ticket=ticket, actor=world.tech, note="")
    assert "note" in excinfo.value.message_dict
    services.ticket_close_no_fault(ticket=fresh(ticket), actor=world.tech, note="RAS après tests mémoire.")
    assert fresh(ticket).state == "closed_no_fault"
    assert Device.objects.get(pk=world.device.pk).status == Device.Status.ASSIGNED


def test_ship_needs_carrier_and_tracking_then_deliver(world):
    ticket = walk(world.declare(), world.tech, "start_diagnosis", "start_repair", "finish_repair")
    with pytest.raises(ValidationError) as excinfo:
        services.ticket_ship(ticket=ticket, actor=world.tech)
    assert set(excinfo.value.message_dict) == {"carrier", "tracking_number"}
    ticket = walk(fresh(ticket), world.tech, "ship", ship={"carrier": "Colissimo", "tracking_number": "6A1"})
    assert (ticket.return_channel, ticket.tracking_number) == ("carrier", "6A1")
    assert walk(ticket, world.staff, "deliver").state == "returned"


def test_unknown_transition_name_is_not_possible(world):
    with pytest.raises(services.TransitionNotPossible):
        services.ticket_transition(ticket=world.declare(), actor=world.tech, name="teleport")


def test_state_cannot_be_assigned_directly(world):
    ticket = world.declare()
    with pytest.raises(AttributeError):
        ticket.state = "returned"


def test_declaration_queries_are_few(world, django_assert_max_num_queries):
    # 12 for the declaration, 2 for the SLA (policies, closures), 2 for the notifications.
    with django_assert_max_num_queries(16):
        world.declare()
    assert connection.vendor in {"sqlite", "postgresql"}
