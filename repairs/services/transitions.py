"""The transitions of the state machine, one service each, and `ticket_transition` which names them.

Each service: `transition_check` (403, 409), its conditions (400), the model's method, the fleet
effects through `devices.services`, `transition_record`. The fields each takes are those of its
row in `repairs.states.TRANSITIONS` (a test holds the signatures to that list).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from devices import services as fleet
from devices.models import FaultCategory
from repairs.limits import parts_check
from repairs.models import Ticket
from repairs.services.core import transition_apply, transition_check, transition_record
from repairs.services.coverage import (
    claim_needed,
    claim_use,
    coverage_override,
    coverage_propose,
    image_install,
    image_to_install,
    manufacturer_cover_required,
)
from repairs.states import TRANSITIONS_BY_NAME


@transaction.atomic
def ticket_request_device(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    firing = transition_check(
        ticket=ticket, actor=actor, name="request_device", expected_version=expected_version, note=note
    )
    transition_apply(firing)
    transition_record(firing, note=note)
    return ticket


def _into_diagnosis(
    name: str, *, ticket: Ticket, actor, note: str, coverage: str | None, coverage_reason: str, expected_version
) -> Ticket:
    """receive_device and start_diagnosis: the device is in the workshop, the coverage proposed."""
    firing = transition_check(
        ticket=ticket,
        actor=actor,
        name=name,
        expected_version=expected_version,
        note=note,
        coverage_reason=coverage_reason,
    )
    firing.payload.update(coverage_override(ticket=ticket, coverage=coverage, reason=coverage_reason))
    transition_apply(firing)
    firing.payload.update(coverage_propose(ticket))
    fleet.device_into_workshop(device=ticket.device)
    transition_record(firing, note=note)
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
    return _into_diagnosis(
        "receive_device",
        ticket=ticket,
        actor=actor,
        note=note,
        coverage=coverage,
        coverage_reason=coverage_reason,
        expected_version=expected_version,
    )


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
    return _into_diagnosis(
        "start_diagnosis",
        ticket=ticket,
        actor=actor,
        note=note,
        coverage=coverage,
        coverage_reason=coverage_reason,
        expected_version=expected_version,
    )


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    firing = transition_check(ticket=ticket, actor=actor, name="cancel", expected_version=expected_version, note=note)
    transition_apply(firing)
    fleet.device_out_of_workshop(device=ticket.device)
    transition_record(firing, note=note)
    return ticket


@transaction.atomic
def ticket_close_no_fault(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    firing = transition_check(
        ticket=ticket, actor=actor, name="close_no_fault", expected_version=expected_version, note=note
    )
    transition_apply(firing, note=note or "")
    firing.payload["note"] = (note or "").strip()
    fleet.device_out_of_workshop(device=ticket.device)
    transition_record(firing, note=note)
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
    firing = transition_check(
        ticket=ticket,
        actor=actor,
        name="start_repair",
        expected_version=expected_version,
        note=note,
        coverage_reason=coverage_reason,
    )
    firing.payload.update(coverage_override(ticket=ticket, coverage=coverage, reason=coverage_reason))
    claim = claim_needed(ticket)
    transition_apply(firing)
    if claim:
        firing.payload.update(claim_use(ticket))
    transition_record(firing, note=note)
    return ticket


@transaction.atomic
def ticket_order_parts(
    *, ticket: Ticket, actor, parts: list[str] | None = None, note: str = "", expected_version: int | None = None
) -> Ticket:
    firing = transition_check(
        ticket=ticket, actor=actor, name="order_parts", expected_version=expected_version, note=note
    )
    parts_check(parts)
    parts = list(parts or [])
    transition_apply(firing, parts=parts)
    firing.payload["parts"] = parts
    transition_record(firing, note=note)
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
    firing = transition_check(
        ticket=ticket,
        actor=actor,
        name="send_to_manufacturer",
        expected_version=expected_version,
        note=note,
        rma_number=rma_number,
        coverage_reason=coverage_reason,
    )
    firing.payload.update(coverage_override(ticket=ticket, coverage=coverage, reason=coverage_reason))
    manufacturer_cover_required(ticket)
    transition_apply(firing, rma_number=rma_number or "")
    firing.payload["rma_number"] = rma_number
    fleet.device_to_manufacturer(device=ticket.device)
    transition_record(firing, note=note)
    return ticket


@transaction.atomic
def ticket_receive_from_manufacturer(
    *, ticket: Ticket, actor, note: str = "", expected_version: int | None = None
) -> Ticket:
    firing = transition_check(
        ticket=ticket, actor=actor, name="receive_from_manufacturer", expected_version=expected_version, note=note
    )
    transition_apply(firing)
    fleet.device_into_workshop(device=ticket.device)
    transition_record(firing, note=note)
    return ticket


@transaction.atomic
def ticket_finish_repair(
    *, ticket: Ticket, actor, reimage: bool = False, note: str = "", expected_version: int | None = None
) -> Ticket:
    firing = transition_check(
        ticket=ticket, actor=actor, name="finish_repair", expected_version=expected_version, note=note
    )
    image = image_to_install(ticket=ticket, device=ticket.device, reimage=reimage)
    transition_apply(firing)
    firing.payload.update(image_install(device=ticket.device, image=image))
    transition_record(firing, note=note)
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
    device leaves the student for the depot's stock (lost, for a theft or loss). The spare is
    picked and locked only once the person may swap, from this state."""
    firing = transition_check(
        ticket=ticket,
        actor=actor,
        name="swap",
        expected_version=expected_version,
        note=note,
        replacement=replacement,
        police_report=police_report,
        coverage_reason=coverage_reason,
    )
    firing.payload.update(coverage_override(ticket=ticket, coverage=coverage, reason=coverage_reason))
    faulty = ticket.device
    spare = fleet.spare_pick(establishment_id=ticket.establishment_id, identifier=replacement, exclude=[faulty.pk])
    image = image_to_install(ticket=ticket, device=spare, reimage=reimage)
    claim = claim_needed(ticket)
    transition_apply(firing, replacement=spare, police_report=police_report or "")
    firing.payload.update(police_report=police_report, replacement=spare.serial_number)
    firing.payload.update(image_install(device=spare, image=image))
    if claim:
        firing.payload.update(claim_use(ticket))
    firing.payload["student"] = fleet.device_swap(
        faulty=faulty,
        replacement=spare,
        establishment_id=ticket.establishment_id,
        actor=actor,
        lost=ticket.category == FaultCategory.THEFT_LOSS,
    )
    transition_record(firing, note=note)
    return ticket


