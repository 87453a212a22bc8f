"""Tickets in the admin change only through the services' transitions."""

import pytest
from django.urls import reverse

from repairs.models import Ticket, TimelineEntry
from tests.repairs.factories import build_world, force_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def run_action(client, name: str, tickets, **fields):
    return client.post(
        reverse("admin:repairs_ticket_changelist"),
        {"action": f"transition_{name}", "_selected_action": [t.pk for t in tickets], "apply": "1", **fields},
        follow=True,
    )


def test_a_technician_runs_a_transition_from_the_admin(world, client):
    ticket = world.declare()
    client.force_login(world.tech)
    response = run_action(client, "start_diagnosis", [ticket])
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"
    entry = TimelineEntry.objects.filter(ticket=ticket).latest("pk")
    assert (entry.name, entry.actor) == ("start_diagnosis", world.tech)


def test_an_action_that_needs_fields_asks_for_them_first(world, client):
    ticket = force_state(world.declare(), "diagnosing")
    client.force_login(world.tech)
    response = client.post(
        reverse("admin:repairs_ticket_changelist"),
        {"action": "transition_order_parts", "_selected_action": [ticket.pk]},
    )
    assert response.status_code == 200
    assert "parts" in response.context["form"].fields
    assert "carrier" not in response.context["form"].fields
    assert Ticket.objects.get(pk=ticket.pk).state == "diagnosing"
    run_action(client, "order_parts", [ticket], parts="Dalle\nNappe")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.state, ticket.parts) == ("awaiting_parts", ["Dalle", "Nappe"])


def test_a_refused_transition_is_a_message_and_changes_nothing(world, client):
    ticket = world.declare()
    client.force_login(world.tech)
    response = run_action(client, "hand_over", [ticket])
    assert response.status_code == 200
    assert any(ticket.reference in str(m) for m in response.context["messages"])
    assert Ticket.objects.get(pk=ticket.pk).state == "declared"


def test_no_field_of_a_ticket_can_be_edited_in_the_admin(world, client):
    ticket = world.declare()
    client.force_login(world.manager)
    url = reverse("admin:repairs_ticket_change", args=[ticket.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"state": "returned", "priority": "low"})
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.state, ticket.priority) == ("declared", "high")


def test_the_admin_lists_only_visible_tickets(world, client):
    mine = world.declare()
    theirs = world.declare(device=world.other_student.assignments.get().device, by=world.other_student)
    client.force_login(world.tech)
    listed = set(client.get(reverse("admin:repairs_ticket_changelist")).context["cl"].result_list)
    assert listed == {mine}
    assert client.get(reverse("admin:repairs_ticket_change", args=[theirs.pk])).status_code == 302
