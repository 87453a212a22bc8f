"""Ticket use cases. Each runs in one transaction: check, transition, save, timeline, fleet effects.

The web views, the API and the admin call these functions and nothing else to change a ticket.
Errors, mapped in one place by each interface:
- `TransitionNotPossible`, `TicketChanged` → conflict (409): not from this state, or changed meanwhile;
- `ActionForbidden` → 403: this person may not;
- `django.core.exceptions.ValidationError` → 400: a condition or a field fails, with the reason.
Any of them rolls the whole transaction back: nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from devices import permissions as fleet
from devices.models import Assignment, Device, FaultCategory, WarrantyCoverage
from devices.selectors import coverage_for, current_image, device_by_identifier
from repairs import permissions
from repairs.messages import announce
from repairs.models import Attachment, ReferenceCounter, Ticket, TicketChanged, TimelineEntry
from repairs.sla import engine as sla
from repairs.states import (
    EXAM_MONTHS,
    FINAL_STATES,
    OPEN_STATES,
    PRIORITY_BY_CATEGORY,
    TRANSITIONS_BY_NAME,
    Coverage,
    Priority,
    State,
)
from repairs.uploads import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_TICKET, clean_filename, sniff


class TicketError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotPossible(TicketError):
    """Not possible from the ticket's current state."""


class ActionForbidden(TicketError):
    """This person may not do this to this ticket."""


__all__ = ["ActionForbidden", "TicketChanged", "TransitionNotPossible", "ValidationError"]


# Declaration


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
    if not permissions.may_declare(user=reporter, device=device):
        raise ActionForbidden(_("You may not declare a fault on this device."))
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


# Transitions


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged(_("This ticket was just changed by someone else. Reload it and try again."))


def _fire(
    *,
    ticket: Ticket,
    actor,
    name: str,
    note: str = "",
    expected_version: int | None = None,
    arguments: dict | None = None,
    coverage: str | None = None,
    coverage_reason: str = "",
    prepare: Callable[[], dict | None] | None = None,
) -> TimelineEntry:
    """Fire transition `name`. Order: version, permission (403), state (409), the model's own
    checks and `prepare` (400), then one save that fails if someone else saved meanwhile.
    The caller holds the transaction and applies the fleet effects afterwards."""
    spec = TRANSITIONS_BY_NAME[name]
    _check_version(ticket, expected_version)
    if not permissions.may_fire(user=actor, ticket=ticket, name=name):
        raise ActionForbidden(_("You may not do “%(action)s” on this ticket.") % {"action": spec.label})
    if ticket.state not in spec.sources:
        raise TransitionNotPossible(
            _("“%(action)s” is not possible: ticket %(reference)s is “%(state)s”.")
            % {"action": spec.label, "reference": ticket.reference, "state": State(ticket.state).label}
        )
    method = getattr(ticket, name)
    if not has_transition_perm(method, actor):  # django-fsm's view of the same rules, checked too
        raise ActionForbidden(_("You may not do “%(action)s” on this ticket.") % {"action": spec.label})
    source = ticket.state
    payload = {key: value for key, value in (arguments or {}).items() if key != "replacement" and value}
    payload.update(_coverage_override(ticket=ticket, coverage=coverage, reason=coverage_reason))
    method(**(arguments or {}))  # ValidationError leaves the state as it was
    payload.update((prepare() if prepare else None) or {})
    now = timezone.now()
    if ticket.first_responded_at is None and name in ("start_diagnosis", "request_device"):
        ticket.first_responded_at = now
    if ticket.state in FINAL_STATES:
        ticket.resolved_at = now
    sla.ticket_sla_update(ticket=ticket, now=now, pending=sla.Step(at=now, name=name, target=ticket.state))
    ticket.save()  # TicketChanged if someone else saved since we read it
    entry = TimelineEntry.objects.create(
        ticket=ticket,
        at=now,
        actor=actor,
        kind=TimelineEntry.Kind.TRANSITION,
        name=name,
        source=source,
        target=ticket.state,
        note=(note or "").strip(),
        payload=payload,
    )
    announce(entry=entry)
    return entry


