"""Parameters of the demo's repair service: how often laptops break, how tickets go, the scenarios
pinned for the demo accounts, and the state machine of repairs.states read as a graph."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from devices.models import Device, FaultCategory
from repairs.states import TRANSITIONS, Coverage, State

HISTORY_DAYS = 425  # about 14 months of tickets before the demo's present

# Faults per device and per year, by delivery batch: the oldest laptops break most, the newest
# have their teething troubles. About 20 % of the fleet a year overall.
FAULTS_PER_YEAR = {2023: 0.31, 2024: 0.25, 2025: 0.21, 2026: 0.24}
DEFAULT_FAULTS_PER_YEAR = 0.22
# Relative number of declarations per month: school holidays in summer, rush at the rentrée.
SEASON = {1: 1.0, 2: 0.85, 3: 1.0, 4: 0.85, 5: 1.05, 6: 0.8, 7: 0.2, 8: 0.1, 9: 1.25, 10: 1.1, 11: 1.05, 12: 0.8}
# A faulty delivery batch: the Lenovo 300w Yoga Gen 4 laptops delivered in August 2024, whose
# batteries swell. A share of them had a battery fault declared in the last weeks, so that the
# weekly failing-batch job (insights) raises its one notice on the demo.
FAULTY_BATCH = ("Lenovo 300w Yoga Gen 4", 2024, 8)
FAULTY_CATEGORY = "battery"
FAULTY_SHARE = 0.5
FAULTY_DAYS = (20, 70)  # declared this many days before the demo's present
# Share of assigned laptops with a fault declared but not yet taken in: the open queue's front.
OPEN_DECLARED_SHARE, OPEN_AWAITING_DEVICE_SHARE = 0.0035, 0.0025
# How long before a planned open ticket its device's earlier tickets were all closed.
QUIET_BEFORE_OPEN = dt.timedelta(days=45)
# The fleet has about 1.3 % of its laptops in the workshop, each given an open ticket declared in the
# last weeks: more than the steady flow of faults leaves open. Dropping this share of the closed
# tickets of those weeks keeps the current month from showing half as many declarations again.
RECENT_DAYS, RECENT_THINNING = 30, 0.45

C = FaultCategory
CATEGORY_WEIGHTS: dict[str, int] = {
    C.SCREEN: 19,
    C.BATTERY: 17,
    C.KEYBOARD: 16,
    C.BOOT_SOFTWARE: 14,
    C.ACCIDENTAL_DAMAGE: 12,
    C.NETWORK: 8,
    C.OTHER: 8,
    C.LIQUID_DAMAGE: 5,
    # A laptop reported stolen or lost and found again: the ticket is cancelled. The thefts that
    # stood are the fleet's lost laptops (see DemoTicketGenerator._theft).
    C.THEFT_LOSS: 1,
}
# Out of 100 closed tickets, how many were closed without a fault and cancelled; the rest returned.
NO_FAULT_SHARE = {C.BOOT_SOFTWARE: 20, C.NETWORK: 24, C.OTHER: 12, C.BATTERY: 8}
DEFAULT_NO_FAULT_SHARE = 5
CANCELLED_SHARE = 6

# The workshop states, where the device is with a technician (Device.Status.IN_REPAIR).
WORKSHOP_STATES = frozenset(
    {
        State.DIAGNOSING,
        State.AWAITING_PARTS,
        State.IN_REPAIR,
        State.AT_MANUFACTURER,
        State.READY_FOR_RETURN,
        State.IN_TRANSIT,
    }
)
# The open ticket of a laptop the fleet has in the workshop: where it stands (weights).
WORKSHOP_GOALS = {
    State.DIAGNOSING: 18,
    State.AWAITING_PARTS: 28,
    State.IN_REPAIR: 18,
    State.AT_MANUFACTURER: 14,
    State.READY_FOR_RETURN: 15,
    State.IN_TRANSIT: 7,
}
# A recent ticket reaches its state this many days after its declaration (first guess)...
RECENT_AGE_DAYS: dict[str, tuple[float, float]] = {
    State.DECLARED: (0.05, 2.5),
    State.AWAITING_DEVICE: (2, 12),
    State.DIAGNOSING: (0.5, 5),
    State.AWAITING_PARTS: (3, 16),
    State.IN_REPAIR: (2, 12),
    State.AT_MANUFACTURER: (6, 25),
    State.READY_FOR_RETURN: (3, 15),
    State.IN_TRANSIT: (2, 8),
    State.RETURNED: (8, 25),
    State.CLOSED_NO_FAULT: (3, 12),
    State.CANCELLED: (2, 10),
}
# ...and stays there at most this long: nothing waits a month in transit.
MAX_DWELL_DAYS = {
    State.DECLARED: 3,
    State.AWAITING_DEVICE: 14,
    State.DIAGNOSING: 4,
    State.AWAITING_PARTS: 21,
    State.IN_REPAIR: 6,
    State.AT_MANUFACTURER: 22,
    State.READY_FOR_RETURN: 10,
    State.IN_TRANSIT: 4,
}

# Relative chances of the transitions possible at a step (those that can still reach the ticket's
# destination); parts and manufacturer trips depend on the fault, see _weight.
TRANSITION_WEIGHTS = {
    "start_diagnosis": 65,
    "request_device": 35,
    "receive_device": 1,
    "cancel": 140,  # from `declared`, most cancellations come before anyone asked for the device
    "close_no_fault": 1,
    "start_repair": 60,
    "receive_from_manufacturer": 1,
    "finish_repair": 85,
    "swap": 1,  # thefts; other faults: SWAP_WEIGHT
    "ship": 11,
    "deliver": 1,
    "hand_over": 89,
}
PARTS_WEIGHT = {
    C.SCREEN: 50,
    C.KEYBOARD: 45,
    C.BATTERY: 45,
    C.BOOT_SOFTWARE: 6,
    C.NETWORK: 5,
    C.ACCIDENTAL_DAMAGE: 55,
    C.LIQUID_DAMAGE: 50,
    C.OTHER: 30,
}
MANUFACTURER_WEIGHT = {C.SCREEN: 14, C.KEYBOARD: 12, C.BATTERY: 14, C.BOOT_SOFTWARE: 4, C.NETWORK: 4, C.OTHER: 10}
WARRANTY_DECISIONS = frozenset({Coverage.MANUFACTURER, Coverage.EXTENDED})
# Laptops that get tickets: held ones, in the workshop, and lost or retired ones for their past.
TICKETED_STATUSES = frozenset(
    {Device.Status.ASSIGNED, Device.Status.IN_REPAIR, Device.Status.LOST, Device.Status.RETIRED}
)

# Swaps: a laptop beyond repair is replaced by a spare (weights next to TRANSITION_WEIGHTS' repairs).
SWAP_WEIGHT = {C.LIQUID_DAMAGE: 14, C.ACCIDENTAL_DAMAGE: 8, C.SCREEN: 2, C.OTHER: 2}
# Loaners: lent to a student whose laptop waits for parts or the manufacturer, from the spare pool.
LOANER_SHARE = {State.AWAITING_PARTS: 0.3, State.AT_MANUFACTURER: 0.55}


@dataclass(frozen=True)
class Pin:
    """A scenario played on a laptop of the demo establishment, so that the demo accounts see every
    state at any scale: demo-tech's queue, demo-staff's establishment."""

    goal: str
    category: str
    demo_tech: bool = True  # demo-tech does the technician's part (and is the assignee); else a colleague
    declared_by_staff: bool = False  # demo-staff declares it
    requested_by: str = ""  # "staff" (demo-staff) or "tech" asks for the device
    swap: bool = False  # replaced by a spare rather than repaired
    loaner: bool = False  # a loaner is lent while the laptop is away
    age_days: tuple[float, float] | None = None  # declared this long ago, instead of RECENT_AGE_DAYS


PINS = (
    Pin(State.DECLARED, C.SCREEN),
    Pin(State.DECLARED, C.BATTERY, declared_by_staff=True),
    Pin(State.AWAITING_DEVICE, C.KEYBOARD, requested_by="staff"),
    Pin(State.AWAITING_DEVICE, C.NETWORK, requested_by="tech"),
    Pin(State.DIAGNOSING, C.BOOT_SOFTWARE),
    Pin(State.AWAITING_PARTS, C.SCREEN),
    Pin(State.IN_REPAIR, C.KEYBOARD, demo_tech=False),
    Pin(State.AT_MANUFACTURER, C.BATTERY, loaner=True),
    Pin(State.READY_FOR_RETURN, C.SCREEN),
    Pin(State.IN_TRANSIT, C.BATTERY, demo_tech=False),  # not a family repair: those wait for a quote
    Pin(State.RETURNED, C.KEYBOARD, loaner=True),
    # Handed back days ago: the current month's report counts a swap from its first week on.
    Pin(State.RETURNED, C.LIQUID_DAMAGE, swap=True, age_days=(1.5, 4)),
    Pin(State.CLOSED_NO_FAULT, C.NETWORK),
    Pin(State.CANCELLED, C.OTHER),
)


# The state machine as a graph
ALL_TRANSITIONS = frozenset(spec.name for spec in TRANSITIONS)


@cache
def reachable(allowed: frozenset[str]) -> dict[str, frozenset[str]]:
    """State → the states reachable from it (itself included) through the `allowed` transitions."""
    edges: dict[str, set[str]] = defaultdict(set)
    for spec in TRANSITIONS:
        if spec.name in allowed:
            for source in spec.sources:
                edges[str(source)].add(str(spec.target))
    reach = {}
    for state in State.values:
        seen, stack = {state}, [state]
        while stack:
            for target in edges[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        reach[state] = frozenset(seen)
    return reach


def allowed_transitions(*, category: str, decision: str, may_swap: bool) -> frozenset[str]:
    """What may happen to a ticket. A theft or loss is diagnosed and swapped, or cancelled when the
    laptop turns up. Other faults are swapped only where `may_swap`: a swap ends the laptop's life
    with its student, so only its last ticket may. The manufacturer only sees covered laptops."""
    if category == C.THEFT_LOSS:
        return frozenset({"start_diagnosis", "swap", "hand_over", "cancel"})
    allowed = ALL_TRANSITIONS - {"return_unrepaired"}  # no demo family refuses a quote
    if not may_swap:
        allowed -= {"swap"}
    if decision not in WARRANTY_DECISIONS:
        allowed -= {"send_to_manufacturer", "receive_from_manufacturer"}
    return allowed
