"""SLA reference data and the managers' due-date action in the admin, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from repairs.models import Closure, SlaPolicy, Ticket, TimelineEntry
from repairs.sla.calendar import PARIS
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def policy_form(policy: SlaPolicy, **changes) -> dict:
    data = {
        "name": policy.name,
        "priority": policy.priority,
        "category": policy.category,
        "first_response_hours": policy.first_response_hours,
        "resolution_hours": policy.resolution_hours,
        "workday_start": "08:00",
        "workday_end": "18:00",
        "working_days": policy.working_days,
        "pause_states": policy.pause_states,
    }
    data.update(changes)
    return data


def test_managers_edit_policies_and_open_tickets_follow(world, client, django_capture_on_commit_callbacks):
    ticket = world.declare()  # high priority: 30 business hours
    policy = SlaPolicy.objects.get(priority="high", category="")
    client.force_login(world.manager)
    url = reverse("admin:repairs_slapolicy_change", args=[policy.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, policy_form(policy, resolution_hours="300", pause_states=["awaiting_device", "awaiting_parts"])
        )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    policy.refresh_from_db()
    assert policy.resolution_hours == Decimal("300") and policy.pause_states == ["awaiting_device", "awaiting_parts"]
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_due_at - ticket.declared_at > dt.timedelta(days=30)


def test_policies_refuse_states_that_cannot_pause(world, client):
    policy = SlaPolicy.objects.get(priority="high", category="")
    client.force_login(world.manager)
    response = client.post(
        reverse("admin:repairs_slapolicy_change", args=[policy.pk]), policy_form(policy, pause_states=["returned"])
    )
    assert response.status_code == 200
    assert "pause_states" in response.context["adminform"].form.errors


def test_technicians_read_policies_but_do_not_change_them(world, client):
    policy = SlaPolicy.objects.get(priority="high", category="")
    client.force_login(world.tech)
    url = reverse("admin:repairs_slapolicy_change", args=[policy.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, policy_form(policy, resolution_hours="1")).status_code == 403
    assert SlaPolicy.objects.get(pk=policy.pk).resolution_hours == Decimal("30")


def test_managers_record_closures(world, client):
    client.force_login(world.manager)
    response = client.post(
        reverse("admin:repairs_closure_add"),
        {
            "establishment": world.establishment.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-02",
            "reason": "Bac blanc",
        },
    )
    assert response.status_code == 302
    assert Closure.objects.get().reason == "Bac blanc"


def test_a_manager_sets_a_due_date_by_hand_from_the_ticket_list(world, client):
    ticket = world.declare()
    client.force_login(world.manager)
    changelist = reverse("admin:repairs_ticket_changelist")
    form = client.post(changelist, {"action": "set_resolution_due", "_selected_action": [ticket.pk]})
    assert set(form.context["form"].fields) == {"due_at", "reason"}
    response = client.post(
        changelist,
        {
            "action": "set_resolution_due",
            "_selected_action": [ticket.pk],
            "apply": "1",
            "due_at": "2027-01-15T12:00",
            "reason": "Pièce en rupture chez le constructeur",
        },
        follow=True,
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_due_at == dt.datetime(2027, 1, 15, 12, tzinfo=PARIS)
    assert ticket.resolution_due_reason == "Pièce en rupture chez le constructeur"
    assert TimelineEntry.objects.filter(ticket=ticket, name="resolution_due", actor=world.manager).exists()


def test_a_technician_cannot_set_a_due_date(world, client):
    ticket = world.declare()
    client.force_login(world.tech)
    response = client.post(
        reverse("admin:repairs_ticket_changelist"),
        {"action": "set_resolution_due", "_selected_action": [ticket.pk], "apply": "1", "reason": "x",
         "due_at": "2027-01-15T12:00"},
        follow=True,
    )  # fmt: skip
    assert any(ticket.reference in str(m) for m in response.context["messages"])
    assert Ticket.objects.get(pk=ticket.pk).resolution_due_manual is None


def test_the_recompute_command_fills_tickets_written_in_bulk(world):
    ticket = world.declare()
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=None, resolution_due_at=None, sla_key="")
    call_command("sla_recompute", verbosity=0)
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at is not None
