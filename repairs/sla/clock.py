"""The SLA clock: a pure function of (timeline, policy, calendar, now).

Nothing here is patched incrementally. Every recomputation starts again from the declaration and
walks the timeline's state changes: the clock runs in the segments whose state does not pause it
and counts their business time only. So a pause is never counted twice (a holiday inside a pause
is simply inside a segment that does not count), never lost (a new policy reads the same
segments), and a due date set by hand is never shifted (it is not computed at all).

Definitions:
- first response: from the declaration until diagnosis starts or the device is requested; the
  clock also stops when the ticket leaves `declared` any other way (cancelled), unmeasured;
- resolution: from the declaration until a final state; measured for `returned` and
  `closed_no_fault`, not for `cancelled`;
- a target is *breached* when its due instant is before the evaluation point: the stop, the start
  of the current pause (a paused clock does not move, so it cannot breach), or `now`;
- it is *at risk* from its 80 % instant until it is breached, while it has not stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from repairs.sla.calendar import ZERO, BusinessCalendar, business_add, business_time
from repairs.states import FINAL_STATES, State

WARNING_RATIO = 0.8
FIRST_RESPONSE_NAMES = frozenset({"start_diagnosis", "request_device"})
RESOLVED_STATES = frozenset({State.RETURNED, State.CLOSED_NO_FAULT})


@dataclass(frozen=True)
class Step:
    """A state change read from the timeline (or about to be written to it)."""

    at: dt.datetime
    name: str
    target: str


@dataclass(frozen=True)
class Rules:
    """A policy as the clock sees it; None for a target without one."""

    first_response: dt.timedelta | None
    resolution: dt.timedelta | None
    pause_states: frozenset[str]


@dataclass(frozen=True)
class TargetClock:
    due_at: dt.datetime | None = None
    warn_at: dt.datetime | None = None
    elapsed: dt.timedelta = ZERO  # business time counted up to the evaluation point
    stopped: bool = False
    measured: dt.timedelta | None = None  # elapsed at a measurable stop (for reports)
    breached: bool = False
    at_risk: bool = False


@dataclass(frozen=True)
class Clock:
    first_response: TargetClock
    resolution: TargetClock
    paused_since: dt.datetime | None
    manufacturer: dt.timedelta | None  # wall-clock time of the completed stays at the manufacturer

    @property
    def at_risk(self) -> bool:
        return self.first_response.at_risk or self.resolution.at_risk


Segment = tuple[dt.datetime, dt.datetime | None, str]  # start, end (None: still going), state


def _segments(declared_at: dt.datetime, steps: Sequence[Step]) -> list[Segment]:
    changes = [(declared_at, State.DECLARED)] + [(max(s.at, declared_at), s.target) for s in steps]
    return [(at, changes[i + 1][0] if i + 1 < len(changes) else None, state) for i, (at, state) in enumerate(changes)]


def _stop(steps: Sequence[Step], *, first_response: bool) -> tuple[Step | None, bool]:
    """The step that stops a target's clock, and whether it is a measurable end."""
    for step in steps:
        if first_response and step.target != State.DECLARED:
            return step, step.name in FIRST_RESPONSE_NAMES
        if not first_response and step.target in FINAL_STATES:
            return step, step.target in RESOLVED_STATES
    return None, False


def _paused_since(segments: list[Segment], pause_states: frozenset[str]) -> dt.datetime | None:
    """Start of the trailing run of pausing states, if the ticket is in one now."""
    since = None
    for start, _end, state in reversed(segments):
        if state not in pause_states or state in FINAL_STATES:
            break
        since = start
    return since


def _target(
    *,
    segments: list[Segment],
    budget: dt.timedelta | None,
    stop: Step | None,
    measurable: bool,
    paused_since: dt.datetime | None,
    pause_states: frozenset[str],
    calendar: BusinessCalendar,
    now: dt.datetime,
    declared_at: dt.datetime,
    due_by_hand: dt.datetime | None = None,
) -> TargetClock:
    horizon = stop.at if stop else max(now, declared_at)
    warn_budget = budget * WARNING_RATIO if budget is not None else None
    elapsed, due_at, warn_at = ZERO, None, None
    for start, end, state in segments:
        end = horizon if end is None else min(end, horizon)
        if end <= start or state in pause_states:
            continue
        part = business_time(calendar=calendar, start=start, end=end)
        if budget is not None:
            if warn_at is None and elapsed + part >= warn_budget:
                warn_at = business_add(calendar=calendar, start=start, amount=warn_budget - elapsed)
            if due_at is None and elapsed + part >= budget:
                due_at = business_add(calendar=calendar, start=start, amount=budget - elapsed)
        elapsed += part
    running = stop is None and paused_since is None
    if budget is not None and (stop is not None or running):
        # Not reached yet: where it lands if the clock keeps running from the stop or from now.
        # A paused clock has no due date until it resumes: how long the pause lasts is unknown.
        if warn_at is None:
            warn_at = business_add(calendar=calendar, start=horizon, amount=warn_budget - elapsed)
        if due_at is None:
            due_at = business_add(calendar=calendar, start=horizon, amount=budget - elapsed)
    if due_by_hand is not None:
        # A manager's date stands as set: pauses do not move it. Its 80 % mark is in business time
        # from the declaration.
        due_at = due_by_hand
        span = business_time(calendar=calendar, start=declared_at, end=due_by_hand)
        warn_at = business_add(calendar=calendar, start=declared_at, amount=span * WARNING_RATIO)
    point = stop.at if stop else (paused_since or horizon)
    breached = due_at is not None and due_at < point
    return TargetClock(
        due_at=due_at,
        warn_at=warn_at,
        elapsed=elapsed,
        stopped=stop is not None,
        measured=elapsed if stop is not None and measurable else None,
        breached=breached,
        at_risk=stop is None and not breached and warn_at is not None and warn_at <= point,
    )


def _manufacturer_time(segments: list[Segment]) -> dt.timedelta | None:
    stays = [end - start for start, end, state in segments if state == State.AT_MANUFACTURER and end is not None]
    return sum(stays, ZERO) if stays else None


def clock_compute(
    *,
    declared_at: dt.datetime,
    steps: Sequence[Step],
    rules: Rules,
    calendar: BusinessCalendar,
    now: dt.datetime,
    resolution_due_by_hand: dt.datetime | None = None,
) -> Clock:
    """The SLA clock of a ticket declared at `declared_at` whose state changes are `steps` (in
    timeline order), evaluated at `now`."""
    steps = sorted(steps, key=lambda s: s.at)  # stable: entries at the same instant keep their order
    segments = _segments(declared_at, steps)
    resolution_stop, resolved = _stop(steps, first_response=False)
    paused_since = None if resolution_stop else _paused_since(segments, rules.pause_states)
    common = {
        "segments": segments,
        "paused_since": paused_since,
        "pause_states": rules.pause_states,
        "calendar": calendar,
        "now": now,
        "declared_at": declared_at,
    }
    first_stop, responded = _stop(steps, first_response=True)
    return Clock(
        first_response=_target(budget=rules.first_response, stop=first_stop, measurable=responded, **common),
        resolution=_target(
            budget=rules.resolution,
            stop=resolution_stop,
            measurable=resolved,
            due_by_hand=resolution_due_by_hand,
            **common,
        ),
        paused_since=paused_since,
        manufacturer=_manufacturer_time(segments),
    )
