"""Loaners: a due date when lent, reminders before and after it (once per loan and
threshold), the overdue ones listed for staff and technicians, and no final state with a loaner out."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from devices.models import Device
from notifications.models import Notification
from repairs import services
from repairs.loaner_reminders import loaner_reminders_send
from repairs.models import LoanerNotice, Ticket
from repairs.tasks import loaner_reminders
from tests.devices.factories import DeviceFactory
from tests.repairs.factories import build_world, force_state

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    world.student.email = "eleve@example.org"
    world.student.save()
    DeviceFactory(establishment=world.establishment, image=world.image, status=Device.Status.SPARE)  # a loaner
    return world


def fresh(ticket) -> Ticket:
    return Ticket.objects.select_related("establishment", "device", "loaner").get(pk=ticket.pk)


def lent(world, **kwargs) -> Ticket:
    ticket = world.declare()
    services.ticket_lend_loaner(ticket=ticket, actor=world.staff, **kwargs)
    return fresh(ticket)


def test_a_loaner_is_due_back_after_the_default_number_of_days(world, settings):
    settings.LOANER_DEFAULT_DAYS = 10
    ticket = lent(world)
    assert ticket.loaner_due_on == TODAY + dt.timedelta(days=10)
    assert ticket.timeline.latest("pk").payload["due_on"] == ticket.loaner_due_on.isoformat()


def test_the_due_date_is_chosen_when_lending_and_changed_later(world):
    ticket = lent(world, due_on=TODAY + dt.timedelta(days=3))
    assert ticket.loaner_due_on == TODAY + dt.timedelta(days=3)
    services.ticket_set_loaner_due(ticket=ticket, actor=world.tech, due_on=TODAY + dt.timedelta(days=20))
    assert fresh(ticket).loaner_due_on == TODAY + dt.timedelta(days=20)
    with pytest.raises(ValidationError) as past:
        services.ticket_set_loaner_due(ticket=fresh(ticket), actor=world.tech, due_on=TODAY - dt.timedelta(days=1))
    assert "due_on" in past.value.message_dict
    with pytest.raises(services.ActionForbidden):
        services.ticket_set_loaner_due(ticket=fresh(ticket), actor=world.student, due_on=TODAY)
    assert fresh(ticket).loaner_due_on == TODAY + dt.timedelta(days=20)


def test_a_loaner_cannot_be_lent_into_the_past(world):
    ticket = world.declare()
    with pytest.raises(ValidationError):
        services.ticket_lend_loaner(ticket=ticket, actor=world.staff, due_on=TODAY - dt.timedelta(days=2))
    assert fresh(ticket).loaner_id is None


def test_reminders_go_out_before_and_after_the_due_date_once_each(world, settings):
    settings.LOANER_REMINDER_DAYS_BEFORE = 2
    ticket = lent(world, due_on=TODAY + dt.timedelta(days=5))
    assert loaner_reminders_send(today=TODAY) == 0  # not yet
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=3)) == 1
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=4)) == 0  # once per loan and threshold
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=5)) == 0
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=6)) == 1
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=9)) == 0
    thresholds = list(LoanerNotice.objects.filter(ticket=ticket).order_by("at").values_list("threshold", flat=True))
    assert thresholds == ["due_soon", "overdue"]
    events = list(
        Notification.objects.filter(recipient=world.student, event__startswith="ticket.loaner_")
        .exclude(event="ticket.loaner_lent")
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events == ["ticket.loaner_due_soon", "ticket.loaner_overdue"]
    overdue = Notification.objects.get(event="ticket.loaner_overdue")
    due = (TODAY + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    assert f"devait être rendu le {due}" in overdue.body
    assert overdue.link.endswith(f"/s/{ticket.status_token}/")


def test_a_loan_already_overdue_gets_only_the_overdue_reminder_and_a_new_loan_its_own(world):
    ticket = lent(world, due_on=TODAY)
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=1)) == 1
    assert list(LoanerNotice.objects.values_list("threshold", flat=True)) == ["overdue"]
    services.ticket_collect_loaner(ticket=ticket, actor=world.staff)
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=30)) == 0  # back: nothing to remind
    services.ticket_lend_loaner(ticket=fresh(ticket), actor=world.staff, due_on=TODAY + dt.timedelta(days=1))
    assert loaner_reminders_send(today=TODAY + dt.timedelta(days=2)) == 1  # the second loan is another loan


def test_the_task_and_the_command_send_the_same_reminders(world, capsys):
    lent(world, due_on=TODAY)
    assert loaner_reminders.delay(today=(TODAY + dt.timedelta(days=1)).isoformat()).get() == 1
    with translation.override("fr"):
        call_command("loaner_reminders", today=(TODAY + dt.timedelta(days=1)).isoformat())
    assert "0 rappel(s) de prêt envoyé(s)." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "state", "fields"),
    [
        ("deliver", "in_transit", {}),
        ("hand_over", "ready_for_return", {}),
        ("cancel", "declared", {}),
        ("cancel", "awaiting_device", {}),
        ("close_no_fault", "diagnosing", {"note": "Rien constaté"}),
    ],
)
def test_no_final_state_is_reached_with_a_loaner_out(world, name, state, fields):
    ticket = force_state(lent(world), state)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        services.ticket_transition(ticket=fresh(ticket), actor=world.tech, name=name, **fields)
    tag = ticket.loaner.asset_tag
    assert refused.value.message_dict["loaner"][0].startswith(f"Récupérez l’ordinateur de prêt {tag}")
    assert fresh(ticket).state == state
    services.ticket_collect_loaner(ticket=fresh(ticket), actor=world.staff)
    services.ticket_transition(ticket=fresh(ticket), actor=world.tech, name=name, **fields)
    assert fresh(ticket).is_final


def test_overdue_loaners_are_listed_for_staff_and_technicians(client, world, django_assert_max_num_queries):
    ticket = lent(world, due_on=TODAY + dt.timedelta(days=1))
    Ticket.objects.filter(pk=ticket.pk).update(loaner_due_on=TODAY - dt.timedelta(days=3))
    client.force_login(world.staff)
    staff_page = client.get("/establishment/").content.decode()
    assert "Prêts en retard" in staff_page and ticket.loaner.asset_tag in staff_page
    client.force_login(world.tech)
    # The list reads only the columns it shows: a field it did not read would cost a query per row.
    with django_assert_max_num_queries(7):
        home = client.get("/").content.decode()
    with django_assert_max_num_queries(7):
        queue = client.get("/tickets/").content.decode()
    for page in (home, queue):
        assert "Prêts en retard" in page and ticket.reference in page and ticket.loaner.asset_tag in page
        assert world.establishment.name in page
    client.force_login(world.other_tech)
    assert "Prêts en retard" not in client.get("/tickets/").content.decode()
    Ticket.objects.filter(pk=ticket.pk).update(loaner_due_on=TODAY)
    client.force_login(world.staff)
    assert "Prêts en retard" not in client.get("/establishment/").content.decode()


def test_the_api_lends_with_a_due_date(world):
    from rest_framework.test import APIClient

    ticket = world.declare()
    api = APIClient()
    api.force_authenticate(world.tech)
    due = (TODAY + dt.timedelta(days=7)).isoformat()
    response = api.post(f"/api/v1/tickets/{ticket.reference}/loaner/", {"due_on": due}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["loaner_due_on"] == due
    other = world.declare(category="keyboard")
    refused = api.post(f"/api/v1/tickets/{other.reference}/loaner/", {"due_on": "2001-01-01"}, format="json")
    assert refused.status_code == 400 and "due_on" in refused.json()["errors"]
