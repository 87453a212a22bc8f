"""Loaners: actions, not states. A spare of the pool is lent while the student's laptop
is away, until a due date (`LOANER_DEFAULT_DAYS` days by default, editable), and collected back
whatever the ticket's state. Reminders before and after the due date: repairs.loaner_reminders."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as fleet
from repairs import permissions
from repairs.messages import announce
from repairs.models import Ticket, TimelineEntry
from repairs.services.core import action_check, record

MAX_LOAN_DAYS = 365


def default_due_on(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=settings.LOANER_DEFAULT_DAYS)


def _due_check(due_on: dt.date) -> None:
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError({"due_on": _("The loaner cannot be due back in the past.")})
    if due_on > today + dt.timedelta(days=MAX_LOAN_DAYS):
        raise ValidationError({"due_on": _("A loaner is lent for a year at most.")})


@transaction.atomic
def ticket_lend_loaner(
    *,
    ticket: Ticket,
    actor,
    device: str | None = None,
    due_on: dt.date | None = None,
    expected_version: int | None = None,
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
    due_on = due_on or default_due_on()
    _due_check(due_on)
    loaner = fleet.spare_pick(establishment_id=ticket.establishment_id, identifier=device, exclude=[ticket.device_id])
    ticket.loaner, ticket.loaner_lent_at, ticket.loaner_returned_at = loaner, timezone.now(), None
    ticket.loaner_due_on = due_on
    fleet.spare_lend(device=loaner)
    entry = record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.LOANER,
        name="lend_loaner",
        payload={"device": loaner.serial_number, "due_on": due_on.isoformat()},
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


@transaction.atomic
def ticket_set_loaner_due(*, ticket: Ticket, actor, due_on: dt.date, expected_version: int | None = None) -> Ticket:
    """Move the loaner's due date (the repair takes longer, the family asked): the reminders follow
    the new date, each still sent once per loan."""
    action_check(
        ticket=ticket,
        allowed=permissions.may_handle_loaners(user=actor, ticket=ticket),
        refusal=_("You may not change the loaner's due date on this ticket."),
        expected_version=expected_version,
        open_only=False,
    )
    if not ticket.loaner_out:
        raise ValidationError({"due_on": _("No loaner is out for this ticket.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Give the date the loaner is due back.")})
    _due_check(due_on)
    previous = ticket.loaner_due_on
    ticket.loaner_due_on = due_on
    record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.LOANER,
        name="loaner_due",
        payload={
            "device": ticket.loaner.serial_number,
            "due_on": {"from": previous.isoformat() if previous else None, "to": due_on.isoformat()},
        },
    )
    return ticket