@transaction.atomic
def ticket_return_unrepaired(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    """The family refused the quote: the laptop goes back as it came, nothing repaired, swapped or
    re-imaged; it stays in the workshop until it is handed over or delivered."""
    firing = transition_check(
        ticket=ticket, actor=actor, name="return_unrepaired", expected_version=expected_version, note=note
    )
    transition_apply(firing)
    transition_record(firing, note=note)
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
    firing = transition_check(
        ticket=ticket,
        actor=actor,
        name="ship",
        expected_version=expected_version,
        note=note,
        carrier=carrier,
        tracking_number=tracking_number,
    )
    transition_apply(firing, carrier=carrier or "", tracking_number=tracking_number or "")
    firing.payload.update(carrier=carrier, tracking_number=tracking_number)
    transition_record(firing, note=note)
    return ticket


def _returned(name: str, *, ticket: Ticket, actor, note: str, expected_version: int | None) -> Ticket:
    """deliver and hand_over: the laptop (the replacement after a swap) is back with its student."""
    firing = transition_check(ticket=ticket, actor=actor, name=name, expected_version=expected_version, note=note)
    transition_apply(firing)
    fleet.device_out_of_workshop(device=ticket.replacement if ticket.replacement_id else ticket.device)
    transition_record(firing, note=note)
    return ticket


@transaction.atomic
def ticket_deliver(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    return _returned("deliver", ticket=ticket, actor=actor, note=note, expected_version=expected_version)


@transaction.atomic
def ticket_hand_over(*, ticket: Ticket, actor, note: str = "", expected_version: int | None = None) -> Ticket:
    return _returned("hand_over", ticket=ticket, actor=actor, note=note, expected_version=expected_version)


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
    "return_unrepaired": ticket_return_unrepaired,
    "ship": ticket_ship,
    "deliver": ticket_deliver,
    "hand_over": ticket_hand_over,
}


def ticket_transition(*, ticket: Ticket, actor, name: str, expected_version: int | None = None, **fields) -> Ticket:
    """Fire transition `name` with the fields its row of the state table lists; others are ignored
    (the API's optional fields are one set for every transition)."""
    spec = TRANSITIONS_BY_NAME.get(name)
    if spec is None:
        transition_check(ticket=ticket, actor=actor, name=name)  # raises: unknown action
    accepted = {key: value for key, value in fields.items() if key in spec.fields}
    return TRANSITION_SERVICES[name](ticket=ticket, actor=actor, expected_version=expected_version, **accepted)