def _coverage_override(*, ticket: Ticket, coverage: str | None, reason: str) -> dict:
    """A technician's coverage choice over the proposal (SPEC §3.2): a reason is required."""
    if not coverage or (coverage == ticket.coverage and not reason):
        return {}
    if coverage not in Coverage.values:
        raise ValidationError({"coverage": _("Unknown coverage “%(value)s”.") % {"value": coverage}})
    if not (reason or "").strip():
        raise ValidationError({"coverage_reason": _("Give a reason for overriding the proposed coverage.")})
    previous = ticket.coverage
    ticket.coverage, ticket.coverage_reason, ticket.coverage_overridden = coverage, reason.strip(), True
    on = timezone.localdate(ticket.declared_at)
    ticket.warranty = None
    if coverage in WarrantyCoverage.Kind.values:
        ticket.warranty = (
            ticket.device.coverages.filter(kind=coverage, starts_on__lte=on, ends_on__gte=on)
            .order_by("-ends_on")
            .first()
        )
    return {"coverage": {"from": previous, "to": coverage, "reason": ticket.coverage_reason}}


def _propose_coverage(ticket: Ticket) -> dict:
    if ticket.coverage_overridden:
        return {}
    answer = coverage_for(device=ticket.device, on=timezone.localdate(ticket.declared_at), category=ticket.category)
    ticket.coverage, ticket.warranty = answer.decision, answer.coverage
    ticket.coverage_reason = "\n".join([answer.reason, *answer.considered])
    return {"coverage_proposed": answer.decision}


def _count_claim(ticket: Ticket) -> dict:
    """An accidental-damage repair uses one claim of the protection, once per ticket."""
    if ticket.coverage != Coverage.ACCIDENTAL or ticket.claim_counted:
        return {}
    if ticket.warranty_id is None:
        raise ValidationError({"coverage": _("No accidental-damage protection is active for this device.")})
    used = WarrantyCoverage.objects.filter(pk=ticket.warranty_id, claims_used__lt=F("claims_cap")).update(
        claims_used=F("claims_used") + 1
    )
    if not used:
        raise ValidationError({"coverage": _("The accidental-damage protection has reached its claims cap.")})
    ticket.claim_counted = True
    return {"claim_counted": True}


def _set_device_status(device: Device, status: str) -> None:
    Device.objects.filter(pk=device.pk).update(status=status)
    device.status = status


def _device_into_workshop(device: Device) -> None:
    if device.status not in (Device.Status.LOST, Device.Status.RETIRED):
        _set_device_status(device, Device.Status.IN_REPAIR)


def _device_back_to_holder(device: Device) -> None:
    if device.status != Device.Status.IN_REPAIR:
        return
    held = Assignment.objects.filter(device=device, returned_at__isnull=True).exists()
    _set_device_status(device, Device.Status.ASSIGNED if held else Device.Status.IN_STOCK)


def _image_check(*, ticket: Ticket, device: Device, reimage: bool) -> dict:
    """The device handed back must run its académie's current master image, or be re-imaged now."""
    establishment = ticket.establishment or device.establishment
    academie = establishment.academie if establishment else (device.image.academie if device.image_id else None)
    if academie is None:
        return {}
    image = current_image(academie=academie)
    if image is None:
        raise ValidationError({"reimage": _("No current master image is set for this académie.")})
    if device.image_id == image.pk:
        return {}
    previous = device.image.version if device.image_id else None
    if not reimage:
        raise ValidationError(
            {
                "reimage": _("Device %(device)s runs image %(old)s, not the current %(new)s: re-image it first.")
                % {"device": device.serial_number, "old": previous or "—", "new": image.version}
            }
        )
    Device.objects.filter(pk=device.pk).update(image=image)
    device.image = image
    return {"reimaged": {"device": device.serial_number, "from": previous, "to": image.version}}


def _has_manufacturer_cover(ticket: Ticket) -> bool:
    on = timezone.localdate(ticket.declared_at)
    return ticket.device.coverages.filter(
        kind__in=[WarrantyCoverage.Kind.MANUFACTURER, WarrantyCoverage.Kind.EXTENDED],
        starts_on__lte=on,
        ends_on__gte=on,
    ).exists()


