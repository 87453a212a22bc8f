"""Demo tickets (`seed_demo` writes "realistic tickets in every state"), at the small scale.

The region scale is timed by bench/seed_demo.py. The demo's present is pinned to a Friday of the demo's
school year, so that nothing here depends on the day the tests run.
"""

import datetime as dt
import re
from collections import Counter
from itertools import pairwise

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from demo.fleet import generator as fleet_generator
from demo.fleet.rows import PARIS
from demo.tickets.params import WORKSHOP_STATES
from devices.models import Assignment, Device, FaultCategory, Role
from repairs import permissions
from repairs.models import ReferenceCounter, Ticket, TimelineEntry
from repairs.services import ticket_declare
from repairs.states import FINAL_STATES, OPEN_STATES, TRANSITIONS_BY_NAME, State
from tests.once import small_demo_seeded

pytestmark = pytest.mark.django_db

User = get_user_model()
NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)  # a Friday afternoon
REFERENCE = re.compile(r"^R-(\d{4})-(\d{6})$")


def seed(scale: str = "small") -> None:
    call_command("seed_demo", scale=scale, verbosity=0)


seeded = small_demo_seeded(NOW)


def held_device(username: str) -> Device:
    return Assignment.objects.get(student__username=username, returned_at__isnull=True).device


def open_tickets():
    return Ticket.objects.filter(state__in=OPEN_STATES)


# Every state, realistic volumes.


def test_small_seed_has_a_realistic_number_of_tickets_in_every_state(seeded):
    states = Counter(Ticket.objects.values_list("state", flat=True))

    assert set(states) == set(State.values)
    assert 40 <= sum(states.values()) <= 200
    closed = sum(states[state] for state in FINAL_STATES)
    assert closed > 2 * sum(states[state] for state in OPEN_STATES)  # most tickets are history
    assert states[State.RETURNED] > states[State.CLOSED_NO_FAULT] + states[State.CANCELLED]
    categories = Counter(Ticket.objects.values_list("category", flat=True))
    assert {FaultCategory.SCREEN, FaultCategory.BATTERY, FaultCategory.KEYBOARD} <= set(categories)
    assert len(categories) >= 6


def test_seeded_tickets_carry_what_the_services_would_have_set(seeded):
    for ticket in Ticket.objects.select_related("device"):
        assert ticket.description.strip()
        assert ticket.declared_at <= NOW
        assert ticket.establishment_id is not None
        # One version per save of the services (transitions, loaners, assignment), plus one if the SLA
        # engine then updated the ticket.
        saves = ticket.timeline.exclude(kind=TimelineEntry.Kind.DECLARED).count()
        assert ticket.version in (saves, saves + 1)
        assert (ticket.resolved_at is not None) == (ticket.state in FINAL_STATES)
        past_diagnosis = ticket.timeline.filter(name__in=["start_diagnosis", "receive_device"]).exists()
        assert bool(ticket.coverage) == past_diagnosis
        if ticket.timeline.filter(name="send_to_manufacturer").exists():
            assert ticket.rma_number and ticket.coverage in ("manufacturer", "extended")
        if ticket.timeline.filter(name="order_parts").exists():
            assert ticket.parts
        if ticket.timeline.filter(name="ship").exists():
            assert ticket.return_channel == "carrier" and ticket.carrier and ticket.tracking_number
        if ticket.timeline.filter(name="swap").exists():
            assert ticket.replacement is not None
            if ticket.category == FaultCategory.THEFT_LOSS:
                assert ticket.police_report and ticket.device.status == Device.Status.LOST
            elif ticket.timeline.filter(name="swap", source="at_manufacturer").exists():
                assert ticket.device.status == Device.Status.AT_MANUFACTURER  # until it comes back
            else:
                assert ticket.device.status == Device.Status.IN_STOCK
    assert Ticket.objects.exclude(assignee=None).filter(state=State.DIAGNOSING).exists()


# Timelines: walks through the state table, timed like a working week.


