"""The small decisions of the ticket generator: who acts, when, with what, and what each service
records on the way (DemoTicketGenerator inherits them)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from django.utils import timezone

from demo.fleet.rows import PARIS
from demo.tickets.drafts import DemoFleet, EntryDraft, FleetDevice, Holding, TicketDraft
from demo.tickets.effects import image_check, pick_spare
from demo.tickets.params import (
    CANCELLED_SHARE,
    CATEGORY_WEIGHTS,
    DEFAULT_NO_FAULT_SHARE,
    LOANER_SHARE,
    MANUFACTURER_WEIGHT,
    NO_FAULT_SHARE,
    PARTS_WEIGHT,
    PINS,
    SEASON,
    SWAP_WEIGHT,
    TRANSITION_WEIGHTS,
    WARRANTY_DECISIONS,
    WORKSHOP_GOALS,
    WORKSHOP_STATES,
    C,
    Pin,
)
from demo.tickets.texts import CARRIERS, NOTES, PARTS, RMA_PREFIXES
from demo.tickets.worktime import WorkingTime, skewed_hours
from devices.models import Device
from devices.selectors import CoverageAnswer, coverage_for
from repairs.models import TimelineEntry
from repairs.services.loaners import default_due_on
from repairs.sla.clock import FIRST_RESPONSE_NAMES
from repairs.states import FINAL_STATES, Coverage, ReturnChannel, State, TransitionSpec


class Decisions:
    fleet: DemoFleet
    now: dt.datetime
    calendar: WorkingTime
    colleagues: list[int]

    def _fire(
        self,
        rng: random.Random,
        draft: TicketDraft,
        spec: TransitionSpec,
        *,
        source: str,
        at: dt.datetime,
        actor_id: int,
        answer: CoverageAnswer,
    ) -> bool:
        """What the service of `spec` is given and records (repairs.services): the ticket's fields,
        then the entry with the same payload keys. False where the service would refuse."""
        name, payload = spec.name, {}
        note = rng.choice(NOTES.get(name, ("",)))
        fields = {"note": note} if note else {}
        if name in ("start_diagnosis", "receive_device"):
            draft.coverage = answer.decision
            draft.warranty_id = answer.coverage.pk if answer.coverage else None
            draft.coverage_reason = "\n".join([answer.reason, *answer.considered])
            payload["coverage_proposed"] = answer.decision
            if draft.claim is None and answer.coverage is not None and answer.decision == Coverage.ACCIDENTAL:
                draft.claim = answer.coverage  # counted at start_repair or swap, below
        elif name == "start_repair" and draft.coverage == Coverage.FAMILY:
            return False  # ticket_start_repair would refuse: a family repair needs an accepted quote
        elif name == "close_no_fault":
            payload["note"] = note
        elif name == "order_parts":
            choices = PARTS[draft.category]
            parts = rng.sample(choices, k=2 if len(choices) > 1 and rng.random() < 0.2 else 1)
            parts = [part.format(model=draft.device.model) for part in parts]
            draft.parts = [*draft.parts, *parts]
            payload["parts"] = fields["parts"] = parts
        elif name == "send_to_manufacturer":
            prefix = RMA_PREFIXES.get(draft.device.manufacturer, "RMA")
            draft.rma_number = f"{prefix}{rng.randrange(10**8):08d}"
            payload["rma_number"] = fields["rma_number"] = draft.rma_number
        elif name == "finish_repair":
            payload.update(image_check(self.fleet, draft=draft, device=draft.device, at=at))
            fields["reimage"] = "reimaged" in payload
        elif name == "swap":
            if draft.category == C.THEFT_LOSS and not draft.police_report:
                draft.police_report = self._police_report(rng, at)
                payload["police_report"] = fields["police_report"] = draft.police_report
            if self._swap_holding(draft, at) is not (draft.device.holdings or [None])[-1]:
                return False  # someone held it after: it cannot have left for the depot
            spare = pick_spare(self.fleet, establishment_id=draft.establishment_id, start=at, end=None)
            if spare is None:
                return False  # ticket_swap would refuse: no spare in the pool or at the depot
            draft.replacement = spare
            payload["replacement"] = fields["replacement"] = spare.serial
            payload.update(image_check(self.fleet, draft=draft, device=spare, at=at))
            fields["reimage"] = "reimaged" in payload
        elif name == "ship":
            draft.carrier = rng.choice(CARRIERS)
            draft.tracking_number = self._tracking_number(rng, draft.carrier)
            draft.return_channel = ReturnChannel.CARRIER
            payload.update(carrier=draft.carrier, tracking_number=draft.tracking_number)
            fields.update(carrier=draft.carrier, tracking_number=draft.tracking_number)
        if name in ("start_repair", "swap") and draft.claim is not None and not draft.claim_counted:
            draft.claim_counted = True
            payload["claim_counted"] = True
        if name == "swap":
            draft.swap_holding = self._swap_holding(draft, at)
            if draft.swap_holding is not None:
                payload["student"] = draft.swap_holding.student_id
        if draft.first_responded_at is None and name in FIRST_RESPONSE_NAMES:
            draft.first_responded_at = at
        if spec.target in FINAL_STATES:
            draft.resolved_at = at
        draft.entries.append(
            EntryDraft(
                at=at,
                actor_id=actor_id,
                kind=TimelineEntry.Kind.TRANSITION,
                name=name,
                source=source,
                target=spec.target,
                note=note,
                payload=payload,
                fields=fields,
            )
        )
        return True

    @staticmethod
    def _swap_holding(draft: TicketDraft, at: dt.datetime) -> Holding | None:
        """The assignment a swap moves to the replacement: the one open then. A lost laptop's holder
        keeps it on paper until the replacement comes, even though the fleet closed it at the loss."""
        device = draft.device
        holding = device.holding_at(at)
        if holding is None and draft.category == C.THEFT_LOSS:
            holding = device.holding_at(draft.declared_at - dt.timedelta(minutes=1))
        return holding

    def _assign(
        self, rng: random.Random, draft: TicketDraft, *, tech: int, pin: Pin | None, limit: dt.datetime
    ) -> None:
        """The technician takes the ticket (ticket_assign): before diagnosing it, for most tickets past
        `declared`, now and then before starting anything."""
        steps = draft.transitions
        diagnosis = next((e for e in steps if e.name in ("start_diagnosis", "receive_device")), None)
        request = next((e for e in steps if e.name == "request_device" and e.actor_id == tech), None)
        if diagnosis is not None:
            first, keep = diagnosis, pin is not None or rng.random() < 0.95
        elif request is not None:
            first, keep = request, pin is not None or rng.random() < 0.7
        else:
            first, keep = None, draft.state == State.DECLARED and pin is None and rng.random() < 0.12
        if not keep or tech not in self.fleet.usernames:
            return
        if first is not None:
            at = first.at - dt.timedelta(minutes=rng.randint(1, 20))
            before = max((e.at for e in draft.entries if e.at < first.at), default=draft.declared_at)
        else:  # taken, not started yet
            at = self.calendar.add_work_hours(draft.declared_at, skewed_hours(rng, 2, 0.1, 10), rng)
            before = draft.declared_at
        if at > limit:
            return
        draft.assignee_id = tech
        draft.entries.append(
            EntryDraft(
                at=max(at, before),
                actor_id=tech,
                kind=TimelineEntry.Kind.EDIT,
                name="assign",
                payload={"assignee": {"from": None, "to": self.fleet.usernames[tech]}},
                fields={"assignee": tech},
            )
        )
        draft.entries.sort(key=lambda entry: entry.at)

    def _lend_loaner(
        self, rng: random.Random, draft: TicketDraft, *, tech: int, pin: Pin | None, limit: dt.datetime
    ) -> None:
        """A loaner from the spare pool while the laptop waits for parts or the manufacturer, collected
        just before the ticket closes (hand_over refuses while one is out); still out if it is open."""
        steps = draft.transitions
        visited = {entry.target for entry in steps}
        share = max((LOANER_SHARE.get(state, 0.0) for state in visited), default=0.0)
        taken_in = next((e for e in steps if e.name in ("start_diagnosis", "receive_device")), None)
        if taken_in is None or draft.replacement is not None:
            return  # no loaner for a swapped laptop: the student gets the replacement
        if not (pin is not None and pin.loaner) and rng.random() >= share:
            return
        following = [e.at for e in draft.entries if e.at > taken_in.at]
        lent = taken_in.at + dt.timedelta(minutes=rng.randint(5, 60))
        if lent >= min([*following, limit]):
            return
        final = steps[-1] if draft.state in FINAL_STATES else None
        returned = None
        if final is not None:
            before = max(lent, *(e.at for e in draft.entries if e is not final))
            returned = max(final.at - dt.timedelta(minutes=rng.randint(2, 15)), before + (final.at - before) / 2)
        spare = pick_spare(self.fleet, establishment_id=draft.establishment_id, start=lent, end=returned)
        if spare is None:
            return
        staff = self.fleet.staff.get(draft.establishment_id, [])
        lender = rng.choice(staff) if staff and rng.random() < 0.5 else tech
        draft.loaner, draft.loaner_lent_at, draft.loaner_returned_at = spare, lent, returned
        draft.loaner_due_on = default_due_on(timezone.localdate(lent))  # the service's default
        payload = {"device": spare.serial}
        draft.entries.append(
            EntryDraft(
                lent,
                lender,
                TimelineEntry.Kind.LOANER,
                "lend_loaner",
                payload={**payload, "due_on": draft.loaner_due_on.isoformat()},
                fields=dict(payload),
            )
        )
        if returned is not None:
            collector = final.actor_id if final.actor_id in (tech, *staff, *self.fleet.depot_technicians) else tech
            draft.entries.append(
                EntryDraft(returned, collector, TimelineEntry.Kind.LOANER, "collect_loaner", payload=dict(payload))
            )
        draft.entries.sort(key=lambda entry: entry.at)

    def _after(self, rng: random.Random, at: dt.datetime, *, name: str, source: str) -> dt.datetime:
        """When `name` fires, `at` being when the ticket entered `source`."""
        cal = self.calendar
        match name:
            case "start_diagnosis":
                return cal.add_work_hours(at, skewed_hours(rng, 5, 0.3, 45), rng)
            case "request_device":
                return cal.add_work_hours(at, skewed_hours(rng, 3, 0.2, 30), rng)
            case "receive_device":
                return cal.add_days(at, min(14.0, 1 + rng.expovariate(1 / 3)), rng)
            case "cancel" if source == State.AWAITING_DEVICE:
                return cal.add_days(at, rng.uniform(2, 12), rng)
            case "cancel":
                return cal.add_work_hours(at, rng.uniform(0.5, 30), rng)
            case "start_repair" if source == State.AWAITING_PARTS:
                return cal.add_days(at, min(20.0, 2 + rng.expovariate(1 / 4)), rng)  # parts lead time
            case "receive_from_manufacturer":
                return cal.add_days(at, rng.uniform(7, 21), rng)  # a manufacturer's round trip
            case "deliver":
                return cal.add_days(at, rng.uniform(1, 3), rng)
            case "hand_over":
                return cal.add_work_hours(at, skewed_hours(rng, 12, 0.5, 80), rng)  # the student comes by
            case "send_to_manufacturer" | "swap":
                return cal.add_work_hours(at, skewed_hours(rng, 6, 0.5, 30), rng)
            case _:  # workshop steps: start_repair, order_parts, finish_repair, close_no_fault, ship
                return cal.add_work_hours(at, skewed_hours(rng, 4, 0.2, 30), rng)

    @staticmethod
    def _weight(name: str, *, source: str, category: str, done: Mapping[str, int]) -> float:
        if name == "order_parts":
            # More parts at diagnosis than once the laptop is open; rarely a second order.
            return PARTS_WEIGHT.get(category, 10) * (0.25 if source == State.IN_REPAIR else 1) * 0.15 ** done[name]
        if name == "send_to_manufacturer":
            if done[name]:
                return 0
            return MANUFACTURER_WEIGHT.get(category, 0) * (0.3 if source == State.IN_REPAIR else 1)
        if name == "swap" and category != C.THEFT_LOSS:
            return SWAP_WEIGHT.get(category, 0)
        return TRANSITION_WEIGHTS[name]

    def _actor(self, rng: random.Random, name: str, *, draft: TicketDraft, tech: int, pin: Pin | None) -> int:
        """Who fires `name`, among those repairs.states.TRANSITIONS allows."""
        people = self.fleet.people
        staff = self.fleet.staff.get(draft.establishment_id, [])
        if pin is not None and pin.requested_by and name == "request_device":
            return people.staff_id if pin.requested_by == "staff" and people.staff_id else tech
        u = rng.random()
        if name == "cancel":
            return draft.reporter_id if u < 0.55 or not staff else rng.choice(staff) if u < 0.8 else tech
        if name in ("request_device", "receive_device", "hand_over", "deliver") and staff:
            share = {"request_device": 0.4, "receive_device": 0.55, "hand_over": 0.45, "deliver": 0.3}[name]
            if u < share:
                return rng.choice(staff)
        if name in ("ship", "deliver") and self.fleet.depot_technicians and rng.random() < 0.3:
            return rng.choice(self.fleet.depot_technicians)  # the depot ships returns too
        return tech

    def _technician(self, rng: random.Random, device: FleetDevice, pin: Pin | None) -> int | None:
        people = self.fleet.people
        if pin is not None:
            if pin.demo_tech and people.tech_id:
                return people.tech_id
            if self.colleagues:
                return rng.choice(self.colleagues)
        zone = self._zone(device.establishment_id)
        pool = self.fleet.technicians.get(zone or 0) or self.fleet.depot_technicians
        return rng.choice(pool) if pool else None

    def _zone(self, establishment_id: int | None) -> int | None:
        return self.fleet.establishments.get(establishment_id or 0, (None, ""))[0]

    def _reporter(self, rng: random.Random, device: FleetDevice, day: dt.date) -> tuple[int | None, bool]:
        """The student holding the laptop that day, or now and then a staff member of its school."""
        holder = device.holder_at(dt.datetime.combine(day, dt.time(12), tzinfo=PARIS))
        staff = self.fleet.staff.get(device.establishment_id, [])
        if holder is not None and (not staff or rng.random() < 0.82):
            return holder, True
        return (rng.choice(staff), False) if staff else (holder, holder is not None)

    @staticmethod
    def _season_day(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.date:
        span = (end - start).total_seconds()
        top = max(SEASON.values())
        while True:
            day = (start + dt.timedelta(seconds=rng.random() * span)).date()
            if rng.random() * top < SEASON[day.month]:
                return day

    @staticmethod
    def _category(rng: random.Random, *, open_ticket: bool) -> str:
        weights = {k: w for k, w in CATEGORY_WEIGHTS.items() if not (open_ticket and k == C.THEFT_LOSS)}
        return rng.choices(list(weights), weights=list(weights.values()))[0]

    @staticmethod
    def _outcome(rng: random.Random, category: str) -> str:
        if category == C.THEFT_LOSS:
            return State.CANCELLED  # found again; see CATEGORY_WEIGHTS
        u = rng.random() * 100
        if u < CANCELLED_SHARE:
            return State.CANCELLED
        if u < CANCELLED_SHARE + NO_FAULT_SHARE.get(category, DEFAULT_NO_FAULT_SHARE):
            return State.CLOSED_NO_FAULT
        return State.RETURNED

    def _workshop_plan(self, rng: random.Random, device: FleetDevice) -> tuple[str, str]:
        """Where the open ticket of a laptop in the workshop stands; the manufacturer only for covered faults."""
        category = self._category(rng, open_ticket=True)
        goal = rng.choices(list(WORKSHOP_GOALS), weights=list(WORKSHOP_GOALS.values()))[0]
        if goal == State.AT_MANUFACTURER and not self._covered(device, category):
            goal = State.AWAITING_PARTS
        return goal, category

    def _covered(self, device: FleetDevice, category: str) -> bool:
        on = (self.now - dt.timedelta(days=15)).date()
        answer = coverage_for(device=device.instance(), on=on, category=category, coverages=device.coverages())
        return answer.decision in WARRANTY_DECISIONS

    def _place_pins(self) -> dict[int, Pin]:
        """Laptops of the demo establishment for the scenarios of PINS: held, and for the workshop
        states preferably already in the workshop; the first that fit, in the dataset's order, so that
        `small` and `region` pick the same ones."""
        people = self.fleet.people
        candidates = [
            device
            for device in self.fleet.devices
            if device.establishment_id == people.establishment_id
            and device.pk not in people.student_device_ids | people.quiet_device_ids
            and device.holdings
            and device.holdings[-1].end is None
        ]
        pins: dict[int, Pin] = {}
        for pin in PINS:
            statuses = (
                (Device.Status.IN_REPAIR, Device.Status.ASSIGNED)
                if pin.goal in WORKSHOP_STATES
                else (Device.Status.ASSIGNED,)
            )
            for status in statuses:
                device = next(
                    (
                        d
                        for d in candidates
                        if d.pk not in pins
                        and d.status == status
                        and (pin.goal != State.AT_MANUFACTURER or self._covered(d, pin.category))
                    ),
                    None,
                )
                if device is not None:
                    pins[device.pk] = pin
                    break
        return pins

    @staticmethod
    def _police_report(rng: random.Random, at: dt.datetime) -> str:
        return f"PV {at.year}/{rng.randrange(1, 10**6):06d}"

    @staticmethod
    def _tracking_number(rng: random.Random, carrier: str) -> str:
        if carrier == "Colissimo":
            return f"6A{rng.randrange(10**11):011d}"
        if carrier == "Chronopost":
            return f"XW{rng.randrange(10**9):09d}FR"
        return f"{rng.randrange(10**14):014d}"
