"""Costs and quotes: the parts used and the labour time on a ticket, and the quote a family
accepts or refuses before a repair charged to it starts.

The ticket's stored costs are recomputed (repairs.pricing) in the same transaction as each change,
and every change leaves a timeline entry. A quote freezes the lines and the rate of the day.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from repairs import permissions
from repairs.exceptions import ActionForbidden, TicketChanged, TransitionNotPossible
from repairs.messages import announce
from repairs.models import Part, Quote, Ticket, TicketPart, TimelineEntry
from repairs.pricing import ZERO, labour_cost, labour_rate, money, ticket_costs_compute
from repairs.services.core import action_check, record, require_open
from repairs.states import QUOTE_STATES, Coverage, QuoteState, State

MAX_QUANTITY = 99
MAX_LABOUR_MINUTES = 100 * 60


def _costs_check(ticket: Ticket, actor, expected_version: int | None) -> None:
    action_check(
        ticket=ticket,
        allowed=permissions.may_record_costs(user=actor, ticket=ticket),
        refusal=_("You may not record parts or labour on this ticket."),
        expected_version=expected_version,
    )


@transaction.atomic
def ticket_add_part(
    *, ticket: Ticket, actor, part: str, quantity: int = 1, expected_version: int | None = None
) -> TicketPart:
    """A part of the price list used on the ticket, at today's price."""
    _costs_check(ticket, actor, expected_version)
    found = Part.objects.filter(reference__iexact=(part or "").strip(), active=True).first()
    if found is None:
        raise ValidationError({"part": _("No part of the price list has the reference “%(value)s”.") % {"value": part}})
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": _("Give a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY}})
    line = TicketPart.objects.create(
        ticket=ticket, part=found, quantity=quantity, unit_price=found.unit_price, added_by=actor
    )
    ticket_costs_compute(ticket)
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="part_added",
        payload={
            "part": found.reference,
            "label": found.label,
            "quantity": quantity,
            "unit_price": str(found.unit_price),
        },
    )
    return line


@transaction.atomic
def ticket_remove_part(*, ticket: Ticket, actor, line_id: int, expected_version: int | None = None) -> None:
    _costs_check(ticket, actor, expected_version)
    line = TicketPart.objects.filter(ticket=ticket, pk=line_id).select_related("part").first()
    if line is None:
        raise ValidationError({"part": _("This part is not on the ticket.")})
    line.delete()
    ticket_costs_compute(ticket)
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="part_removed",
        payload={"part": line.part.reference, "label": line.part.label, "quantity": line.quantity},
    )


@transaction.atomic
def ticket_set_labour(*, ticket: Ticket, actor, minutes: int, expected_version: int | None = None) -> Ticket:
    """The labour time spent (or planned, for a quote) on the ticket, in minutes."""
    _costs_check(ticket, actor, expected_version)
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_LABOUR_MINUTES:
        raise ValidationError(
            {"minutes": _("Give the labour time in minutes, from 0 to %(max)d.") % {"max": MAX_LABOUR_MINUTES}}
        )
    previous = ticket.labour_minutes
    ticket.labour_minutes = minutes
    ticket_costs_compute(ticket)
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="labour",
        payload={"labour_minutes": {"from": previous, "to": minutes}},
    )
    return ticket


