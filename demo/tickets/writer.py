"""The ticket writer: drafts in bulk, as the services would have left them.

References come from the same yearly counters as ticket_declare's, in declaration order; the
fleet's final state is what demo/tickets/effects.py derived; the SLA fields (due dates, breach
flags, business durations for the reports) are computed by the SLA engine from the written
timelines, like any other ticket's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from demo.fleet.writer import SeedContext
from demo.tickets.drafts import DemoFleet, TicketDraft
from demo.tickets.fleet import demo_now, load_demo_fleet
from demo.tickets.generator import DemoTicketGenerator
from devices.models import Assignment, Device, WarrantyCoverage
from repairs.models import ReferenceCounter, Ticket, TimelineEntry
from repairs.services import propose_priority
from repairs.sla.engine import sla_flags_refresh, tickets_sla_recompute

BATCH = 2000


def _chunks(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _number(drafts: list[TicketDraft]) -> list[str]:
    """References R-YYYY-NNNNNN in declaration order, after what each year's counter has handed out,
    and the counters moved past them so that new declarations continue after the seeded tickets.
    The counter rows stay locked (select_for_update) until the seed's transaction commits."""
    years = sorted({timezone.localtime(draft.declared_at).year for draft in drafts})
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year) for year in years], ignore_conflicts=True)
    last = dict(ReferenceCounter.objects.select_for_update().filter(year__in=years).values_list("year", "value"))
    # A reference written without the counter (an import, a fixture) must not be handed out twice.
    highest = Ticket.objects.aggregate(
        **{str(year): Max("reference", filter=Q(reference__startswith=f"R-{year}-")) for year in years}
    )
    for year in years:
        top = highest[str(year)]
        if top and top[7:].isdigit():
            last[year] = max(last[year], int(top[7:]))
    references = []
    for draft in drafts:
        year = timezone.localtime(draft.declared_at).year
        last[year] += 1
        references.append(f"R-{year}-{last[year]:06d}")
    ReferenceCounter.objects.bulk_update([ReferenceCounter(year=year, value=last[year]) for year in years], ["value"])
    return references


def _ticket(reference: str, draft: TicketDraft) -> Ticket:
    return Ticket(
        reference=reference,
        device_id=draft.device.pk,
        reporter_id=draft.reporter_id,
        establishment_id=draft.establishment_id,
        category=draft.category,
        description=draft.description,
        priority=propose_priority(category=draft.category, on=timezone.localdate(draft.declared_at)),
        assignee_id=draft.assignee_id,
        state=draft.state,  # a protected FSMField may be set once, at construction
        coverage=draft.coverage,
        coverage_reason=draft.coverage_reason,
        warranty_id=draft.warranty_id,
        claim_counted=draft.claim_counted,
        parts=draft.parts,
        rma_number=draft.rma_number,
        police_report=draft.police_report,
        replacement_id=draft.replacement.pk if draft.replacement else None,
        loaner_id=draft.loaner.pk if draft.loaner else None,
        loaner_lent_at=draft.loaner_lent_at,
        loaner_due_on=draft.loaner_due_on,
        loaner_returned_at=draft.loaner_returned_at,
        return_channel=draft.return_channel,
        carrier=draft.carrier,
        tracking_number=draft.tracking_number,
        declared_at=draft.declared_at,
        first_responded_at=draft.first_responded_at,
        resolved_at=draft.resolved_at,
        version=draft.saves,  # each save of the services bumped it once
    )


