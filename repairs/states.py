"""The ticket vocabulary: states, priorities, coverage decisions, and the transition table.

Values are part of the contract (API, reports, tests). `TRANSITIONS` is the state machine's table as
data: the model's decorators are generated from it, and so are the tests and the state diagram,
so the three cannot drift apart.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from devices.models import FaultCategory, Role


class State(models.TextChoices):
    DECLARED = "declared", _("Declared")
    AWAITING_DEVICE = "awaiting_device", _("Awaiting the device")
    DIAGNOSING = "diagnosing", _("Diagnosing")
    AWAITING_PARTS = "awaiting_parts", _("Awaiting parts")
    IN_REPAIR = "in_repair", _("In repair")
    AT_MANUFACTURER = "at_manufacturer", _("At the manufacturer (warranty)")
    READY_FOR_RETURN = "ready_for_return", _("Ready to return")
    IN_TRANSIT = "in_transit", _("Shipped")
    RETURNED = "returned", _("Returned")
    CLOSED_NO_FAULT = "closed_no_fault", _("Closed, no fault found")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATES = frozenset({State.RETURNED, State.CLOSED_NO_FAULT, State.CANCELLED})
OPEN_STATES = tuple(s for s in State.values if s not in FINAL_STATES)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Coverage(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer warranty")
    EXTENDED = "extended", _("Extended warranty")
    ACCIDENTAL = "accidental", _("Accidental-damage protection")
    REGION = "region", _("Program (region) pays")
    FAMILY = "family", _("Chargeable to the family")


class QuoteState(models.TextChoices):
    """Where a ticket's latest quote stands: a `family` repair starts only once accepted."""

    NONE = "", _("No quote")
    PENDING = "pending", _("Awaiting the family's decision")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


# A quote is issued while the repair is being decided, before it starts.
QUOTE_STATES = (State.DIAGNOSING, State.AWAITING_PARTS)


class ReturnChannel(models.TextChoices):
    ON_SITE = "on_site", _("At school")
    CARRIER = "carrier", _("By carrier")


# Who may fire a transition, besides being in the ticket's scope (repairs.permissions).
REPORTER = "reporter"  # the person who declared the ticket, whatever their role

S = State
T, ST = Role.TECHNICIAN, Role.STAFF


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    sources: tuple[str, ...]
    target: str
    actors: frozenset[str]
    label: str
    # The optional fields a person gives with it: forms, the API and the services read
    # this one list. Every transition takes a note.
    fields: tuple[str, ...] = ("note",)


COVERAGE_FIELDS = ("coverage", "coverage_reason")
TRANSITIONS: tuple[TransitionSpec, ...] = (
    TransitionSpec("request_device", (S.DECLARED,), S.AWAITING_DEVICE, frozenset({T, ST}), _("Request the device")),
    TransitionSpec(
        "receive_device",
        (S.AWAITING_DEVICE,),
        S.DIAGNOSING,
        frozenset({T, ST}),
        _("Device received"),
        ("note", *COVERAGE_FIELDS),
    ),
    TransitionSpec(
        "start_diagnosis", (S.DECLARED,), S.DIAGNOSING, frozenset({T}), _("Start diagnosis"), ("note", *COVERAGE_FIELDS)
    ),
    TransitionSpec("cancel", (S.DECLARED, S.AWAITING_DEVICE), S.CANCELLED, frozenset({REPORTER, ST, T}), _("Cancel")),
    TransitionSpec("close_no_fault", (S.DIAGNOSING,), S.CLOSED_NO_FAULT, frozenset({T}), _("Close: no fault found")),
    TransitionSpec(
        "start_repair",
        (S.DIAGNOSING, S.AWAITING_PARTS),
        S.IN_REPAIR,
        frozenset({T}),
        _("Start repair"),
        ("note", *COVERAGE_FIELDS),
    ),
    TransitionSpec(
        "order_parts",
        (S.DIAGNOSING, S.IN_REPAIR),
        S.AWAITING_PARTS,
        frozenset({T}),
        _("Order parts"),
        ("parts", "note"),
    ),
    TransitionSpec(
        "send_to_manufacturer",
        (S.DIAGNOSING, S.IN_REPAIR),
        S.AT_MANUFACTURER,
        frozenset({T}),
        _("Send to the manufacturer"),
        ("rma_number", "note", *COVERAGE_FIELDS),
    ),
    TransitionSpec(
        "receive_from_manufacturer",
        (S.AT_MANUFACTURER,),
        S.IN_REPAIR,
        frozenset({T}),
        _("Back from the manufacturer"),
    ),
    TransitionSpec(
        "finish_repair", (S.IN_REPAIR,), S.READY_FOR_RETURN, frozenset({T}), _("Repair finished"), ("reimage", "note")
    ),
    TransitionSpec(
        "swap",
        (S.DIAGNOSING, S.IN_REPAIR, S.AT_MANUFACTURER),
        S.READY_FOR_RETURN,
        frozenset({T}),
        _("Swap for a replacement"),
        ("replacement", "police_report", "reimage", "note", *COVERAGE_FIELDS),
    ),
    # A family that refuses the quote gets its laptop back unrepaired: the one way to
    # ready_for_return that records no repair, no swap and no re-image.
    TransitionSpec(
        "return_unrepaired",
        (S.DIAGNOSING, S.AWAITING_PARTS),
        S.READY_FOR_RETURN,
        frozenset({T}),
        _("Return unrepaired (quote refused)"),
    ),
    TransitionSpec(
        "ship",
        (S.READY_FOR_RETURN,),
        S.IN_TRANSIT,
        frozenset({T}),
        _("Ship by carrier"),
        ("carrier", "tracking_number", "note"),
    ),
    TransitionSpec("deliver", (S.IN_TRANSIT,), S.RETURNED, frozenset({T, ST}), _("Delivered")),
    TransitionSpec("hand_over", (S.READY_FOR_RETURN,), S.RETURNED, frozenset({T, ST}), _("Hand over")),
)
TRANSITIONS_BY_NAME = {spec.name: spec for spec in TRANSITIONS}

# Proposed at declaration, editable by technicians.
PRIORITY_BY_CATEGORY = {
    FaultCategory.SCREEN: Priority.HIGH,
    FaultCategory.KEYBOARD: Priority.NORMAL,
    FaultCategory.BATTERY: Priority.NORMAL,
    FaultCategory.BOOT_SOFTWARE: Priority.HIGH,
    FaultCategory.NETWORK: Priority.NORMAL,
    FaultCategory.ACCIDENTAL_DAMAGE: Priority.NORMAL,
    FaultCategory.LIQUID_DAMAGE: Priority.HIGH,
    FaultCategory.THEFT_LOSS: Priority.HIGH,
    FaultCategory.OTHER: Priority.LOW,
}
# May and June: the baccalauréat. A laptop that will not boot then is urgent.
EXAM_MONTHS = frozenset({5, 6})
