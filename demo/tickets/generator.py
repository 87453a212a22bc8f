"""Demo tickets ("realistic tickets in every state"), drafted without touching the database.

Each draft is a walk through `repairs.states.TRANSITIONS` from `declared`, timed on the SLA's
business calendar, with what the person gave each service (`fields`) and what the service recorded
(`payload`, the ticket's fields). Kept drafts change the fleet as the services would have
(demo/tickets/effects.py), so that a device's later tickets see its earlier repairs.

What happens to a device is drawn from its own random stream (seed and serial number), never from
its neighbours', so `small` and `region` draft the same history for the same laptop; only the spares
a loaner or a swap takes depend on what was drafted before.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.utils import timezone

from demo.fleet.rows import PARIS
from demo.tickets.decisions import Decisions
from demo.tickets.drafts import DemoFleet, EntryDraft, FleetDevice, TicketDraft
from demo.tickets.effects import apply_effects, starts_in_workshop
from demo.tickets.params import (
    DEFAULT_FAULTS_PER_YEAR,
    FAULTS_PER_YEAR,
    FAULTY_BATCH,
    FAULTY_CATEGORY,
    FAULTY_DAYS,
    FAULTY_SHARE,
    HISTORY_DAYS,
    MAX_DWELL_DAYS,
    OPEN_AWAITING_DEVICE_SHARE,
    OPEN_DECLARED_SHARE,
    QUIET_BEFORE_OPEN,
    RECENT_AGE_DAYS,
    RECENT_DAYS,
    RECENT_THINNING,
    TICKETED_STATUSES,
    C,
    Pin,
    allowed_transitions,
    reachable,
)
from demo.tickets.texts import DESCRIPTIONS
from demo.tickets.worktime import WorkingTime, default_calendar, poisson
from devices.models import Device
from devices.selectors import coverage_for
from repairs.models import TimelineEntry
from repairs.states import FINAL_STATES, TRANSITIONS, State

MAX_STEPS = 16


class DemoTicketGenerator(Decisions):
    """Drafts the tickets of a DemoFleet. No database: same fleet, seed and `now`, same drafts."""

    def __init__(self, *, fleet: DemoFleet, seed: int, now: dt.datetime) -> None:
        self.fleet = fleet
        self.seed = seed
        self.now = now.astimezone(PARIS)
        self.window_start = self.now - dt.timedelta(days=HISTORY_DAYS)
        self.calendar = WorkingTime(default_calendar())
        people = fleet.people
        self.colleagues = [
            tech
            for tech in fleet.technicians.get(self._zone(people.establishment_id) or 0, [])
            if tech != people.tech_id
        ]

    def generate(self) -> list[TicketDraft]:
        pins = self._place_pins() if self.fleet.pin_demo_scenarios else {}
        # The demo establishment's scenarios first: the spares their loaner and swap need are theirs.
        order = sorted(self.fleet.devices, key=lambda device: device.pk not in pins)
        drafts: list[TicketDraft] = []
        for device in order:
            drafts.extend(self._device_tickets(device, pin=pins.get(device.pk)))
        return drafts

    # One device: its past repairs, then what is going on now.

    def _device_tickets(self, device: FleetDevice, *, pin: Pin | None) -> list[TicketDraft]:
        rng = random.Random(f"{self.seed}:tickets:{device.serial}")
        people = self.fleet.people
        if device.pk in people.quiet_device_ids:
            return []
        if device.pk in people.student_device_ids:
            return self._demo_student_repair(rng, device)
        if device.establishment_id is None or not device.holdings or device.status not in TICKETED_STATUSES:
            return []  # the depot's own laptops, spares, laptops nobody collected: no school declares on them
        end = self.now
        if device.status in (Device.Status.LOST, Device.Status.RETIRED):
            end = min(end, device.holdings[-1].end or end)  # lost, or handed back for good
        theft = device.status == Device.Status.LOST and self.window_start < end <= self.now
        planned: tuple[str, str] | None = None
        if pin is not None:
            planned = (pin.goal, pin.category)
        elif device.status == Device.Status.IN_REPAIR:
            planned = self._workshop_plan(rng, device)
        elif device.status == Device.Status.ASSIGNED:
            u = rng.random()
            if u < OPEN_DECLARED_SHARE:
                planned = (State.DECLARED, self._category(rng, open_ticket=True))
            elif u < OPEN_DECLARED_SHARE + OPEN_AWAITING_DEVICE_SHARE:
                planned = (State.AWAITING_DEVICE, self._category(rng, open_ticket=True))
        # The fleet has the laptop in the workshop for the open ticket below: before it, it was held,
        # and its tickets take it to the workshop and back as the services do.
        device.status = starts_in_workshop(device)
        # A swap ends the laptop's life with its student: only a history with nothing after it.
        may_swap = planned is None and not theft and device.status == Device.Status.ASSIGNED
        history_end = end
        if planned is not None:
            history_end = end - QUIET_BEFORE_OPEN
        elif theft:
            history_end = end - dt.timedelta(days=2)
        start = max(self.window_start, device.holdings[0].start)
        drafts = self._history(rng, device, start=start, end=history_end, may_swap=may_swap)
        not_before = drafts[-1].last_at + dt.timedelta(days=1) if drafts else start
        last = None
        if theft:
            last = self._theft(rng, device, at=end)
        elif planned is not None:
            goal, category = planned
            last = self._recent(rng, device, goal=goal, category=category, not_before=not_before, pin=pin)
            if last is None and device.written[0] == Device.Status.IN_REPAIR:
                # The workshop holds it for some ticket: at least one just being diagnosed.
                last = self._recent(rng, device, goal=State.DIAGNOSING, category=category, not_before=not_before)
        if last is not None:
            drafts.append(self._keep(last))
        return drafts

    def _history(
        self, rng: random.Random, device: FleetDevice, *, start: dt.datetime, end: dt.datetime, may_swap: bool
    ) -> list[TicketDraft]:
        """Closed tickets declared between `start` and `end`, one after the other, all closed by `end`."""
        if end <= start:
            return []
        years = (end - start).total_seconds() / (365.25 * 86400)
        rate = FAULTS_PER_YEAR.get(device.delivered_on.year if device.delivered_on else 0, DEFAULT_FAULTS_PER_YEAR)
        days = sorted(self._season_day(rng, start, end) for _ in range(poisson(rng, rate * years)))
        forced = self._faulty_day(device, start=start, end=end)
        if forced is not None:
            days = sorted([*(d for d in days if abs((d - forced).days) > 25), forced])
        drafts: list[TicketDraft] = []
        not_before = start
        for position, drawn in enumerate(days):
            if drawn != forced and (self.now.date() - drawn).days < RECENT_DAYS and rng.random() < RECENT_THINNING:
                continue
            day = max(drawn, not_before.date() + dt.timedelta(days=1))
            category = FAULTY_CATEGORY if drawn == forced else self._category(rng, open_ticket=False)
            goal = self._outcome(rng, category)
            reporter, student = self._reporter(rng, device, day)
            if reporter is None:
                continue
            declared_at = self.calendar.declaration_time(day, student=student, rng=rng)
            draft = self._simulate(
                rng,
                device,
                declared_at=declared_at,
                category=category,
                goal=goal,
                reporter_id=reporter,
                limit=end,
                # The swapped laptop goes to the depot: only from its last holder, in its last ticket.
                may_swap=may_swap
                and position == len(days) - 1
                and device.holding_at(declared_at) is device.holdings[-1],
            )
            if draft is None:
                break  # not closed by `end`: the later ones would not be either
            drafts.append(self._keep(draft))
            # The next fault comes days or weeks after this one was sorted out.
            not_before = draft.last_at + dt.timedelta(days=rng.uniform(1, 20))
        return drafts

    def _faulty_day(self, device: FleetDevice, *, start: dt.datetime, end: dt.datetime) -> dt.date | None:
        """The battery fault of a laptop of the faulty batch, if it has one, within [start, end]:
        drawn from its own stream, so that no other laptop's history moves."""
        model, year, month = FAULTY_BATCH
        delivered = device.delivered_on
        if device.model != model or delivered is None or (delivered.year, delivered.month) != (year, month):
            return None
        rng = random.Random(f"{self.seed}:faulty:{device.serial}")
        if rng.random() >= FAULTY_SHARE:
            return None
        day = (self.now - dt.timedelta(days=rng.uniform(*FAULTY_DAYS))).date()
        return day if start.date() < day < end.date() else None

    def _recent(
        self,
        rng: random.Random,
        device: FleetDevice,
        *,
        goal: str,
        category: str,
        not_before: dt.datetime,
        pin: Pin | None = None,
    ) -> TicketDraft | None:
        """A ticket declared recently that has just reached `goal`: declared early enough to get there
        by now, late enough not to have sat there longer than it plausibly would."""
        low, high = (pin and pin.age_days) or RECENT_AGE_DAYS[goal]
        age, fallback = rng.uniform(low, high), None
        max_dwell = dt.timedelta(days=MAX_DWELL_DAYS.get(goal, 10_000))
        people = self.fleet.people
        for _attempt in range(10):
            day = (self.now - dt.timedelta(days=age)).date()
            reporter, student = self._reporter(rng, device, day)
            if pin is not None and pin.declared_by_staff and people.staff_id:
                reporter, student = people.staff_id, False
            if reporter is None:
                return None
            declared_at = self.calendar.declaration_time(day, student=student, rng=rng)
            if declared_at < not_before:
                age *= 0.7
                continue
            draft = None
            if declared_at <= self.now:
                draft = self._simulate(
                    rng,
                    device,
                    declared_at=declared_at,
                    category=category,
                    goal=goal,
                    reporter_id=reporter,
                    limit=self.now,
                    pin=pin,
                    may_swap=pin is not None and pin.swap,
                )
            if draft is None:
                age = age * 1.5 + 0.5  # not there yet by now: declare it earlier
                continue
            if goal in FINAL_STATES or self.now - draft.last_at <= max_dwell:
                return draft
            fallback = fallback or draft
            age *= 0.7
        return fallback

    def _theft(self, rng: random.Random, device: FleetDevice, *, at: dt.datetime) -> TicketDraft | None:
        """The fleet's lost laptop: declared when its holder lost it, replaced from a spare."""
        staff = self.fleet.staff.get(device.establishment_id, [])
        holder = device.holder_at(at - dt.timedelta(minutes=1))
        reporter = holder if holder and (not staff or rng.random() < 0.7) else (rng.choice(staff) if staff else None)
        if reporter is None:
            return None
        report = self._police_report(rng, at) if rng.random() < 0.6 else ""
        return self._simulate(
            rng,
            device,
            declared_at=at,
            category=C.THEFT_LOSS,
            goal=State.RETURNED,
            reporter_id=reporter,
            limit=self.now,
            police_report=report,
            may_swap=True,
        )

    def _demo_student_repair(self, rng: random.Random, device: FleetDevice) -> list[TicketDraft]:
        """demo-student's laptop: one keyboard repaired weeks ago and nothing open, so that a demo (or an
        acceptance test) can declare any fault on it."""
        if not device.holdings:
            return []
        holding = device.holdings[-1]
        for _attempt in range(5):
            day = (holding.start + dt.timedelta(days=rng.uniform(10, 25))).date()
            declared_at = self.calendar.declaration_time(day, student=False, rng=rng)
            draft = self._simulate(
                rng,
                device,
                declared_at=declared_at,
                category=C.KEYBOARD,
                goal=State.RETURNED,
                reporter_id=holding.student_id,
                limit=self.now - dt.timedelta(days=7),
                description="La touche E ne fonctionne plus.",
                pin=Pin(State.RETURNED, C.KEYBOARD),
            )
            if draft is not None:
                return [self._keep(draft)]
        return []

    # One ticket: a walk through the state machine.

    def _simulate(
        self,
        rng: random.Random,
        device: FleetDevice,
        *,
        declared_at: dt.datetime,
        category: str,
        goal: str,
        reporter_id: int,
        limit: dt.datetime,
        pin: Pin | None = None,
        description: str = "",
        police_report: str = "",
        may_swap: bool = False,
    ) -> TicketDraft | None:
        """Walk from `declared` to `goal`, or None if some step would come after `limit`, `goal`
        cannot be reached or no spare is free for a swap. The fleet is changed only once the draft
        is kept (see _keep)."""
        tech = self._technician(rng, device, pin)
        if tech is None:
            return None
        on = timezone.localdate(declared_at)
        answer = coverage_for(device=device.instance(), on=on, category=category, coverages=device.coverages())
        allowed = allowed_transitions(category=category, decision=answer.decision, may_swap=may_swap)
        if pin is not None and pin.swap:
            allowed = frozenset({"start_diagnosis", "swap", "hand_over"})
        reach = reachable(allowed)
        if goal not in reach[State.DECLARED]:
            return None
        description = description or rng.choice(DESCRIPTIONS[category])
        draft = TicketDraft(
            device=device,
            reporter_id=reporter_id,
            establishment_id=device.establishment_id,
            category=category,
            description=description,
            declared_at=declared_at,
            police_report=police_report,
        )
        draft.entries.append(
            EntryDraft(
                at=declared_at,
                actor_id=reporter_id,
                kind=TimelineEntry.Kind.DECLARED,
                target=State.DECLARED,
                note=description,
                fields={"police_report": police_report} if police_report else {},
            )
        )
        state, at, done = str(State.DECLARED), declared_at, Counter()
        while state != goal:
            options = [
                spec
                for spec in TRANSITIONS
                if state in spec.sources and spec.name in allowed and goal in reach[spec.target]
            ]
            if not options or len(draft.entries) > MAX_STEPS:
                return None
            weights = [self._weight(spec.name, source=state, category=category, done=done) for spec in options]
            if goal not in FINAL_STATES:
                # A ticket stopped midway mostly took the direct road there, not the scenic one.
                weights = [w * (4 if spec.target == goal else 1) for w, spec in zip(weights, options, strict=True)]
            if not any(weights):
                return None
            spec = rng.choices(options, weights=weights)[0]
            at = self._after(rng, at, name=spec.name, source=state)
            if at > limit:
                return None
            actor = self._actor(rng, spec.name, draft=draft, tech=tech, pin=pin)
            if not self._fire(rng, draft, spec, source=state, at=at, actor_id=actor, answer=answer):
                return None
            state = str(spec.target)
            done[spec.name] += 1
        draft.state = state
        self._assign(rng, draft, tech=tech, pin=pin, limit=limit)
        self._lend_loaner(rng, draft, tech=tech, pin=pin, limit=limit)
        return draft

    def _keep(self, draft: TicketDraft) -> TicketDraft:
        """Apply a kept draft's effects to the fleet, so that later tickets see them."""
        apply_effects(draft, fleet=self.fleet)
        return draft