def _pick_spare(*, ticket: Ticket, identifier: str | None, exclude: list[int]) -> Device:
    """A spare from the establishment's pool, else the depot's; or the one named, if it is a spare
    of one of those pools. Locked, and skipping rows another transaction is taking right now."""
    pool = Device.objects.filter(status=Device.Status.SPARE).exclude(pk__in=exclude)
    if ticket.establishment_id:
        pool = pool.filter(Q(establishment_id=ticket.establishment_id) | Q(establishment__isnull=True))
    else:
        pool = pool.filter(establishment__isnull=True)
    if identifier:
        device = device_by_identifier(identifier=identifier)
        if device is None:
            raise ValidationError(
                {"device": _("No device has the serial number or asset tag “%(value)s”.") % {"value": identifier}}
            )
        if not pool.filter(pk=device.pk).exists():
            raise ValidationError(
                {
                    "device": _("Device %(device)s is not a spare of this establishment or of the depot.")
                    % {"device": device}
                }
            )
        return pool.select_for_update().get(pk=device.pk)
    # The establishment's own spares first: no shipping needed.
    ordered = pool.order_by(F("establishment_id").asc(nulls_last=True), "pk")
    spare = ordered.select_for_update(skip_locked=True).first()
    if spare is None:
        raise ValidationError(
            {"device": _("No spare device is available in this establishment's pool or at the depot.")}
        )
    return spare


