"""A realistic region for the benchmarks, written in bulk into an empty, migrated database.

The shape the region has in service, not a convenient one:
- 370 establishments in 13 départements and 26 technician zones (plus the depot), 61,000
  laptops, one student holding each assigned laptop (about 58,000), one staff member per
  establishment, 104 technicians, a manager and a supervisor;
- `tickets` tickets declared over three school years (September 2024 to yesterday), about 36 %
  of them still open and spread over the eight open states (a set with few open tickets once
  made a 400 ms queue look like 40 ms), never two open tickets for one laptop and fault;
- a timeline of 4 to 12 rows per ticket (declaration, the transitions that led to its state,
  assignment, loaners, comments on about 15 % of the tickets), French descriptions with accents;
- the SLA figures the engine stores (due dates, breaches, at-risk flags, business durations),
  approximated from the policies' targets rather than computed ticket by ticket.

Tickets and timelines are written with COPY on PostgreSQL and multi-row inserts on SQLite with
the database's triggers off, and what those triggers keep (search documents, counts, report
facts) is then derived by the apps' own rebuild statements (bench/region_derive.py): 97 minutes
for a million tickets through the triggers, row by row. `through_triggers=True` builds it the
old way, the reference bench/region_equal.py compares the fast build with.

    build(tickets=100_000)  # returns a Region with the people the benchmarks log in as
"""

from __future__ import annotations

import datetime as dt
import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from types import SimpleNamespace

from bulk_writer import Writer
from region_derive import derive, triggers_off
from region_fleet import fleet_build

SEED = 2026
DEVICES, ESTABLISHMENTS, ZONES = 61_000, 370, 26
OPEN_SHARE = 0.36
BATCH = 5000
OPEN_WEIGHTS = {
    "declared": 15,
    "awaiting_device": 10,
    "diagnosing": 20,
    "awaiting_parts": 15,
    "in_repair": 15,
    "at_manufacturer": 10,
    "ready_for_return": 10,
    "in_transit": 5,
}
FINAL_WEIGHTS = {"returned": 80, "closed_no_fault": 10, "cancelled": 10}
COMMENTS = (
    "Élève prévenu par l'ENT.",
    "Pièce commandée chez le fournisseur, délai annoncé d'une semaine.",
    "Le référent numérique a vérifié : la panne se reproduit.",
    "Sauvegarde des documents faite avant l'intervention.",
    "La famille demande si un prêt est possible en attendant.",
    "Rappel : l'ordinateur doit être rendu avec son chargeur.",
)


@dataclass
class Region:
    manager: object
    supervisor: object
    technician: object  # a zone technician
    staff: object
    students: list  # (student, a fault not open on their laptop): who declares what in the bench
    home_student: object  # a student with open tickets
    name: str  # that student's name, as someone would search for it
    tickets: int
    open_tickets: int
    timeline_rows: int
    steps: dict = field(default_factory=dict)  # the build's steps: seconds, tickets corrected


def _paths(rng: random.Random, state: str) -> list[str]:
    """The transitions that lead a new ticket to `state`, as a technician's week would."""
    diagnosis = ["start_diagnosis"] if rng.random() < 0.6 else ["request_device", "receive_device"]
    repair = [*diagnosis, "order_parts", "start_repair"] if rng.random() < 0.3 else [*diagnosis, "start_repair"]
    ready = [*repair, "finish_repair"] if rng.random() < 0.85 else [*diagnosis, "swap"]
    manufacturer = [*diagnosis, "send_to_manufacturer"]
    return {
        "declared": [],
        "awaiting_device": ["request_device"],
        "diagnosing": diagnosis,
        "awaiting_parts": [*diagnosis, "order_parts"],
        "in_repair": repair,
        "at_manufacturer": manufacturer,
        "ready_for_return": ready,
        "in_transit": [*ready, "ship"],
        "returned": [*ready, "hand_over"]
        if rng.random() < 0.8
        else (
            [*manufacturer, "receive_from_manufacturer", "finish_repair", "hand_over"]
            if rng.random() < 0.5
            else [*ready, "ship", "deliver"]
        ),
        "closed_no_fault": [*diagnosis, "close_no_fault"],
        "cancelled": ["cancel"] if rng.random() < 0.7 else ["request_device", "cancel"],
    }[state]