def write_demo_tickets(
    ctx: SeedContext, *, drafts: list[TicketDraft], fleet: DemoFleet, now: dt.datetime
) -> list[Ticket]:
    """Insert the drafts and their timelines, store the fleet they leave, compute their SLA."""
    drafts = sorted(drafts, key=lambda draft: (draft.declared_at, draft.device.serial))
    tickets = [_ticket(reference, draft) for reference, draft in zip(_number(drafts), drafts, strict=True)]
    for chunk in _chunks(tickets):
        Ticket.objects.bulk_create(chunk)
    entries = [
        TimelineEntry(
            ticket_id=ticket.pk,
            at=entry.at,
            actor_id=entry.actor_id,
            kind=entry.kind,
            name=entry.name,
            source=entry.source,
            target=entry.target,
            note=entry.note,
            payload=entry.payload,
        )
        for ticket, draft in zip(tickets, drafts, strict=True)
        for entry in draft.entries
    ]
    for chunk in _chunks(entries):
        TimelineEntry.objects.bulk_create(chunk)
    # bulk_create stamped updated_at (auto_now) with today: a ticket last changed at its last entry.
    last_entry = TimelineEntry.objects.filter(ticket=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    for chunk in _chunks([ticket.pk for ticket in tickets], 500):
        Ticket.objects.filter(pk__in=chunk).update(updated_at=Subquery(last_entry))
    _write_fleet(ctx, fleet=fleet, drafts=drafts)
    # The SLA engine reads the timelines just written, as after any policy change.
    for chunk in _chunks([ticket.pk for ticket in tickets]):
        tickets_sla_recompute(queryset=Ticket.objects.filter(pk__in=chunk), now=now)
    ctx.created[Ticket._meta.label] += len(tickets)
    ctx.created[TimelineEntry._meta.label] += len(entries)
    return tickets


def _grouped_update(model, field: str, values: dict[int, object]) -> None:
    """One UPDATE per distinct value (and per 500 rows): statuses, places and images have few."""
    by_value: dict[object, list[int]] = defaultdict(list)
    for pk, value in values.items():
        by_value[value].append(pk)
    for value, pks in by_value.items():
        for chunk in _chunks(sorted(pks), 500):
            model.objects.filter(pk__in=chunk).update(**{field: value})


def _write_fleet(ctx: SeedContext, *, fleet: DemoFleet, drafts: list[TicketDraft]) -> None:
    """Devices moved, re-imaged, swapped or lent; assignments a swap closed and opened; claims used."""
    devices = [*fleet.devices, *(spare for spares in fleet.spares.values() for spare in spares)]
    changed = [device for device in devices if device.state() != device.written]
    for position, field in enumerate(("status", "establishment_id", "image_id")):
        _grouped_update(
            Device, field, {d.pk: d.state()[position] for d in changed if d.state()[position] != d.written[position]}
        )
    holdings = [(device, holding) for device in devices for holding in device.holdings]
    _grouped_update(
        Assignment, "returned_at", {h.pk: h.end for _d, h in holdings if h.pk is not None and h.end != h.written_end}
    )
    new = [
        Assignment(
            device_id=device.pk,
            student_id=holding.student_id,
            handed_over_at=holding.start,
            handed_over_by_id=holding.handed_over_by,
            channel=holding.channel,
            delivered_at=holding.start,
            returned_at=holding.end,
        )
        for device, holding in holdings
        if holding.pk is None
    ]
    Assignment.objects.bulk_create(new, batch_size=500)
    ctx.created[Assignment._meta.label] += len(new)
    claims = {draft.claim.pk: draft.claim.claims_used for draft in drafts if draft.claim_counted and draft.claim}
    _grouped_update(WarrantyCoverage, "claims_used", claims)


def seed_demo_tickets(ctx: SeedContext, *, now: dt.datetime | None = None) -> None:
    """The tickets step of seed_demo: tickets for the devices that have none, then the SLA flags of
    every open ticket brought to the demo's present."""
    now = now or demo_now(ctx.dataset)
    fleet = load_demo_fleet(ctx)
    drafts = DemoTicketGenerator(fleet=fleet, seed=ctx.dataset.seed, now=now).generate()
    if drafts:
        write_demo_tickets(ctx, drafts=drafts, fleet=fleet, now=now)
    sla_flags_refresh(now=now)
