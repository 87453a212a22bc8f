"""What the status page without an account shows: reference, state, the next step in plain
words, dates, and the family's quote — never a name, a description, a serial number or a place.

Whoever holds the link reads this, so it says only what a parent needs to know and act on.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from repairs.models import Quote, Ticket
from repairs.states import QuoteState, State


def next_step(ticket: Ticket) -> str:
    state = ticket.state
    if state == State.DECLARED:
        return _("A technician will look at the declaration soon. You will be told if the laptop must be brought in.")
    if state == State.AWAITING_DEVICE:
        return _("Bring the laptop to the school (the digital referent or the CDI): the repair starts once it arrives.")
    if state == State.DIAGNOSING:
        if ticket.quote_state == QuoteState.PENDING:
            return _("A quote awaits your decision, below: the repair starts once you accept it.")
        if ticket.quote_state == QuoteState.REFUSED:
            return _("You refused the quote: the laptop will be handed back unrepaired.")
        return _("A technician is examining the laptop.")
    if state == State.AWAITING_PARTS:
        return _("Parts have been ordered: the repair continues when they arrive.")
    if state == State.IN_REPAIR:
        return _("The laptop is being repaired.")
    if state == State.AT_MANUFACTURER:
        return _("The laptop is with the manufacturer for a repair under warranty.")
    if state == State.READY_FOR_RETURN:
        if ticket.replacement_id:
            return _("A replacement laptop is ready: it can be collected at school.")
        if ticket.returned_unrepaired:
            return _("The laptop is ready to be collected at school, unrepaired.")
        return _("The laptop is repaired: it can be collected at school.")
    if state == State.IN_TRANSIT:
        return _("The laptop has been sent by carrier: it is on its way.")
    if state == State.RETURNED:
        return _("The laptop has been handed back: the repair is over.")
    if state == State.CLOSED_NO_FAULT:
        return _("No fault was found: the ticket is closed.")
    return _("The ticket was cancelled.")


def loaner_line(ticket: Ticket) -> str:
    if not ticket.loaner_out or ticket.loaner_due_on is None:
        return ""
    due = ticket.loaner_due_on.strftime("%d/%m/%Y")
    if ticket.loaner_due_on < timezone.localdate():
        return _("The loaner laptop was due back on %(date)s: please bring it back.") % {"date": due}
    return _("A loaner laptop is lent until %(date)s.") % {"date": due}


def status_page(ticket: Ticket) -> dict:
    """The page's data; the quote is the latest one the family has to know about (not a replaced one)."""
    last_change = ticket.timeline.order_by("-at", "-pk").values_list("at", flat=True).first()
    quote = None
    if ticket.quote_state:
        quote = Quote.objects.filter(ticket=ticket).exclude(status=Quote.Status.WITHDRAWN).order_by("-number").first()
    return {
        "reference": ticket.reference,
        "state": State(ticket.state).label,
        "state_value": ticket.state,
        "final": ticket.is_final,
        "next_step": next_step(ticket),
        "loaner": loaner_line(ticket),
        "declared_at": ticket.declared_at,
        "last_change": last_change or ticket.declared_at,
        "resolved_at": ticket.resolved_at,
        "quote": quote,
        "quote_open": quote is not None and quote.status == Quote.Status.PENDING and not ticket.is_final,
    }
