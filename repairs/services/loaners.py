"""Loaners (SPEC §3.1): actions, not states. A spare of the pool is lent while the student's laptop
is away and collected back, whatever the ticket's state."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as fleet
from repairs import permissions
from repairs.messages import announce
from repairs.models import Ticket, TimelineEntry
from repairs.services.core import action_check, record


@transaction.atomic
def ticket_lend_loaner(
    *, ticket: Ticket, actor, device: str | None = None, expected_version: int | None = None
) -> Ticket:
    action_check(
        ticket=ticket,
        allowed=permissions.may_handle_loaners(user=actor, ticket=ticket),
        refusal=_("You may not lend a loaner for this ticket."),
        expected_version=expected_version,
        device=device,
    )
    if ticket.loaner_out:
        raise ValidationError({"device": _("Loaner %(device)s is already out.") % {"device": ticket.loaner}})
    loaner = fleet.spare_pick(establishment_id=ticket.establishment_id, identifier=device, exclude=[ticket.device_id])
    ticket.loaner, ticket.loaner_lent_at, ticket.loaner_returned_at = loaner, timezone.now(), None
    fleet.spare_lend(device=loaner)
    entry = record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.LOANER,
        name="lend_loaner",
        payload={"device": loaner.serial_number},
    )
    announce(entry=entry)
    return ticket


@transaction.atomic
def ticket_collect_loaner(*, ticket: Ticket, actor, expected_version: int | None = None) -> Ticket:
    """Works in any state: a loaner must come back even after a cancellation."""
    action_check(
        ticket=ticket,
        allowed=permissions.may_handle_loaners(user=actor, ticket=ticket),
        refusal=_("You may not collect the loaner of this ticket."),
        expected_version=expected_version,
        open_only=False,
    )
    if not ticket.loaner_out:
        raise ValidationError({"device": _("No loaner is out for this ticket.")})
    ticket.loaner_returned_at = timezone.now()
    fleet.spare_take_back(device=ticket.loaner)
    entry = record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.LOANER,
        name="collect_loaner",
        payload={"device": ticket.loaner.serial_number},
    )
    announce(entry=entry)
    return ticket