@transaction.atomic
def ticket_quote_issue(*, ticket: Ticket, actor, expected_version: int | None = None) -> Quote:
    """Quote the ticket's parts and labour at the family's rate; a pending quote is replaced. The
    family is told (with its status link) that a quote awaits its decision."""
    action_check(
        ticket=ticket,
        allowed=permissions.may_record_costs(user=actor, ticket=ticket),
        refusal=_("You may not issue a quote for this ticket."),
        expected_version=expected_version,
    )
    if ticket.state not in QUOTE_STATES:
        raise TransitionNotPossible(
            _("A quote is issued during the diagnosis, before the repair starts: ticket %(reference)s is “%(state)s”.")
            % {"reference": ticket.reference, "state": State(ticket.state).label}
        )
    if ticket.coverage != Coverage.FAMILY:
        raise ValidationError({"coverage": _("Only a repair charged to the family needs a quote.")})
    lines = list(TicketPart.objects.filter(ticket=ticket).select_related("part"))
    rate = labour_rate(Coverage.FAMILY) or ZERO
    parts_total = money(sum((line.total for line in lines), ZERO))
    labour_total = labour_cost(ticket.labour_minutes, rate)
    if parts_total + labour_total <= ZERO:
        raise ValidationError({"quote": _("Add the parts and the labour time to quote first.")})
    Quote.objects.filter(ticket=ticket, status=Quote.Status.PENDING).update(status=Quote.Status.WITHDRAWN)
    number = (Quote.objects.filter(ticket=ticket).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            quote = _quote_create(ticket, actor, number=number, lines=lines, rate=rate, parts=parts_total)
    except IntegrityError:  # another quote of this ticket was issued at the same moment
        raise TicketChanged(_("This ticket was just changed by someone else. Reload it and try again.")) from None
    ticket.quote_state = QuoteState.PENDING
    entry = record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="quote_issued",
        payload={"quote": quote.reference, "total": str(quote.total)},
    )
    announce(entry=entry)
    return quote


def _quote_create(ticket: Ticket, actor, *, number: int, lines: list[TicketPart], rate, parts) -> Quote:
    labour_total = labour_cost(ticket.labour_minutes, rate)
    return Quote.objects.create(
        ticket=ticket,
        number=number,
        lines=[
            {
                "reference": line.part.reference,
                "label": line.part.label,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "total": str(money(line.total)),
            }
            for line in lines
        ],
        labour_minutes=ticket.labour_minutes,
        hourly_rate=rate,
        parts_total=parts,
        labour_total=labour_total,
        total=parts + labour_total,
        issued_by=actor,
    )


@transaction.atomic
def ticket_quote_decide(
    *,
    ticket: Ticket,
    accepted: bool,
    number: int | None = None,
    actor=None,
    token: str | None = None,
    expected_version: int | None = None,
) -> Quote:
    """The family's answer to the pending quote: given by the family itself through the status link
    (no account: `token` is the ticket's status token), or recorded by `actor` (staff, a technician).
    `number` is the quote the person read: a quote replaced meanwhile is not answered blindly."""
    if actor is None:
        if not token or not secrets.compare_digest(token, ticket.status_token):
            raise ActionForbidden(_("This status link is not valid any more."))
        require_open(ticket)
    else:
        action_check(
            ticket=ticket,
            allowed=permissions.may_record_quote_decision(user=actor, ticket=ticket),
            refusal=_("You may not record the family's answer for this ticket."),
            expected_version=expected_version,
        )
    quote = Quote.objects.select_for_update().filter(ticket=ticket, status=Quote.Status.PENDING).first()
    if quote is None:
        raise ValidationError({"quote": _("No quote awaits a decision on this ticket.")})
    if number is not None and quote.number != number:
        raise ValidationError({"quote": _("The quote was just replaced by a new one: read it before answering.")})
    quote.status = Quote.Status.ACCEPTED if accepted else Quote.Status.REFUSED
    quote.decided_at, quote.decided_by = timezone.now(), actor
    quote.decided_via = Quote.Via.STAFF if actor is not None else Quote.Via.STATUS_LINK
    quote.save(update_fields=["status", "decided_at", "decided_by", "decided_via"])
    ticket.quote_state = QuoteState.ACCEPTED if accepted else QuoteState.REFUSED
    entry = record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="quote_accepted" if accepted else "quote_refused",
        payload={"quote": quote.reference, "total": str(quote.total), "via": quote.decided_via},
    )
    announce(entry=entry)
    return quote