def test_every_timeline_is_a_walk_through_the_state_table_by_people_allowed_to_take_each_step(seeded):
    tickets = Ticket.objects.select_related("establishment__zone").prefetch_related("timeline__actor__profile__zone")
    for ticket in tickets:
        entries = list(ticket.timeline.all())
        first = entries[0]
        steps = [entry for entry in entries if entry.kind == TimelineEntry.Kind.TRANSITION]
        assert (first.kind, first.target, first.actor_id) == (
            TimelineEntry.Kind.DECLARED,
            State.DECLARED,
            ticket.reporter_id,
        )
        assert first.at == ticket.declared_at
        previous = first
        for entry in steps:
            spec = TRANSITIONS_BY_NAME[entry.name]
            assert entry.source in spec.sources and entry.target == spec.target
            assert entry.source == previous.target, ticket.reference
            assert entry.at >= previous.at, ticket.reference
            # The same rule the services apply, read today: a graduated student still reported it.
            assert permissions.may_fire(user=entry.actor, ticket=ticket, name=entry.name), (ticket, entry.name)
            previous = entry
        assert previous.target == ticket.state
        if ticket.resolved_at:
            assert ticket.resolved_at == previous.at
        responses = [e.at for e in steps if e.name in ("start_diagnosis", "request_device")]
        assert ticket.first_responded_at == (responses[0] if responses else None)


def test_technicians_and_staff_act_in_french_working_hours(seeded):
    for at in TimelineEntry.objects.filter(kind=TimelineEntry.Kind.TRANSITION).values_list("at", flat=True):
        local = timezone.localtime(at, PARIS)
        assert local.weekday() < 5 and 8 <= local.hour < 18, local


def test_manufacturer_round_trips_take_one_to_three_weeks(seeded):
    back = TimelineEntry.objects.filter(name="receive_from_manufacturer").select_related("ticket")
    for entry in back:
        sent = entry.ticket.timeline.filter(name="send_to_manufacturer", at__lte=entry.at).latest("at")
        assert dt.timedelta(days=6) <= entry.at - sent.at <= dt.timedelta(days=24)


# References.


