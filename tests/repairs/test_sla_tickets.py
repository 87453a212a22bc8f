"""The SLA engine on real tickets: recomputed by the services at every change, by a policy or a
closure change, by the periodic task; flags and warnings once per threshold."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from devices.models import Role
from notifications.models import Notification
from repairs import services, tasks
from repairs.models import Closure, SlaNotice, SlaPolicy, Ticket, TimelineEntry
from repairs.sla.calendar import PARIS
from repairs.sla.engine import SLA_FIELDS, tickets_sla_recompute
from tests.devices.factories import make_person
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


class FixedClock:
    def __init__(self) -> None:
        self.now = paris(2026, 11, 23, 8)

    def set(self, *args) -> dt.datetime:
        self.now = paris(*args)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = FixedClock()
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


@pytest.fixture
def world():
    return build_world()


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("establishment", "device").get(pk=ticket.pk)


def declare(world, clock, *args, **kwargs) -> Ticket:
    """A screen fault (priority high: 4 h to respond, 30 h to resolve) declared at paris(*args)."""
    at = clock.set(*args)
    return world.declare(category=kwargs.pop("category", "screen"), at=at, **kwargs)


def fire(ticket: Ticket, actor, name: str, clock, *args, **fields) -> Ticket:
    clock.set(*args)
    services.ticket_transition(ticket=fresh(ticket), actor=actor, name=name, **fields)
    return fresh(ticket)


def test_declaration_chooses_the_policy_and_sets_the_due_dates(world, clock):
    ticket = fresh(declare(world, clock, 2026, 11, 27, 17, 55))  # a Friday
    assert ticket.priority == "high"
    assert ticket.sla_policy.priority == "high"
    assert ticket.first_response_due_at == paris(2026, 11, 30, 11, 55)
    assert ticket.resolution_due_at == paris(2026, 12, 2, 17, 55)  # 5 min + Monday, Tuesday, Wednesday
    assert not ticket.first_response_breached and not ticket.sla_at_risk


def test_the_most_specific_policy_applies(world, clock):
    SlaPolicy.objects.create(
        name="Écrans", category="screen", first_response_hours=Decimal("1"), resolution_hours=Decimal("10")
    )
    SlaPolicy.objects.create(
        name="Écrans urgents",
        priority="high",
        category="screen",
        first_response_hours=Decimal("0.5"),
        resolution_hours=Decimal("5"),
    )
    ticket = fresh(declare(world, clock, 2026, 11, 23, 9))
    assert ticket.sla_policy.name == "Écrans urgents"
    assert ticket.first_response_due_at == paris(2026, 11, 23, 9, 30)


def test_pause_and_resume_through_the_services(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)  # Monday
    ticket = fire(ticket, world.tech, "request_device", clock, 2026, 11, 23, 10)
    assert ticket.sla_paused_since == paris(2026, 11, 23, 10)
    assert ticket.resolution_due_at is None
    assert ticket.first_response_seconds == 2 * 3600
    ticket = fire(ticket, world.staff, "receive_device", clock, 2026, 11, 25, 10)
    assert ticket.sla_paused_since is None
    # 28 h left at Wednesday 10:00: Wednesday 8 h, Thursday 10 h, Friday 10 h.
    assert ticket.resolution_due_at == paris(2026, 11, 27, 18)


def test_resolution_time_excludes_the_pause_and_is_stored_for_reports(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    ticket = fire(ticket, world.tech, "request_device", clock, 2026, 11, 23, 9)
    ticket = fire(ticket, world.staff, "receive_device", clock, 2026, 11, 24, 9)
    ticket = fire(ticket, world.tech, "close_no_fault", clock, 2026, 11, 24, 12, note="Rien à signaler")
    assert ticket.state == "closed_no_fault"
    assert ticket.resolution_seconds == 4 * 3600  # Monday 8–9, Tuesday 9–12
    assert ticket.first_response_seconds == 3600
    assert not ticket.resolution_breached and not ticket.sla_at_risk


def test_regression_manual_due_date_is_not_shifted_by_a_pause(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    clock.set(2026, 11, 23, 9)
    services.ticket_set_resolution_due(
        ticket=fresh(ticket), actor=world.manager, due_at=paris(2026, 11, 26, 12), reason="Bac blanc jeudi"
    )
    ticket = fire(ticket, world.tech, "request_device", clock, 2026, 11, 23, 10)
    ticket = fire(ticket, world.staff, "receive_device", clock, 2026, 11, 25, 10)
    assert ticket.resolution_due_at == paris(2026, 11, 26, 12)
    assert ticket.resolution_due_set_by == world.manager
    entry = TimelineEntry.objects.get(ticket=ticket, name="resolution_due")
    assert entry.note == "Bac blanc jeudi"
    assert entry.payload["resolution_due"]["to"].startswith("2026-11-26T12:00")


def test_only_managers_set_a_due_date_by_hand_and_say_why(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    with pytest.raises(services.ActionForbidden):
        services.ticket_set_resolution_due(ticket=fresh(ticket), actor=world.tech, due_at=clock.now, reason="x")
    with pytest.raises(ValidationError):
        services.ticket_set_resolution_due(
            ticket=fresh(ticket), actor=world.manager, due_at=paris(2026, 11, 30, 12), reason=" "
        )
    with pytest.raises(ValidationError):
        services.ticket_set_resolution_due(
            ticket=fresh(ticket), actor=world.manager, due_at=paris(2026, 11, 20, 12), reason="avant"
        )
    assert fresh(ticket).resolution_due_manual is None


def test_clearing_a_manual_due_date_goes_back_to_the_policy(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    computed = fresh(ticket).resolution_due_at
    services.ticket_set_resolution_due(
        ticket=fresh(ticket), actor=world.manager, due_at=paris(2026, 12, 20, 12), reason="Pièce rare"
    )
    services.ticket_set_resolution_due(ticket=fresh(ticket), actor=world.manager, due_at=None, reason="Pièce reçue")
    assert fresh(ticket).resolution_due_at == computed


def test_regression_pause_time_is_kept_when_the_priority_changes_the_policy(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    ticket = fire(ticket, world.tech, "request_device", clock, 2026, 11, 23, 10)
    ticket = fire(ticket, world.staff, "receive_device", clock, 2026, 11, 25, 10)
    clock.set(2026, 11, 25, 11)
    services.ticket_set_priority(ticket=fresh(ticket), actor=world.tech, priority="urgent")
    tasks.sla_warnings()  # picks up the priority change
    ticket = fresh(ticket)
    assert ticket.sla_policy.priority == "urgent"
    # Urgent: 20 h. Used: Monday 8–10 and Wednesday 10–11 = 3 h; the pause never counts.
    # 17 h left at Wednesday 11:00: Wednesday 7 h, Thursday 10 h.
    assert ticket.resolution_due_at == paris(2026, 11, 26, 18)


def test_editing_a_policy_recomputes_open_tickets_after_commit(world, clock, django_capture_on_commit_callbacks):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    policy = SlaPolicy.objects.get(priority="high", category="")
    with django_capture_on_commit_callbacks(execute=True):
        policy.resolution_hours = Decimal("10")
        policy.save()
    assert fresh(ticket).resolution_due_at == paris(2026, 11, 23, 18)


def test_a_closure_moves_the_due_dates_of_its_establishment_only(world, clock, django_capture_on_commit_callbacks):
    here = declare(world, clock, 2026, 11, 23, 8)
    there = world.declare(device=world.other_student.assignments.get().device, by=world.other_student, at=clock.now)
    before = fresh(there).resolution_due_at
    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.create(
            establishment=world.establishment,
            starts_on=dt.date(2026, 11, 24),
            ends_on=dt.date(2026, 11, 25),
            reason="Grève",
        )
    # 30 h from Monday 8:00: Monday, then Thursday and Friday instead of Tuesday and Wednesday.
    assert before == paris(2026, 11, 25, 18)
    assert fresh(here).resolution_due_at == paris(2026, 11, 27, 18)
    assert fresh(there).resolution_due_at == before


def test_bulk_recompute_agrees_with_the_services(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    ticket = fire(ticket, world.tech, "request_device", clock, 2026, 11, 23, 10)
    ticket = fire(ticket, world.staff, "receive_device", clock, 2026, 11, 25, 10)
    other = declare(world, clock, 2026, 11, 25, 11, category="battery")
    fire(other, world.tech, "cancel", clock, 2026, 11, 25, 12)
    assert tickets_sla_recompute(queryset=Ticket.objects.all(), now=clock.now) == 0
    values = Ticket.objects.values(*SLA_FIELDS)
    Ticket.objects.update(first_response_due_at=None, sla_key="", resolution_seconds=123)
    assert tickets_sla_recompute(queryset=Ticket.objects.all(), now=clock.now) == 2
    assert list(Ticket.objects.values(*SLA_FIELDS)) == list(values)


# Flags as time passes


def sla_filter(world, value: str) -> set[str]:
    client = APIClient()
    client.force_authenticate(world.manager)
    response = client.get("/api/v1/tickets/", {"sla": value})
    assert response.status_code == 200
    return {row["reference"] for row in response.json()["results"]}


def test_at_risk_from_80_percent_then_breached(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)  # first response due 12:00, 80 % at 11:12
    clock.set(2026, 11, 23, 11, 11)
    tasks.sla_warnings()
    assert not fresh(ticket).sla_at_risk
    assert sla_filter(world, "ok") == {ticket.reference}
    clock.set(2026, 11, 23, 11, 12)
    tasks.sla_warnings()
    assert fresh(ticket).sla_at_risk
    assert sla_filter(world, "at_risk") == {ticket.reference}
    clock.set(2026, 11, 23, 12, 1)
    tasks.sla_warnings()
    ticket = fresh(ticket)
    assert ticket.first_response_breached and not ticket.sla_at_risk
    assert sla_filter(world, "breached") == {ticket.reference}


def test_regression_no_breach_while_paused(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    fire(ticket, world.tech, "request_device", clock, 2026, 11, 23, 9)
    clock.set(2027, 1, 15, 9)  # weeks later, the device still not brought in
    tasks.sla_warnings()
    ticket = fresh(ticket)
    assert not ticket.resolution_breached and not ticket.sla_at_risk
    assert not SlaNotice.objects.filter(ticket=ticket).exists()


def test_a_stale_save_cannot_clear_a_flag_for_long(world, clock):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    stale = fresh(ticket)
    clock.set(2026, 11, 23, 11, 30)
    tasks.sla_warnings()
    services.ticket_assign(ticket=stale, actor=world.tech, assignee=world.tech)  # read before the flag
    assert not fresh(ticket).sla_at_risk
    tasks.sla_warnings()
    assert fresh(ticket).sla_at_risk


# Warnings


@pytest.fixture
def announced(monkeypatch):
    calls = []

    def record(*, ticket, target, threshold, recipients):
        calls.append((ticket.reference, target, threshold, sorted(user.username for user in recipients)))

    monkeypatch.setattr("repairs.messages.announce_sla", record)
    return calls


def test_each_threshold_is_announced_once_to_the_technician_and_the_managers(world, clock, announced):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    services.ticket_assign(ticket=fresh(ticket), actor=world.tech, assignee=world.tech)
    clock.set(2026, 11, 23, 11, 30)
    tasks.sla_warnings()
    tasks.sla_warnings()
    assert announced == [(ticket.reference, "first_response", "warning", ["manager", "tech"])]
    clock.set(2026, 11, 23, 13)
    tasks.sla_warnings()
    tasks.sla_warnings()
    assert announced[1:] == [(ticket.reference, "first_response", "breach", ["manager", "tech"])]
    fire(ticket, world.tech, "start_diagnosis", clock, 2026, 11, 24, 8)
    clock.set(2026, 11, 25, 12, 30)  # resolution: 80 % of 30 h on Wednesday 12:00, due at 18:00
    tasks.sla_warnings()
    assert announced[2:] == [(ticket.reference, "resolution", "warning", ["manager", "tech"])]
    clock.set(2026, 11, 25, 18, 1)
    tasks.sla_warnings()
    tasks.sla_warnings()
    assert announced[3:] == [(ticket.reference, "resolution", "breach", ["manager", "tech"])]
    assert SlaNotice.objects.filter(ticket=ticket).count() == 4


def test_unassigned_tickets_warn_the_technicians_of_their_zone(world, clock, announced):
    ticket = declare(world, clock, 2026, 11, 23, 8)
    clock.set(2026, 11, 24, 8)  # breached, never warned: only the breach is announced
    tasks.sla_warnings()
    assert announced == [(ticket.reference, "first_response", "breach", ["manager", "tech"])]


def test_warnings_reach_the_outbox(world, clock):
    make_person(Role.MANAGER, username="chef", email="chef@example.org")
    ticket = declare(world, clock, 2026, 11, 23, 8)
    clock.set(2026, 11, 23, 11, 30)
    tasks.sla_warnings()
    tasks.sla_warnings()
    rows = Notification.objects.filter(event="sla.first_response.warning")
    assert rows.filter(recipient__username="chef").count() == 1
    assert ticket.reference in rows.get(recipient__username="chef").body
