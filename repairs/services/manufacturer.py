"""A laptop that was at the manufacturer while its student got a replacement (`swap` from
`at_manufacturer`): the ticket is over for the student, the laptop is still tracked there until it
comes back, then it joins the spare pool."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from devices import services as fleet
from repairs import permissions
from repairs.models import Ticket, TimelineEntry
from repairs.selectors import manufacturer_return_pending
from repairs.services.core import action_check, record


@transaction.atomic
def ticket_manufacturer_return(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    action_check(
        ticket=ticket,
        allowed=permissions.is_operator(user=actor, ticket=ticket),
        refusal=_("You may not record this laptop's return from the manufacturer."),
        expected_version=expected_version,
        open_only=False,  # the student's ticket is usually closed by then
        note=note,
    )
    if not manufacturer_return_pending(ticket):
        raise ValidationError(
            {"device": _("Laptop %(device)s is not awaited back from the manufacturer.") % {"device": ticket.device}}
        )
    fleet.device_back_from_manufacturer(device=ticket.device)
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="manufacturer_return",
        note=(note or "").strip(),
        payload={"device": ticket.device.serial_number, "rma_number": ticket.rma_number},
    )
    return ticket