def build(*, tickets: int, seed: int = SEED, now: dt.datetime | None = None, through_triggers: bool = False) -> Region:
    from django.db import connection, transaction
    from django.utils import timezone

    now = now or timezone.now()
    rng = random.Random(seed)
    steps: dict = {}
    with transaction.atomic():
        started = time.perf_counter()
        fleet = fleet_build(rng)
        steps["fleet"] = time.perf_counter() - started
        started = time.perf_counter()
        with nullcontext() if through_triggers else triggers_off(connection):
            counts = _tickets(rng, fleet, tickets=tickets, now=now, connection=connection)
        steps["tickets and timelines"] = time.perf_counter() - started
        if not through_triggers:
            steps.update(derive(connection))
        started = time.perf_counter()
    steps["commit"] = time.perf_counter() - started
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("repairs_ticket", "repairs_timelineentry"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
        # What autovacuum would have done by the time the region has a million tickets. Counts kept
        # by triggers during a one-transaction build are updated once per row written: a few
        # thousand rows left in tens of MB of dead versions (65 MB for 4,081 rows of
        # repairs_statecount at a million, built through the triggers; the campaign's counts, kept
        # while the fleet's assignments are written), read whole by every count. Grown over three
        # school years, their versions would have been pruned as they went: they are rewritten to
        # their live rows.
        from distribution.triggers import COUNTS as CAMPAIGN_COUNTS
        from insights.triggers import COUNTS as WEEKLY_COUNTS
        from repairs.triggers import PARTS

        kept = (PARTS["counts"].table, *WEEKLY_COUNTS.tables, *CAMPAIGN_COUNTS.tables)
        connection.ensure_connection()
        old = connection.connection.autocommit
        connection.connection.autocommit = True
        with connection.connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL {', '.join(kept)}")
            cursor.execute("VACUUM ANALYZE")
        connection.connection.autocommit = old
    steps["vacuum"] = time.perf_counter() - started
    return Region(**fleet["people"], **counts, steps=steps)


def find() -> Region:
    """The Region of a database built earlier (bench/region_figures.py --reuse)."""
    from django.contrib.auth import get_user_model

    from demo.tickets.texts import DESCRIPTIONS
    from devices.models import Assignment
    from repairs.models import Ticket, TimelineEntry
    from repairs.states import OPEN_STATES

    User = get_user_model()
    holdings = list(Assignment.objects.filter(returned_at__isnull=True).select_related("student").order_by("pk")[:400])
    open_faults = set(
        Ticket.objects.filter(state__in=OPEN_STATES, device_id__in=[a.device_id for a in holdings]).values_list(
            "device_id", "category"
        )
    )
    home = next(a.student for a in holdings if any(device == a.device_id for device, _c in open_faults))
    return Region(
        manager=User.objects.get(username="manager"),
        supervisor=User.objects.get(username="supervisor"),
        technician=User.objects.get(username="tech000"),
        staff=User.objects.get(username="staff000"),
        students=_declarers(holdings, open_faults, list(DESCRIPTIONS)),
        home_student=home,
        name=f"{home.first_name} {home.last_name}",
        tickets=Ticket.objects.count(),
        open_tickets=Ticket.objects.filter(state__in=OPEN_STATES).count(),
        timeline_rows=TimelineEntry.objects.count(),
    )


def _declarers(holdings, open_faults: set, categories: list[str]) -> list[tuple]:
    """(student, category) pairs: each student declares a fault not already open on their laptop
    (at a million tickets, most laptops have one open already)."""
    pairs = []
    for holding in holdings:
        free = next((c for c in categories if (holding.device_id, c) not in open_faults), None)
        if free:
            pairs.append((holding.student, free))
    return pairs[:200]


def _tickets(rng: random.Random, fleet: dict, *, tickets: int, now: dt.datetime, connection) -> dict:
    from demo.tickets.texts import DESCRIPTIONS
    from repairs.models import ReferenceCounter, SlaPolicy, Ticket, TimelineEntry
    from repairs.states import PRIORITY_BY_CATEGORY, TRANSITIONS_BY_NAME

    devices = fleet["devices"]
    policies = {p.priority: p for p in SlaPolicy.objects.filter(category="")}
    categories = list(DESCRIPTIONS)
    start = dt.datetime(2024, 9, 2, 6, tzinfo=dt.UTC)
    span = (now - dt.timedelta(days=1) - start).total_seconds()
    moments = sorted(start + dt.timedelta(seconds=span * rng.random()) for _ in range(tickets))
    recent = sum(1 for m in moments if (now - m).days <= 180)
    p_recent = 0.75
    p_old = max(0.0, (OPEN_SHARE * tickets - p_recent * recent) / max(tickets - recent, 1))
    open_states, open_w = list(OPEN_WEIGHTS), list(OPEN_WEIGHTS.values())
    final_states, final_w = list(FINAL_WEIGHTS), list(FINAL_WEIGHTS.values())
    taken: set[tuple[int, str]] = set()
    # The latest ticket not cancelled of each laptop, for the repeat-failure flags (repairs/triggers.py
    # FACTS: another such ticket declared in the 30 or 90 days before); the database corrects any miss.
    latest: dict[int, dt.datetime] = {}
    ticket_writer, entry_writer = Writer(Ticket, connection), Writer(TimelineEntry, connection)
    counters: dict[int, int] = {}
    ticket_rows, entry_rows = [], []
    entry_id = 0
    open_count = 0
    fr_names = {"start_diagnosis", "request_device"}
    for n, declared in enumerate(moments, start=1):
        is_open = rng.random() < (p_recent if (now - declared).days <= 180 else p_old)
        while True:
            device = devices[rng.randrange(DEVICES)]
            category = rng.choice(categories)
            if not is_open or (device.pk, category) not in taken:
                break
        if is_open:
            taken.add((device.pk, category))
            open_count += 1
        state = rng.choices(open_states, open_w)[0] if is_open else rng.choices(final_states, final_w)[0]
        establishment_id = device.establishment_id
        holder = fleet["holder"].get(device.pk)
        staff_id = fleet["staff_of"].get(establishment_id)
        reporter = holder if holder and rng.random() < 0.7 else (staff_id or fleet["depot_techs"][0])
        team = fleet["zone_techs"][fleet["zone_of"][establishment_id]] if establishment_id else fleet["depot_techs"]
        assignee = rng.choice(team) if state != "declared" or rng.random() < 0.3 else None
        priority = PRIORITY_BY_CATEGORY[category]
        policy = policies[priority]
        year = declared.year
        counters[year] = counters.get(year, 0) + 1
        path = _paths(rng, state)
        end = now - dt.timedelta(hours=1) if is_open else declared + dt.timedelta(hours=rng.lognormvariate(4.3, 0.8))
        end = min(end, now - dt.timedelta(minutes=5))
        steps = sorted(declared + (end - declared) * rng.random() for _ in path)
        if path and not is_open:
            steps[-1] = end
        first_response = next((at for name, at in zip(path, steps, strict=True) if name in fr_names), None)
        resolved = steps[-1] if not is_open and path else None
        first_h, resolution_h = float(policy.first_response_hours), float(policy.resolution_hours)
        fr_due = declared + dt.timedelta(hours=first_h * 2.4)
        res_due = declared + dt.timedelta(hours=resolution_h * 2.4)
        fr_breached = (first_response or now) > fr_due and state != "cancelled"
        measured = state in ("returned", "closed_no_fault")
        res_breached = (measured and resolved > res_due) or (is_open and now > res_due)
        at_risk = is_open and not res_breached and now > declared + (res_due - declared) * 0.8
        manufacturer = "send_to_manufacturer" in path and measured
        before = latest.get(device.pk)
        repeat = {
            days: before is not None and declared - dt.timedelta(days=days) <= before < declared for days in (30, 90)
        }
        if state != "cancelled":
            latest[device.pk] = declared
        lent = rng.random() < 0.1 and state not in ("declared", "cancelled")
        loaner = devices[rng.randrange(DEVICES)] if lent else None
        lent_at = (first_response or declared) + dt.timedelta(hours=2) if lent else None
        ticket_rows.append(
            {
                "id": n,
                "reference": f"R-{year}-{counters[year]:06d}",
                "device_id": device.pk,
                "reporter_id": reporter,
                "establishment_id": establishment_id,
                "category": category,
                "description": rng.choice(DESCRIPTIONS[category]),
                "priority": priority,
                "assignee_id": assignee,
                "state": state,
                "coverage": ""
                if state in ("declared", "awaiting_device", "cancelled")
                else rng.choice(["manufacturer", "region", "region", "extended", "family"]),
                "rma_number": f"RMA{n}" if "send_to_manufacturer" in path else "",
                "replacement_id": devices[rng.randrange(DEVICES)].pk if "swap" in path else None,
                "loaner_id": loaner.pk if loaner else None,
                "loaner_lent_at": lent_at,
                "loaner_returned_at": resolved if lent and resolved else None,
                "declared_at": declared,
                "first_responded_at": first_response,
                "resolved_at": resolved,
                "first_response_due_at": fr_due,
                "resolution_due_at": res_due,
                "first_response_breached": fr_breached,
                "resolution_breached": res_breached,
                "sla_at_risk": at_risk,
                "sla_policy_id": policy.pk,
                "sla_key": f"{priority}/{category}",
                "first_response_seconds": int((first_response - declared).total_seconds() / 2.4)
                if first_response
                else None,
                "resolution_seconds": int((resolved - declared).total_seconds() / 2.4) if measured else None,
                "manufacturer_seconds": int(rng.lognormvariate(13.5, 0.4)) if manufacturer else None,
                "repeat_30_days": repeat[30],
                "repeat_90_days": repeat[90],
                "version": len(path),
                "updated_at": steps[-1] if steps else declared,
            }
        )
        entries = [(declared, reporter, "declared", "", "", "declared", "")]
        for name, at in zip(path, steps, strict=True):
            spec = TRANSITIONS_BY_NAME[name]
            actor = assignee or (team[0] if team else None)
            entries.append((at, actor, "transition", name, "", spec.target, ""))
        if assignee:
            entries.append(
                (declared + dt.timedelta(minutes=rng.randrange(5, 600)), assignee, "edit", "assign", "", "", "")
            )
        if lent:
            entries.append((lent_at, assignee, "loaner", "lend_loaner", "", "", ""))
            if resolved:
                entries.append((resolved, assignee, "loaner", "collect_loaner", "", "", ""))
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 3)):
                at = declared + (end - declared) * rng.random()
                entries.append(
                    (at, rng.choice([reporter, assignee or reporter]), "comment", "", "", "", rng.choice(COMMENTS))
                )
        while len(entries) < 4:
            at = declared + (end - declared) * rng.random()
            entries.append((at, assignee or reporter, "edit", "priority", "", "", ""))
        entries = sorted(entries[:1] + sorted(entries[1:], key=lambda e: e[0])[:11], key=lambda e: e[0])
        for at, actor, kind, name, source, target, note in entries:
            entry_id += 1
            entry_rows.append(
                {
                    "id": entry_id,
                    "ticket_id": n,
                    "at": at,
                    "actor_id": actor,
                    "kind": kind,
                    "name": name,
                    "source": source,
                    "target": target,
                    "note": note,
                    "payload": {},
                }
            )
        if len(ticket_rows) >= BATCH:
            ticket_writer.write(ticket_rows)
            entry_writer.write(entry_rows)
            ticket_rows, entry_rows = [], []
    ticket_writer.write(ticket_rows)
    entry_writer.write(entry_rows)
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=y, value=v) for y, v in counters.items()])
    busy = {device for device, _category in taken}
    holdings = [
        SimpleNamespace(device_id=device, student=fleet["students"][student])
        for device, student in list(fleet["holder"].items())[:400]
    ]
    home = next(fleet["students"][fleet["holder"][d]] for d in sorted(busy) if d in fleet["holder"])
    return {
        "students": _declarers(holdings, taken, categories),
        "home_student": home,
        "name": f"{home.first_name} {home.last_name}",
        "tickets": tickets,
        "open_tickets": open_count,
        "timeline_rows": entry_id,
    }