def test_references_are_unique_and_new_declarations_continue_after_them(seeded):
    references = list(Ticket.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    by_year = Counter()
    for reference in references:
        year, number = map(int, REFERENCE.match(reference).groups())
        by_year[year] = max(by_year[year], number)
    for year, highest in by_year.items():
        assert ReferenceCounter.objects.get(year=year).value >= highest

    device = (
        Device.objects.filter(status=Device.Status.ASSIGNED, tickets__isnull=True)
        .exclude(pk=held_device("demo-student").pk)
        .first()
    )
    ticket = ticket_declare(
        device=device,
        reporter=User.objects.get(username="demo-manager"),
        category=FaultCategory.SCREEN,
        description="L'écran reste noir.",
        at=NOW,
    )
    seeded_top = (
        Ticket.objects.exclude(pk=ticket.pk).filter(reference__startswith="R-2026-").aggregate(m=Max("reference"))
    )
    assert ticket.reference > seeded_top["m"]


# The demo accounts.


def test_demo_student_laptop_has_no_open_ticket_and_takes_a_declaration(seeded):
    student = User.objects.get(username="demo-student")
    device = held_device("demo-student")
    history = Ticket.objects.filter(device=device)

    assert not history.filter(state__in=OPEN_STATES).exists()
    assert history.count() <= 1 and set(history.values_list("state", flat=True)) <= {State.RETURNED}
    assert not open_tickets().filter(device=held_device("demo-student-other")).exists()
    for category in FaultCategory.values:
        ticket = ticket_declare(device=device, reporter=student, category=category, description="En panne.")
        assert Ticket.objects.get(pk=ticket.pk).state == State.DECLARED


def test_demo_tech_zone_has_an_open_queue_partly_theirs_partly_unassigned(seeded):
    tech = User.objects.get(username="demo-tech")
    queue = open_tickets().filter(establishment__zone=tech.profile.zone)

    assert queue.count() >= 8
    assert queue.filter(assignee=tech).count() >= 3
    assert queue.filter(assignee=None).count() >= 2
    assert len(set(queue.values_list("state", flat=True))) == len(OPEN_STATES)


def test_demo_staff_establishment_has_a_laptop_ready_to_return_and_one_awaited(seeded):
    staff = User.objects.get(username="demo-staff")
    here = open_tickets().filter(establishment=staff.profile.establishment)

    assert here.filter(state=State.READY_FOR_RETURN).exists()
    assert here.filter(state=State.AWAITING_DEVICE).exists()
    assert Ticket.objects.filter(reporter=staff).exists()


def test_the_api_lists_demo_tech_queue(seeded):
    tech = User.objects.get(username="demo-tech")
    client = APIClient()
    client.force_authenticate(tech)

    mine = client.get("/api/v1/tickets/", {"assigned_to": "me", "state": OPEN_STATES})
    unassigned = client.get("/api/v1/tickets/", {"assigned_to": "none", "state": [State.DECLARED]})

    assert mine.status_code == 200 and mine.json()["results"]
    assert unassigned.status_code == 200 and unassigned.json()["results"]
    reference = mine.json()["results"][0]["reference"]
    detail = client.get(f"/api/v1/tickets/{reference}/")
    assert detail.status_code == 200
    assert detail.json()["timeline"] and detail.json()["available_transitions"]


# Consistency with the fleet.


def test_open_tickets_agree_with_the_fleet(seeded):
    open_rows = list(open_tickets().values_list("device_id", "category", "state", "device__status"))

    assert len({(device, category) for device, category, _s, _d in open_rows}) == len(open_rows)
    for _device, _category, state, status in open_rows:
        assert status not in (Device.Status.RETIRED, Device.Status.LOST)
        if state == "at_manufacturer":
            assert status == Device.Status.AT_MANUFACTURER  # tracked there until it comes back
        elif state in WORKSHOP_STATES:
            assert status == Device.Status.IN_REPAIR
    # Every laptop the fleet has in the workshop is there for an open ticket.
    in_workshop = Device.objects.filter(status=Device.Status.IN_REPAIR, establishment__isnull=False)
    assert not in_workshop.exclude(tickets__state__in=WORKSHOP_STATES).exists()


def test_seeded_reporters_held_the_laptop_or_work_at_its_school(seeded):
    for ticket in Ticket.objects.select_related("reporter__profile"):
        profile = ticket.reporter.profile
        if profile.role == Role.STUDENT:
            assert Assignment.objects.filter(
                device_id=ticket.device_id, student=ticket.reporter, handed_over_at__lte=ticket.declared_at
            ).exists(), ticket
        else:
            assert (profile.role, profile.establishment_id) == (Role.STAFF, ticket.establishment_id), ticket


# Idempotence and determinism.


def test_seeding_twice_adds_no_ticket(seeded):
    before = (
        Ticket.objects.count(),
        TimelineEntry.objects.count(),
        list(ReferenceCounter.objects.values_list("year", "value")),
        Counter(Device.objects.values_list("status", flat=True)),
    )

    seed()

    after = (
        Ticket.objects.count(),
        TimelineEntry.objects.count(),
        list(ReferenceCounter.objects.values_list("year", "value")),
        Counter(Device.objects.values_list("status", flat=True)),
    )
    assert after == before


def test_a_bigger_scale_afterwards_adds_tickets_on_the_new_laptops_only(seeded, monkeypatch):
    before = dict(Ticket.objects.values_list("pk", "state"))
    ticketed = set(Ticket.objects.values_list("device_id", flat=True))
    monkeypatch.setattr(fleet_generator, "SMALL_DEVICES_PER_ESTABLISHMENT", 40)  # as region does after small

    seed()

    new = Ticket.objects.exclude(pk__in=before)
    assert new.exists()
    assert not new.filter(device_id__in=ticketed).exists()
    assert dict(Ticket.objects.filter(pk__in=before).values_list("pk", "state")) == before
    assert Ticket.objects.values("reference").distinct().count() == Ticket.objects.count()
    assert ReferenceCounter.objects.get(year=2026).value >= int(Ticket.objects.aggregate(m=Max("reference"))["m"][7:])


def test_seeded_open_tickets_get_their_due_dates(seeded):
    open_tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    assert open_tickets.exists()
    assert not open_tickets.exclude(state="awaiting_device").filter(resolution_due_at__isnull=True).exists()


# Loaners and swaps, as the services record them.


def test_loaners_are_lent_from_the_spare_pool_and_collected_before_the_ticket_closes(seeded):
    lent = Ticket.objects.filter(loaner__isnull=False).select_related("loaner")
    out_now = lent.filter(loaner_returned_at__isnull=True)

    assert out_now.exists() and lent.filter(loaner_returned_at__isnull=False).exists()
    assert set(out_now.values_list("state", flat=True)) <= set(OPEN_STATES)  # no final state leaves one out
    assert {t.loaner.status for t in out_now} == {Device.Status.ON_LOAN}
    assert Device.objects.filter(status=Device.Status.ON_LOAN).count() == out_now.count()
    periods: dict[int, list] = {}
    for ticket in lent:
        moves = list(ticket.timeline.filter(kind=TimelineEntry.Kind.LOANER).values_list("name", "at", "payload"))
        lent = {"device": ticket.loaner.serial_number, "due_on": ticket.loaner_due_on.isoformat()}
        assert ticket.loaner_due_on > timezone.localdate(ticket.loaner_lent_at)
        expected = [("lend_loaner", ticket.loaner_lent_at, lent)]
        if ticket.loaner_returned_at:
            expected.append(("collect_loaner", ticket.loaner_returned_at, {"device": ticket.loaner.serial_number}))
        assert moves == expected, ticket
        assert ticket.loaner.establishment_id in (ticket.establishment_id, None)  # its pool, or the depot's
        periods.setdefault(ticket.loaner_id, []).append((ticket.loaner_lent_at, ticket.loaner_returned_at))
    for spans in periods.values():  # one student at a time
        spans.sort()
        assert all(back is not None and back <= lent for (_l, back), (lent, _b) in pairwise(spans))


def test_a_swap_gives_the_student_the_replacement_and_sends_the_laptop_to_the_depot(seeded):
    swapped = Ticket.objects.filter(replacement__isnull=False).select_related("device", "replacement")

    assert swapped.exclude(category=FaultCategory.THEFT_LOSS).exists()
    for ticket in swapped:
        swap = ticket.timeline.get(name="swap")
        assert swap.payload["replacement"] == ticket.replacement.serial_number
        assert ticket.device.establishment_id is None
        replacement = Assignment.objects.get(device=ticket.replacement)
        assert (replacement.student_id, replacement.handed_over_at) == (swap.payload["student"], swap.at)
        assert replacement.returned_at is None and ticket.replacement.status == Device.Status.ASSIGNED
        assert ticket.replacement.establishment_id == ticket.establishment_id
        previous = Assignment.objects.get(device=ticket.device, student_id=swap.payload["student"])
        assert previous.returned_at == swap.at
        assert not Ticket.objects.filter(device=ticket.device, declared_at__gt=ticket.declared_at).exists()


def test_the_report_of_the_month_counts_swaps_and_loaners_out(seeded):
    manager = User.objects.get(username="demo-manager")
    client = APIClient()
    client.force_authenticate(manager)
    # The report page opens on the current month, up to today.
    period = {"from": NOW.date().replace(day=1).isoformat(), "to": NOW.date().isoformat()}

    response = client.get("/api/v1/reports/sla/", {**period, "group_by": "academie"})

    assert response.status_code == 200, response.content
    total = response.json()["total"]
    assert total["swapped"] > 0
    assert total["loaners_out"] > 0
