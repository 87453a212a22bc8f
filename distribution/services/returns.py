"""A laptop given back when a student leaves; a damaged one opens its repair ticket."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as fleet_services
from devices.models import Assignment, Device
from devices.selectors import current_holdings
from distribution.exceptions import Conflict, Invalid
from distribution.models import Condition, HandoverEvent
from distribution.services.common import (
    RETURN_CATEGORIES,
    _device_check,
    may_act_for_student,
    student_profile,
)
from repairs.models import Ticket
from repairs.services import ticket_declare

# Returns


@dataclass(frozen=True)
class ReturnResult:
    assignment: Assignment
    ticket: Ticket | None


def return_record(
    *,
    actor,
    device: Device,
    condition: str,
    category: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> ReturnResult:
    """A student leaving gives the laptop back; it returns to the pool. A damaged one also gets a
    repair ticket of `category` through the repairs' own declaration, with `note` as its
    description, in the same transaction."""
    at = at or timezone.now()
    with transaction.atomic():
        _device_check(actor=actor, device=device)
        holding = current_holdings(devices=[device]).select_related("student").first()
        if holding is None or not may_act_for_student(user=actor, profile=student_profile(holding.student)):
            raise Conflict(
                _("Laptop %(device)s is not lent to any student.") % {"device": device},
                rule="not_assigned",
                field="device",
            )
        if condition not in Condition.values:
            raise Invalid(_("Say in which condition the laptop comes back."), rule="condition", field="condition")
        note = (note or "").strip()
        if condition == Condition.DAMAGED:
            if category not in RETURN_CATEGORIES:
                raise Invalid(
                    _("Say what is damaged: the repair ticket is opened in that category."),
                    rule="damage_category",
                    field="category",
                )
            if not note:
                raise Invalid(
                    _("Describe the damage in a few words: it becomes the repair ticket’s description."),
                    rule="damage_note",
                    field="note",
                )
        fleet_services.assignment_close(assignment=holding, at=at, device_status=Device.Status.IN_STOCK)
        ticket = None
        if condition == Condition.DAMAGED:
            device = Device.objects.select_related("establishment").get(pk=device.pk)
            ticket = ticket_declare(device=device, reporter=actor, category=category, description=note, at=at)
        HandoverEvent.objects.create(
            kind=HandoverEvent.Kind.RETURNED,
            at=at,
            actor=actor,
            assignment=holding,
            device=device,
            student_id=holding.student_id,
            condition=condition,
            note=note,
            payload={"ticket": ticket.reference} if ticket else {},
        )
    return ReturnResult(assignment=holding, ticket=ticket)
