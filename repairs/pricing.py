"""A ticket's cost: the parts used at their recorded prices, plus the labour time at the
hourly rate of the ticket's coverage. Computed here, stored on the ticket by the services (so that
reports add columns), never by a view or a template."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

from repairs.models import LabourRate, Ticket, TicketPart

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def labour_rate(coverage: str) -> Decimal | None:
    """The hourly rate of a coverage; None when the coverage is not decided or has no rate."""
    if not coverage:
        return None
    return LabourRate.objects.filter(coverage=coverage).values_list("hourly_rate", flat=True).first()


def labour_cost(minutes: int, rate: Decimal | None) -> Decimal:
    return money(Decimal(minutes) * rate / 60) if rate and minutes else ZERO


def ticket_costs_compute(ticket: Ticket) -> None:
    """Set the ticket's parts and labour costs from its lines, its time and its coverage's rate (in
    memory; the caller saves). Two queries."""
    lines = TicketPart.objects.filter(ticket=ticket).values_list("unit_price", "quantity")
    ticket.parts_cost = money(sum((price * quantity for price, quantity in lines), ZERO))
    ticket.labour_cost = labour_cost(ticket.labour_minutes, labour_rate(ticket.coverage))


def labour_cost_refresh(ticket: Ticket) -> None:
    """After a coverage change: the labour at the new coverage's rate (one query, none without labour)."""
    if ticket.labour_minutes:
        ticket.labour_cost = labour_cost(ticket.labour_minutes, labour_rate(ticket.coverage))


def euros(value) -> str:
    """An amount as people read it in the active language: "1 234,50 €" in French."""
    try:
        amount = money(value)
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} €"
