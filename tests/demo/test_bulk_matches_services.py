"""The bulk writer shares the services' rules: the same drafts, replayed through repairs.services and
written in bulk, leave the same tickets, timelines and fleet.

The services stamp their own clock on transitions, so what is compared is everything but the times
(and the SLA fields that follow from them, which the bulk path gets from the SLA engine itself).
The replay takes the drafts a service can take today: recent ones (the académies' current images
were out), on laptops whose whole history is recent, declared by people who may still declare.
"""

import datetime as dt
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from demo import seed as demo_seed
from demo.fleet.generator import demo_data_generate
from demo.fleet.rows import PARIS
from demo.fleet.writer import NoProgress, SeedContext
from demo.tickets.drafts import TicketDraft
from demo.tickets.fleet import load_demo_fleet
from demo.tickets.generator import DemoTicketGenerator
from demo.tickets.writer import write_demo_tickets
from devices.models import Assignment, Device, FaultCategory, WarrantyCoverage
from repairs import services
from repairs.models import Ticket, TimelineEntry

pytestmark = pytest.mark.django_db

User = get_user_model()
NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)
RECENT = NOW - dt.timedelta(days=60)


TICKET_FIELDS = (
    "state", "category", "description", "priority", "coverage", "coverage_reason", "warranty_id", "claim_counted",
    "parts", "rma_number", "police_report", "return_channel", "carrier", "tracking_number",
)  # fmt: skip


class Rollback(Exception):
    pass


def replayable(drafts: list[TicketDraft]) -> list[TicketDraft]:
    by_device: dict[int, list[TicketDraft]] = defaultdict(list)
    for draft in drafts:
        by_device[draft.device.pk].append(draft)
    return [
        draft
        for mine in by_device.values()
        if all(d.declared_at >= RECENT and d.category != FaultCategory.THEFT_LOSS for d in mine)
        for draft in mine
    ]


def replay(drafts: list[TicketDraft]) -> None:
    """Every declaration, transition, loaner move and assignment of the drafts, in the order they
    happened, each through its service, as the people of the drafts."""
    users = {user.pk: user for user in User.objects.select_related("profile__zone", "profile__establishment")}
    tickets: dict[int, Ticket] = {}
    moves = sorted(
        (
            (entry.at, position, index, draft, entry)
            for position, draft in enumerate(drafts)
            for index, entry in enumerate(draft.entries)
        ),
        key=lambda move: move[:3],
    )
    for _at, position, _index, draft, entry in moves:
        actor = users[entry.actor_id]
        if entry.kind == TimelineEntry.Kind.DECLARED:
            tickets[position] = services.ticket_declare(
                device=Device.objects.get(pk=draft.device.pk),
                reporter=actor,
                category=draft.category,
                description=draft.description,
                at=entry.at,
                **entry.fields,
            )
            continue
        ticket = Ticket.objects.select_related("establishment__zone", "device").get(pk=tickets[position].pk)
        if entry.kind == TimelineEntry.Kind.TRANSITION:
            services.ticket_transition(ticket=ticket, actor=actor, name=entry.name, **entry.fields)
        elif entry.name == "lend_loaner":
            services.ticket_lend_loaner(ticket=ticket, actor=actor, device=entry.fields["device"])
        elif entry.name == "collect_loaner":
            services.ticket_collect_loaner(ticket=ticket, actor=actor)
        elif entry.name == "assign":
            services.ticket_assign(ticket=ticket, actor=actor, assignee=users[entry.fields["assignee"]])
        else:
            raise AssertionError(f"no service for {entry.kind} {entry.name}")


def without(payload: dict, key: str) -> dict:
    return {k: v for k, v in payload.items() if k != key}


def snapshot(drafts: list[TicketDraft]) -> dict:
    """What both writers must agree on, keyed by natural keys, without times."""
    devices = {draft.device.pk for draft in drafts} | {d.replacement.pk for d in drafts if d.replacement}
    tickets = {}
    for ticket in Ticket.objects.filter(device_id__in=[d.device.pk for d in drafts]).select_related(
        "reporter", "assignee", "replacement", "loaner", "establishment"
    ):
        timeline = [  # a loaner's due date is a date like the times: the replay lends it today
            (e.kind, e.name, e.source, e.target, e.actor.get_username(), e.note, without(e.payload, "due_on"))
            for e in ticket.timeline.select_related("actor").order_by("pk")
        ]
        tickets[(ticket.device.serial_number, ticket.declared_at)] = {
            "fields": {name: getattr(ticket, name) for name in TICKET_FIELDS},
            "people": (ticket.reporter.get_username(), ticket.assignee and ticket.assignee.get_username()),
            "devices": (
                ticket.replacement and ticket.replacement.serial_number,
                ticket.loaner and ticket.loaner.serial_number,
            ),
            "open": (ticket.first_responded_at is None, ticket.resolved_at is None, ticket.loaner_returned_at is None),
            "timeline": timeline,
        }
    fleet = {
        device.serial_number: (device.status, device.establishment_id, device.image_id)
        for device in Device.objects.filter(pk__in=devices)
    }
    assignments = sorted(
        (a.device.serial_number, a.student.get_username(), a.returned_at is None, a.channel,
         a.handed_over_by and a.handed_over_by.get_username())
        for a in Assignment.objects.filter(device_id__in=devices).select_related("device", "student", "handed_over_by")
    )  # fmt: skip
    claims = dict(WarrantyCoverage.objects.filter(device_id__in=devices).values_list("pk", "claims_used"))
    return {"tickets": tickets, "fleet": fleet, "assignments": assignments, "claims": claims}


def test_the_bulk_writer_leaves_what_the_services_leave(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ctx = SeedContext(dataset=demo_data_generate(scale="small"), progress=NoProgress())
    for _name, step in demo_seed.FLEET_STEPS:
        step(ctx)
    fleet = load_demo_fleet(ctx)
    drafts = DemoTicketGenerator(fleet=fleet, seed=ctx.dataset.seed, now=NOW).generate()
    chosen = replayable(drafts)
    names = {entry.name for draft in chosen for entry in draft.entries}
    # Enough to mean something: loaners, a swap, the manufacturer, a shipment, the assignment.
    assert len(chosen) >= 15
    assert {"lend_loaner", "collect_loaner", "swap", "send_to_manufacturer", "ship", "assign"} <= names

    try:
        with transaction.atomic():
            replay(chosen)
            through_services = snapshot(chosen)
            versions = {
                (t.device.serial_number, t.declared_at): t.version for t in Ticket.objects.select_related("device")
            }
            raise Rollback
    except Rollback:
        pass
    write_demo_tickets(ctx, drafts=drafts, fleet=fleet, now=NOW)
    in_bulk = snapshot(chosen)

    assert in_bulk["tickets"].keys() == through_services["tickets"].keys()
    for key, ticket in through_services["tickets"].items():
        assert in_bulk["tickets"][key] == ticket, key
    assert in_bulk["fleet"] == through_services["fleet"]
    assert in_bulk["assignments"] == through_services["assignments"]
    assert in_bulk["claims"] == through_services["claims"]
    # The services saved each ticket once per move: the drafts count them the same way.
    assert versions == {(draft.device.serial, draft.declared_at): draft.saves for draft in chosen}
