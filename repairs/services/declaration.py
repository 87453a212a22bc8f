"""Declaring a fault (SPEC §3): a race-free reference, a proposed priority, the SLA due dates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Device, FaultCategory
from repairs import permissions
from repairs.exceptions import ActionForbidden
from repairs.limits import texts_check
from repairs.messages import announce
from repairs.models import ReferenceCounter, Ticket, TimelineEntry
from repairs.sla import engine as sla
from repairs.states import EXAM_MONTHS, OPEN_STATES, PRIORITY_BY_CATEGORY, Priority


def next_reference(*, year: int) -> str:
    """R-YYYY-NNNNNN, unique under concurrency. Caller holds a transaction: the counter row stays
    write-locked until commit, so concurrent declarations queue here for a moment, never collide."""
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    ReferenceCounter.objects.filter(year=year).update(value=F("value") + 1)
    value = ReferenceCounter.objects.filter(year=year).values_list("value", flat=True).get()
    return f"R-{year}-{value:06d}"


def propose_priority(*, category: str, on: dt.date) -> str:
    if category == FaultCategory.BOOT_SOFTWARE and on.month in EXAM_MONTHS:
        return Priority.URGENT
    return PRIORITY_BY_CATEGORY.get(category, Priority.NORMAL)


def open_ticket_for(*, device: Device, category: str) -> Ticket | None:
    return Ticket.objects.filter(device=device, category=category, state__in=OPEN_STATES).first()


def _duplicate_error(existing: Ticket) -> ValidationError:
    return ValidationError(
        {
            "category": _("Ticket %(reference)s is already open for this fault on this device.")
            % {"reference": existing.reference}
        }
    )


def _declaration_check(*, device: Device, reporter, category: str, description: str, police_report: str) -> None:
    if not permissions.may_declare(user=reporter, device=device):
        raise ActionForbidden(_("You may not declare a fault on this device."))
    texts_check(description=description, police_report=police_report)
    errors = {}
    if category not in FaultCategory.values:
        errors["category"] = _("Choose a category from the list.")
    if not (description or "").strip():
        errors["description"] = _("Describe the fault in a few words.")
    if errors:
        raise ValidationError(errors)
    if device.status in (Device.Status.RETIRED, Device.Status.LOST):
        raise ValidationError(
            {"device": _("Device %(device)s is retired or lost: no ticket can be declared on it.") % {"device": device}}
        )
    existing = open_ticket_for(device=device, category=category)
    if existing:
        raise _duplicate_error(existing)


@transaction.atomic
def ticket_declare(
    *,
    device: Device,
    reporter,
    category: str,
    description: str,
    police_report: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    _declaration_check(
        device=device, reporter=reporter, category=category, description=description, police_report=police_report
    )
    at = at or timezone.now()
    ticket = Ticket(
        reference=next_reference(year=timezone.localtime(at).year),
        device=device,
        reporter=reporter,
        establishment=device.establishment,
        category=category,
        description=description.strip(),
        priority=propose_priority(category=category, on=timezone.localdate(at)),
        police_report=police_report.strip(),
        declared_at=at,
    )
    sla.ticket_sla_update(ticket=ticket)  # policy choice and due dates (repairs/sla)
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError:
        # Someone declared the same fault a moment ago: the partial unique index caught it.
        existing = open_ticket_for(device=device, category=category)
        if existing is None:
            raise
        raise _duplicate_error(existing) from None
    entry = TimelineEntry.objects.create(
        ticket=ticket, at=at, actor=reporter, kind=TimelineEntry.Kind.DECLARED, target=ticket.state, note=description
    )
    announce(entry=entry)  # the outbox rows, in this transaction (repairs/messages.py)
    return ticket
