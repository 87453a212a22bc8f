"""The methods' parameters, with the values docs/FLEET.md argues for; each can be set in settings."""

from __future__ import annotations

from django.conf import settings

from devices.models import FaultCategory
from repairs.states import State


def setting(name: str, default):
    return getattr(settings, name, default)


# Spare pools: the failures of the last POOL_WEEKS weeks, a student finds a spare with POOL_PROBABILITY.
POOL_WEEKS = 12
POOL_PROBABILITY = 0.95
# A model's turnaround is its own once it has this many tickets resolved in the window, else the fleet's.
TURNAROUND_MIN_TICKETS = 10
DEFAULT_TURNAROUND_DAYS = 14.0
# The rentrée: from this day (month, day) to this one the pools are held at their September size.
PEAK_FROM, PEAK_UNTIL = (8, 15), (10, 15)

# Failing batches: the last BATCH_WEEKS weeks; a (batch, category) is flagged when it counts at least
# BATCH_MIN_FAILURES failures, at least BATCH_MIN_RATIO times the rest of the fleet's rate, and the
# one-sided Poisson test gives p below BATCH_ALPHA divided by the number of tests of the run.
BATCH_WEEKS = 13
BATCH_MIN_FAILURES = 5
BATCH_MIN_RATIO = 1.5
BATCH_ALPHA = 0.01

# A failure: a ticket that was not cancelled and not closed without a fault (open ones count).
NOT_FAILURES = (State.CANCELLED, State.CLOSED_NO_FAULT)
# Faults of the hardware itself; breakage, spills and thefts say nothing about a batch.
BATCH_CATEGORIES = (
    FaultCategory.SCREEN,
    FaultCategory.KEYBOARD,
    FaultCategory.BATTERY,
    FaultCategory.BOOT_SOFTWARE,
    FaultCategory.NETWORK,
    FaultCategory.OTHER,
)


def pool_weeks() -> int:
    return int(setting("INSIGHTS_POOL_WEEKS", POOL_WEEKS))


def pool_probability() -> float:
    return float(setting("INSIGHTS_POOL_PROBABILITY", POOL_PROBABILITY))


def batch_weeks() -> int:
    return int(setting("INSIGHTS_BATCH_WEEKS", BATCH_WEEKS))