@transaction.atomic
def ticket_request_device(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    _fire(ticket=ticket, actor=actor, name="request_device", note=note, expected_version=expected_version)
    return ticket


def _into_diagnosis(name: str, **arguments) -> Ticket:
    """receive_device and start_diagnosis: the device is in the workshop, the coverage proposed."""
    ticket = arguments["ticket"]
    _fire(name=name, prepare=lambda: _propose_coverage(ticket), **arguments)
    _device_into_workshop(ticket.device)
    return ticket


@transaction.atomic
def ticket_receive_device(
    *,
    ticket: Ticket,
    actor,
    note: str = "",
    coverage: str | None = None,
    coverage_reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    return _into_diagnosis("receive_device", **locals())


@transaction.atomic
def ticket_start_diagnosis(
    *,
    ticket: Ticket,
    actor,
    note: str = "",
    coverage: str | None = None,
    coverage_reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    return _into_diagnosis("start_diagnosis", **locals())


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    _fire(ticket=ticket, actor=actor, name="cancel", note=note, expected_version=expected_version)
    _device_back_to_holder(ticket.device)
    return ticket


@transaction.atomic
def ticket_close_no_fault(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    _fire(
        ticket=ticket,
        actor=actor,
        name="close_no_fault",
        note=note,
        expected_version=expected_version,
        arguments={"note": note or ""},
    )
    _device_back_to_holder(ticket.device)
    return ticket


@transaction.atomic
def ticket_start_repair(
    *,
    ticket: Ticket,
    actor,
    note: str = "",
    coverage: str | None = None,
    coverage_reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    _fire(
        ticket=ticket,
        actor=actor,
        name="start_repair",
        note=note,
        expected_version=expected_version,
        coverage=coverage,
        coverage_reason=coverage_reason,
        prepare=lambda: _count_claim(ticket),
    )
    return ticket


@transaction.atomic
def ticket_order_parts(
    *, ticket: Ticket, actor, parts: list[str] | None = None, note: str = "", expected_version: int | None = None
) -> Ticket:
    _fire(
        ticket=ticket,
        actor=actor,
        name="order_parts",
        note=note,
        expected_version=expected_version,
        arguments={"parts": list(parts or [])},
    )
    return ticket


@transaction.atomic
def ticket_send_to_manufacturer(
    *,
    ticket: Ticket,
    actor,
    rma_number: str = "",
    note: str = "",
    coverage: str | None = None,
    coverage_reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    def require_warranty() -> None:
        if not _has_manufacturer_cover(ticket):
            raise ValidationError(
                {
                    "coverage": _("No manufacturer or extended warranty was active on the declaration date (%(date)s).")
                    % {"date": timezone.localdate(ticket.declared_at).strftime("%d/%m/%Y")}
                }
            )

    _fire(
        ticket=ticket,
        actor=actor,
        name="send_to_manufacturer",
        note=note,
        expected_version=expected_version,
        arguments={"rma_number": rma_number or ""},
        coverage=coverage,
        coverage_reason=coverage_reason,
        prepare=require_warranty,
    )
    return ticket


@transaction.atomic
def ticket_receive_from_manufacturer(
    *, ticket: Ticket, actor, note: str = "", expected_version: int | None = None
) -> Ticket:
    _fire(ticket=ticket, actor=actor, name="receive_from_manufacturer", note=note, expected_version=expected_version)
    return ticket


@transaction.atomic
def ticket_finish_repair(
    *, ticket: Ticket, actor, reimage: bool = False, note: str = "", expected_version: int | None = None
) -> Ticket:
    _fire(
        ticket=ticket,
        actor=actor,
        name="finish_repair",
        note=note,
        expected_version=expected_version,
        prepare=lambda: _image_check(ticket=ticket, device=ticket.device, reimage=reimage),
    )
    return ticket


@transaction.atomic
def ticket_swap(
    *,
    ticket: Ticket,
    actor,
    replacement: str | None = None,
    police_report: str = "",
    reimage: bool = False,
    note: str = "",
    coverage: str | None = None,
    coverage_reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Give the student a spare instead: the assignment moves to the replacement, the faulty
    device leaves the student for the depot's stock (lost, for a theft or loss)."""
    faulty = ticket.device
    spare = _pick_spare(ticket=ticket, identifier=replacement, exclude=[faulty.pk])

    def effects() -> dict:
        payload = {"replacement": spare.serial_number, **_image_check(ticket=ticket, device=spare, reimage=reimage)}
        payload.update(_count_claim(ticket))
        holder = Assignment.objects.select_for_update().filter(device=faulty, returned_at__isnull=True).first()
        now = timezone.now()
        if holder:
            Assignment.objects.filter(pk=holder.pk).update(returned_at=now)
            Assignment.objects.create(
                device=spare,
                student_id=holder.student_id,
                handed_over_at=now,
                handed_over_by=actor,
                channel=holder.channel,
            )
            payload["student"] = holder.student_id
        lost = ticket.category == FaultCategory.THEFT_LOSS
        Device.objects.filter(pk=faulty.pk).update(
            status=Device.Status.LOST if lost else Device.Status.IN_STOCK, establishment=None
        )
        Device.objects.filter(pk=spare.pk).update(
            status=Device.Status.ASSIGNED if holder else Device.Status.IN_STOCK,
            establishment=ticket.establishment_id,
        )
        return payload

    _fire(
        ticket=ticket,
        actor=actor,
        name="swap",
        note=note,
        expected_version=expected_version,
        arguments={"replacement": spare, "police_report": police_report or ""},
        coverage=coverage,
        coverage_reason=coverage_reason,
        prepare=effects,
    )
    return ticket


@transaction.atomic
def ticket_ship(
    *,
    ticket: Ticket,
    actor,
    carrier: str = "",
    tracking_number: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    _fire(
        ticket=ticket,
        actor=actor,
        name="ship",
        note=note,
        expected_version=expected_version,
        arguments={"carrier": carrier or "", "tracking_number": tracking_number or ""},
    )
    return ticket


def _returned_device(ticket: Ticket) -> Device:
    return ticket.replacement if ticket.replacement_id else ticket.device


@transaction.atomic
def ticket_deliver(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    _fire(ticket=ticket, actor=actor, name="deliver", note=note, expected_version=expected_version)
    _device_back_to_holder(_returned_device(ticket))
    return ticket


@transaction.atomic
def ticket_hand_over(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    _fire(ticket=ticket, actor=actor, name="hand_over", note=note, expected_version=expected_version)
    _device_back_to_holder(_returned_device(ticket))
    return ticket


TRANSITION_SERVICES: dict[str, Callable[..., Ticket]] = {
    "request_device": ticket_request_device,
    "receive_device": ticket_receive_device,
    "start_diagnosis": ticket_start_diagnosis,
    "cancel": ticket_cancel,
    "close_no_fault": ticket_close_no_fault,
    "start_repair": ticket_start_repair,
    "order_parts": ticket_order_parts,
    "send_to_manufacturer": ticket_send_to_manufacturer,
    "receive_from_manufacturer": ticket_receive_from_manufacturer,
    "finish_repair": ticket_finish_repair,
    "swap": ticket_swap,
    "ship": ticket_ship,
    "deliver": ticket_deliver,
    "hand_over": ticket_hand_over,
}


@functools.cache
def transition_fields(name: str) -> frozenset[str]:
    """The keyword fields a transition's service accepts (for the API and the forms); read from
    the signature once, not on every page and every call."""
    params = inspect.signature(TRANSITION_SERVICES[name]).parameters
    return frozenset(p for p in params if p not in ("ticket", "actor", "expected_version"))


def ticket_transition(*, ticket: Ticket, actor, name: str, expected_version: int | None = None, **fields) -> Ticket:
    """Fire transition `name` with the fields it takes; the others are ignored."""
    if name not in TRANSITION_SERVICES:
        raise TransitionNotPossible(_("Unknown action “%(name)s”.") % {"name": name})
    accepted = transition_fields(name)
    return TRANSITION_SERVICES[name](
        ticket=ticket,
        actor=actor,
        expected_version=expected_version,
        **{key: value for key, value in fields.items() if key in accepted},
    )


# Other actions: loaners, comments, attachments, assignment, priority


def _require_open(ticket: Ticket) -> None:
    if ticket.is_final:
        raise TransitionNotPossible(
            _("Ticket %(reference)s is closed (“%(state)s”).")
            % {"reference": ticket.reference, "state": State(ticket.state).label}
        )


def _record(*, ticket: Ticket, actor, kind: str, name: str = "", note: str = "", payload: dict | None = None):
    """Save the ticket (version check) and write its timeline entry."""
    ticket.save()
    return TimelineEntry.objects.create(
        ticket=ticket, actor=actor, kind=kind, name=name, note=note, payload=payload or {}
    )


@transaction.atomic
def ticket_lend_loaner(
    *, ticket: Ticket, actor, device: str | None = None, expected_version: int | None = None
) -> Ticket:
    _check_version(ticket, expected_version)
    if not permissions.may_handle_loaners(user=actor, ticket=ticket):
        raise ActionForbidden(_("You may not lend a loaner for this ticket."))
    _require_open(ticket)
    if ticket.loaner_out:
        raise ValidationError({"device": _("Loaner %(device)s is already out.") % {"device": ticket.loaner}})
    loaner = _pick_spare(ticket=ticket, identifier=device, exclude=[ticket.device_id])
    ticket.loaner, ticket.loaner_lent_at, ticket.loaner_returned_at = loaner, timezone.now(), None
    entry = _record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.LOANER,
        name="lend_loaner",
        payload={"device": loaner.serial_number},
    )
    announce(entry=entry)
    _set_device_status(loaner, Device.Status.ON_LOAN)
    return ticket


@transaction.atomic
def ticket_collect_loaner(*, ticket: Ticket, actor, expected_version: int | None = None) -> Ticket:
    """Works in any state: a loaner must come back even after a cancellation."""
    _check_version(ticket, expected_version)
    if not permissions.may_handle_loaners(user=actor, ticket=ticket):
        raise ActionForbidden(_("You may not collect the loaner of this ticket."))
    if not ticket.loaner_out:
        raise ValidationError({"device": _("No loaner is out for this ticket.")})
    ticket.loaner_returned_at = timezone.now()
    entry = _record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.LOANER,
        name="collect_loaner",
        payload={"device": ticket.loaner.serial_number},
    )
    announce(entry=entry)
    _set_device_status(ticket.loaner, Device.Status.SPARE)
    return ticket


COMMENT_MAX_LENGTH = 5000


@transaction.atomic
def ticket_comment(*, ticket: Ticket, actor, text: str, expected_version: int | None = None) -> TimelineEntry:
    _check_version(ticket, expected_version)
    if not permissions.may_comment(user=actor, ticket=ticket):
        raise ActionForbidden(_("You may not comment on this ticket."))
    _require_open(ticket)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The comment is empty.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": _("A comment is at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}})
    # Comments do not bump the version: two people may comment at once without conflict.
    entry = TimelineEntry.objects.create(ticket=ticket, actor=actor, kind=TimelineEntry.Kind.COMMENT, note=text)
    announce(entry=entry)
    return entry


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee, expected_version: int | None = None) -> Ticket:
    """Assign a technician (or nobody). Managers assign anyone; a technician takes a ticket."""
    _check_version(ticket, expected_version)
    if not permissions.may_assign(user=actor, ticket=ticket, assignee=assignee):
        raise ActionForbidden(_("You may not assign this ticket."))
    _require_open(ticket)
    if assignee is not None and not permissions.is_technician(assignee):
        raise ValidationError({"assignee": _("Tickets are assigned to technicians.")})
    previous = ticket.assignee
    ticket.assignee = assignee
    _record(
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
    _check_version(ticket, expected_version)
    if not permissions.is_operator(user=actor, ticket=ticket):
        raise ActionForbidden(_("You may not change the priority of this ticket."))
    _require_open(ticket)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority “%(value)s”.") % {"value": priority}})
    previous = ticket.priority
    ticket.priority = priority
    sla.ticket_sla_update(ticket=ticket)  # the policy may depend on the priority
    _record(
        ticket=ticket,
        actor=actor,
        kind=TimelineEntry.Kind.EDIT,
        name="priority",
        payload={"priority": {"from": previous, "to": priority}},
    )
    return ticket


@transaction.atomic
def ticket_attach(*, ticket: Ticket, actor, upload) -> Attachment:
    """Attach a photo or PDF, identified by its content (repairs/uploads.py)."""
    if not permissions.may_comment(user=actor, ticket=ticket):
        raise ActionForbidden(_("You may not add files to this ticket."))
    _require_open(ticket)
    if upload is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    if ticket.attachments.count() >= MAX_ATTACHMENTS_PER_TICKET:
        raise ValidationError(
            {"file": _("A ticket holds at most %(max)d files.") % {"max": MAX_ATTACHMENTS_PER_TICKET}}
        )
    if getattr(upload, "size", 0) > MAX_ATTACHMENT_BYTES:
        sniff(b"\0" * (MAX_ATTACHMENT_BYTES + 1))  # the size error, without reading it all
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    kind = sniff(data)
    attachment = Attachment(
        ticket=ticket,
        token=secrets.token_hex(16),
        original_name=clean_filename(getattr(upload, "name", ""), kind.extension),
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(data),
        uploaded_by=actor,
    )
    attachment.file.save(f"{attachment.token}.{kind.extension}", ContentFile(data), save=False)
    try:
        attachment.save()
        TimelineEntry.objects.create(
            ticket=ticket,
            actor=actor,
            kind=TimelineEntry.Kind.ATTACHMENT,
            note=attachment.original_name,
            payload={"attachment": attachment.pk, "type": kind.content_type, "size": len(data)},
        )
    except Exception:
        attachment.file.delete(save=False)  # no orphan file for a row that was never written
        raise
    return attachment


@transaction.atomic
def ticket_set_resolution_due(
    *, ticket: Ticket, actor, due_at: dt.datetime | None, reason: str, expected_version: int | None = None
) -> Ticket:
    """A manager sets the resolution due date by hand, with a reason (SPEC §3.3), or clears it
    (None) to go back to the policy's. Pauses never move a date set by hand."""
    _check_version(ticket, expected_version)
    if not fleet.is_manager(actor):
        raise ActionForbidden(_("Only a manager may set a ticket's due date."))
    _require_open(ticket)
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
    _record(
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
