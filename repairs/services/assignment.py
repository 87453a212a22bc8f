"""Who works on a ticket, how urgent it is, and by when: assignment, priority, a due date by hand."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import permissions as fleet
from repairs import permissions
from repairs.models import Ticket, TimelineEntry
from repairs.services.core import action_check, record
from repairs.sla import engine as sla
from repairs.states import Priority


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee, expected_version: int | None = None) -> Ticket:
    """Assign a technician (or nobody). Managers assign anyone; a technician takes a ticket."""
    action_check(
        ticket=ticket,
        allowed=permissions.may_assign(user=actor, ticket=ticket, assignee=assignee),
        refusal=_("You may not assign this ticket."),
        expected_version=expected_version,
    )
    if assignee is not None and not permissions.is_technician(assignee):
        raise ValidationError({"assignee": _("Tickets are assigned to technicians.")})
    previous = ticket.assignee
    ticket.assignee = assignee
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="assign",
        payload={
            "assignee": {
                "from": previous.get_username() if previous else None,
                "to": assignee.get_username() if assignee else None,
            }
        },
    )
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, actor, priority: str, expected_version: int | None = None) -> Ticket:
    action_check(
        ticket=ticket,
        allowed=permissions.is_operator(user=actor, ticket=ticket),
        refusal=_("You may not change the priority of this ticket."),
        expected_version=expected_version,
    )
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority “%(value)s”.") % {"value": priority}})
    previous = ticket.priority
    ticket.priority = priority
    sla.ticket_sla_update(ticket=ticket)  # the policy may depend on the priority
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="priority",
        payload={"priority": {"from": previous, "to": priority}},
    )
    return ticket


@transaction.atomic
def ticket_set_resolution_due(
    *, ticket: Ticket, actor, due_at: dt.datetime | None, reason: str, expected_version: int | None = None
) -> Ticket:
    """A manager sets the resolution due date by hand, with a reason, or clears it
    (None) to go back to the policy's. Pauses never move a date set by hand."""
    action_check(
        ticket=ticket,
        allowed=fleet.is_manager(actor),
        refusal=_("Only a manager may set a ticket's due date."),
        expected_version=expected_version,
        reason=reason,
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the due date is set by hand.")})
    if due_at is not None and due_at <= ticket.declared_at:
        raise ValidationError({"due_at": _("The due date must be after the declaration.")})
    previous = ticket.resolution_due_manual
    now = timezone.now()
    ticket.resolution_due_manual = due_at
    ticket.resolution_due_reason, ticket.resolution_due_set_by, ticket.resolution_due_set_at = reason, actor, now
    sla.ticket_sla_update(ticket=ticket, now=now)
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="resolution_due",
        note=reason,
        payload={
            "resolution_due": {
                "from": previous.isoformat() if previous else None,
                "to": due_at.isoformat() if due_at else None,
            }
        },
    )
    return ticket
