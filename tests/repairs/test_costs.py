"""Costs and quotes: parts from the price list and labour time make a ticket's cost; a
repair charged to the family starts only once the family accepted a quote; a refusal returns the
laptop unrepaired."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from devices.models import Device
from notifications.models import Notification
from repairs import services
from repairs.models import LabourRate, Part, Quote, Ticket, TimelineEntry
from repairs.services import ActionForbidden, TransitionNotPossible
from tests.repairs.factories import build_world, world_fixtures

pytestmark = pytest.mark.django_db


def build_costs_world():
    world = build_world()
    for coverage, rate in (("family", "45.00"), ("region", "30.00"), ("manufacturer", "0.00")):
        LabourRate.objects.update_or_create(coverage=coverage, defaults={"hourly_rate": Decimal(rate)})
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    Part.objects.create(reference="KBD-FR", label="Clavier AZERTY", unit_price=Decimal("35.00"))
    world.student.email = "eleve@example.org"
    world.student.save()
    return world


module_world, world = world_fixtures(build_costs_world)


def family_ticket(world) -> Ticket:
    """A broken screen (accidental damage): no warranty pays, the family is charged."""
    ticket = world.declare(category="accidental_damage", description="Écran fissuré après une chute.")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    assert ticket.coverage == "family"
    return ticket


def fresh(ticket) -> Ticket:
    return Ticket.objects.select_related("establishment", "device", "loaner").get(pk=ticket.pk)


def test_parts_and_labour_make_the_ticket_cost_at_the_coverage_rate(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="scr-14")
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="KBD-FR", quantity=2)
    services.ticket_set_labour(ticket=ticket, actor=world.tech, minutes=90)
    saved = fresh(ticket)
    assert (saved.parts_cost, saved.labour_minutes, saved.labour_cost) == (Decimal("159.90"), 90, Decimal("67.50"))
    assert saved.cost == Decimal("227.40")
    names = list(TimelineEntry.objects.filter(ticket=ticket, kind="edit").values_list("name", flat=True))
    assert names == ["part_added", "part_added", "labour"]


def test_a_line_keeps_the_price_of_the_day_and_a_coverage_change_reprices_the_labour(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    services.ticket_set_labour(ticket=ticket, actor=world.tech, minutes=60)
    Part.objects.filter(reference="SCR-14").update(unit_price=Decimal("120.00"))
    services.ticket_start_repair(
        ticket=fresh(ticket), actor=world.tech, coverage="region", coverage_reason="Geste commercial de la région"
    )
    saved = fresh(ticket)
    assert (saved.parts_cost, saved.labour_cost) == (Decimal("89.90"), Decimal("30.00"))


def test_removing_a_part_lowers_the_cost(world):
    ticket = family_ticket(world)
    line = services.ticket_add_part(ticket=ticket, actor=world.tech, part="KBD-FR")
    services.ticket_remove_part(ticket=ticket, actor=world.tech, line_id=line.pk)
    assert fresh(ticket).parts_cost == 0
    with pytest.raises(ValidationError):
        services.ticket_remove_part(ticket=ticket, actor=world.tech, line_id=line.pk)


@pytest.mark.parametrize("person", ["student", "staff", "supervisor", "other_technician"])
def test_only_the_technicians_of_the_scope_record_parts_and_labour(world, person):
    ticket = family_ticket(world)
    before = (ticket.version, ticket.parts_cost)
    with pytest.raises(ActionForbidden):
        services.ticket_add_part(ticket=fresh(ticket), actor=world.people()[person], part="SCR-14")
    with pytest.raises(ActionForbidden):
        services.ticket_set_labour(ticket=fresh(ticket), actor=world.people()[person], minutes=30)
    assert (fresh(ticket).version, fresh(ticket).parts_cost) == before


def test_an_unknown_part_or_a_silly_quantity_is_refused_naming_the_field(world):
    ticket = family_ticket(world)
    with pytest.raises(ValidationError) as unknown:
        services.ticket_add_part(ticket=ticket, actor=world.tech, part="NOPE")
    assert "part" in unknown.value.message_dict
    with pytest.raises(ValidationError) as silly:
        services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14", quantity=0)
    assert "quantity" in silly.value.message_dict
    with pytest.raises(ValidationError):
        services.ticket_set_labour(ticket=ticket, actor=world.tech, minutes=-5)
    assert not fresh(ticket).part_lines.exists()


def test_a_family_repair_does_not_start_without_an_accepted_quote(world):
    ticket = family_ticket(world)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        services.ticket_start_repair(ticket=ticket, actor=world.tech)
    assert refused.value.message_dict["quote"] == [
        "Une réparation à la charge de la famille demande un devis accepté par la famille : "
        "établissez d’abord le devis."
    ]
    assert fresh(ticket).state == "diagnosing"


def test_the_quote_freezes_the_lines_and_tells_the_family_where_to_answer(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    services.ticket_set_labour(ticket=ticket, actor=world.tech, minutes=30)
    quote = services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    assert (quote.reference, quote.total, quote.status) == (f"{ticket.reference}-D1", Decimal("112.40"), "pending")
    assert quote.lines == [
        {"reference": "SCR-14", "label": "Dalle 14 pouces", "quantity": 1, "unit_price": "89.90", "total": "89.90"}
    ]
    assert fresh(ticket).quote_state == "pending"
    told = Notification.objects.get(event="ticket.quote_issued", recipient=world.student)
    assert told.link.endswith(f"/s/{ticket.status_token}/")
    assert "112,40 €" in told.body and told.link in told.body
    Part.objects.filter(reference="SCR-14").update(unit_price=Decimal("1.00"))
    assert Quote.objects.get(pk=quote.pk).total == Decimal("112.40")


def test_a_new_quote_replaces_the_pending_one(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    first = services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="KBD-FR")
    second = services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    assert Quote.objects.get(pk=first.pk).status == "withdrawn"
    assert (second.number, second.total, second.status) == (2, Decimal("124.90"), "pending")
    with pytest.raises(ValidationError):  # the family read quote 1: it may not answer blindly
        services.ticket_quote_decide(ticket=ticket, accepted=True, number=1, token=ticket.status_token)


def test_staff_record_the_familys_acceptance_and_the_repair_starts(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    quote = services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    services.ticket_assign(ticket=ticket, actor=world.tech, assignee=world.tech)
    world.tech.email = "tech@example.org"
    world.tech.save()
    services.ticket_quote_decide(ticket=fresh(ticket), actor=world.staff, accepted=True, number=quote.number)
    quote = Quote.objects.get(pk=quote.pk)
    assert (quote.status, quote.decided_via, quote.decided_by) == ("accepted", "staff", world.staff)
    assert Notification.objects.filter(event="ticket.quote_accepted", recipient=world.tech).exists()
    services.ticket_start_repair(ticket=fresh(ticket), actor=world.tech)
    assert fresh(ticket).state == "in_repair"


def test_a_refusal_returns_the_laptop_unrepaired(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    services.ticket_quote_decide(ticket=fresh(ticket), accepted=False, token=ticket.status_token)
    entry = TimelineEntry.objects.filter(ticket=ticket).latest("pk")
    assert (entry.name, entry.actor, entry.payload["via"]) == ("quote_refused", None, "status_link")
    with pytest.raises(ValidationError):
        services.ticket_start_repair(ticket=fresh(ticket), actor=world.tech)
    services.ticket_return_unrepaired(ticket=fresh(ticket), actor=world.tech, note="Devis refusé")
    saved = fresh(ticket)
    assert (saved.state, saved.returned_unrepaired, saved.replacement_id) == ("ready_for_return", True, None)
    ready = Notification.objects.get(event="ticket.ready_for_return", recipient=world.student)
    assert "sans réparation" in ready.body
    services.ticket_hand_over(ticket=saved, actor=world.staff)
    assert Device.objects.get(pk=world.device.pk).status == Device.Status.ASSIGNED


def test_return_unrepaired_needs_a_refused_quote(world):
    ticket = family_ticket(world)
    with pytest.raises(ValidationError) as refused:
        services.ticket_return_unrepaired(ticket=ticket, actor=world.tech)
    assert "quote" in refused.value.message_dict
    assert fresh(ticket).state == "diagnosing"


def test_a_wrong_token_cannot_answer_for_the_family(world):
    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    with pytest.raises(ActionForbidden):
        services.ticket_quote_decide(ticket=fresh(ticket), accepted=True, token="x" * 43)
    with pytest.raises(ActionForbidden):  # a student is not the family's voice on the desk side
        services.ticket_quote_decide(ticket=fresh(ticket), accepted=True, actor=world.student)
    assert fresh(ticket).quote_state == "pending"


def test_a_quote_is_for_a_family_repair_being_diagnosed(world):
    covered = world.declare()
    services.ticket_start_diagnosis(ticket=covered, actor=world.tech)
    services.ticket_set_labour(ticket=covered, actor=world.tech, minutes=30)
    with pytest.raises(ValidationError) as not_family:
        services.ticket_quote_issue(ticket=covered, actor=world.tech)
    assert "coverage" in not_family.value.message_dict
    empty = family_ticket(world)
    with pytest.raises(ValidationError):  # nothing to quote yet
        services.ticket_quote_issue(ticket=empty, actor=world.tech)
    services.ticket_start_repair(ticket=fresh(covered), actor=world.tech)
    with pytest.raises(TransitionNotPossible):
        services.ticket_quote_issue(ticket=fresh(covered), actor=world.tech)
    assert not Quote.objects.exists()


def test_the_api_shows_costs_to_the_desk_and_to_the_student_only_when_the_family_pays(world):
    from rest_framework.test import APIClient

    ticket = family_ticket(world)
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    covered = world.declare(category="keyboard")
    services.ticket_start_diagnosis(ticket=covered, actor=world.tech)
    api = APIClient()
    for person, reference, shown in (
        (world.tech, covered.reference, True),
        (world.student, ticket.reference, True),
        (world.student, covered.reference, False),
    ):
        api.force_authenticate(person)
        body = api.get(f"/api/v1/tickets/{reference}/").json()
        assert (body["costs"] is not None) == shown, (person, reference)
        assert body["status_url"].startswith("http://testserver/s/")
    api.force_authenticate(world.tech)
    costs = api.get(f"/api/v1/tickets/{ticket.reference}/").json()["costs"]
    assert (costs["parts"][0]["reference"], costs["total"]) == ("SCR-14", "89.90")
    services.ticket_set_labour(ticket=covered, actor=world.tech, minutes=20)
    names = [entry["name"] for entry in api.get(f"/api/v1/tickets/{covered.reference}/").json()["timeline"]]
    assert "labour" in names
    api.force_authenticate(world.student)  # the program pays: the labour is the desk's business
    names = [entry["name"] for entry in api.get(f"/api/v1/tickets/{covered.reference}/").json()["timeline"]]
    assert "labour" not in names and "start_diagnosis" in names


def test_managers_keep_the_price_list_and_rates_in_the_admin_technicians_read_them(client, world):
    client.force_login(world.manager)
    response = client.post(
        "/admin/repairs/part/add/",
        {"reference": "BAT-45", "label": "Batterie 45 Wh", "unit_price": "49.00", "active": "on"},
    )
    assert response.status_code == 302 and Part.objects.filter(reference="BAT-45").exists()
    assert client.get("/admin/repairs/labourrate/").status_code == 200
    world.tech.is_staff = True
    world.tech.save()
    client.force_login(world.tech)
    assert client.get("/admin/repairs/part/").status_code == 200
    assert client.get("/admin/repairs/part/add/").status_code == 403
