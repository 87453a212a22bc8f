"""Declaring a fault: a race-free reference, a proposed priority, the SLA due dates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
    write-locked until commit, so concurrent declarations queue here for a moment, never collide.
    One statement (an upsert returning the new value) on both databases."""
    table, quote = ReferenceCounter._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} (year, value) VALUES (%s, 1) "  # noqa: S608 - the model's own table name
            f"ON CONFLICT (year) DO UPDATE SET value = {quote(table)}.value + 1 RETURNING value",
            [year],
        )
        value = cursor.fetchone()[0]
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
    """Everything but "already open": the partial unique index answers that at the insert."""
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


def ticket_declare(
    *,
    device: Device,
    reporter,
    category: str,
    description: str,
    police_report: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    """Declare a fault. A fault already open for this device and category is refused by the
    database itself (the partial unique index), then named in the error: one check, race-free,
    and no query for it when there is none. Its own transaction, or a savepoint in the caller's."""
    try:
        with transaction.atomic():
            return _declare(
                device=device,
                reporter=reporter,
                category=category,
                description=description,
                police_report=police_report,
                at=at,
            )
    except IntegrityError:
        existing = open_ticket_for(device=device, category=category)
        if existing is None:
            raise
        raise _duplicate_error(existing) from None


def _declare(*, device, reporter, category, description, police_report, at) -> Ticket:
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
    ticket.save()
    entry = TimelineEntry.objects.create(
        ticket=ticket, at=at, actor=reporter, kind=TimelineEntry.Kind.DECLARED, target=ticket.state, note=description
    )
    # The outbox rows, in this transaction (repairs/messages.py); who holds the laptop was read
    # with it when the declaring page had it at hand.
    holder = getattr(device, "current_holder_id", None)
    announce(entry=entry, holders={holder} if holder is not None else None)
    return ticket
