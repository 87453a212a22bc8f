"""What the services do to the fleet, applied to the generator's plain values.

repairs.services writes these effects as each transition fires: the device goes to the workshop
when it is received or diagnosed (to the manufacturer and back under warranty), back to its
holder (or to stock) when the ticket ends, a swap
moves the holder's assignment to a spare and sends the faulty laptop to the depot (lost, for a
theft), a repair hands back a laptop on the académie's current image, a loaner leaves the spare
pool and comes back. The writer stores the result; tests/demo checks it against the services.
"""

from __future__ import annotations

import bisect
import datetime as dt

from demo.tickets.drafts import DemoFleet, FleetDevice, Holding, TicketDraft
from devices.models import Device, FaultCategory
from repairs.models import TimelineEntry

INTO_WORKSHOP = frozenset({"receive_device", "start_diagnosis"})
BACK_TO_HOLDER = frozenset({"cancel", "close_no_fault", "deliver", "hand_over"})
RETURNS = frozenset({"deliver", "hand_over"})  # these hand back the replacement, if there is one
OUT_OF_SERVICE = (Device.Status.LOST, Device.Status.RETIRED)


def starts_in_workshop(device: FleetDevice) -> str:
    """The status a held laptop had before its tickets: the fleet's "in repair" is their result."""
    if device.status == Device.Status.IN_REPAIR and device.holdings and device.holdings[-1].end is None:
        return Device.Status.ASSIGNED
    return device.status


def image_check(fleet: DemoFleet, *, draft: TicketDraft, device: FleetDevice, at: dt.datetime) -> dict:
    """A laptop handed back runs the académie's image of the day, re-imaged if it ran an older one.
    Never moves a laptop back to an older image. Returns the payload the service records."""
    academie = fleet.establishments[draft.establishment_id][1]
    images = fleet.images.get(academie, [])
    position = bisect.bisect_right([image.released_on for image in images], at.date())
    if position == 0:
        return {}
    current = images[position - 1]
    mine = fleet.image_by_pk.get(device.image_id or 0)
    if mine is not None and mine.academie == academie and mine.released_on >= current.released_on:
        return {}
    draft.reimages.append((device, current.pk))
    return {"reimaged": {"device": device.serial, "from": mine.version if mine else None, "to": current.version}}


def pick_spare(
    fleet: DemoFleet, *, establishment_id: int | None, start: dt.datetime, end: dt.datetime | None
) -> FleetDevice | None:
    """A spare free from `start` until `end` (None: for good): the establishment's pool first, then the
    depot's, as ticket_swap and ticket_lend_loaner pick them. An establishment keeps one spare on its
    shelf: what is given for good or still out comes from the depot then."""
    for pool in (establishment_id, None) if establishment_id is not None else (None,):
        spares = fleet.spares.get(pool, [])
        if end is None and pool is not None:
            on_shelf = [s for s in spares if s.taken_at is None and all(back for _lent, back in s.loans)]
            if len(on_shelf) < 2:
                continue
        spare = next((s for s in spares if s.free(start, end)), None)
        if spare is not None:
            return spare
    return None


def apply_effects(draft: TicketDraft, *, fleet: DemoFleet) -> None:
    """Apply a kept draft's effects to the fleet, in the order its entries happened."""
    device = draft.device
    for entry in draft.entries:
        if entry.kind != TimelineEntry.Kind.TRANSITION:
            continue
        elif entry.name in INTO_WORKSHOP and device.status not in OUT_OF_SERVICE:
            device.status = Device.Status.IN_REPAIR
        elif entry.name == "send_to_manufacturer" and device.status not in OUT_OF_SERVICE:
            device.status = Device.Status.AT_MANUFACTURER
        elif entry.name == "receive_from_manufacturer" and device.status not in OUT_OF_SERVICE:
            device.status = Device.Status.IN_REPAIR
        elif entry.name in BACK_TO_HOLDER:
            returned = draft.replacement if entry.name in RETURNS and draft.replacement else device
            if returned.status == Device.Status.IN_REPAIR:
                held = returned.holder_at(entry.at) is not None
                returned.status = Device.Status.ASSIGNED if held else Device.Status.IN_STOCK
        elif entry.name == "swap":
            _swap(draft, at=entry.at, actor_id=entry.actor_id)
    for target, image_id in draft.reimages:
        target.image_id = image_id
    if (loaner := draft.loaner) is not None:
        loaner.loans.append((draft.loaner_lent_at, draft.loaner_returned_at))
        # Drafts are kept device by device, not in time order: the spare's status is its last move's.
        if loaner.taken_at is None:
            out = any(back is None for _lent, back in loaner.loans)
            loaner.status = Device.Status.ON_LOAN if out else Device.Status.SPARE
    if draft.claim_counted and draft.claim is not None:
        draft.claim.claims_used += 1


def _swap(draft: TicketDraft, *, at: dt.datetime, actor_id: int | None) -> None:
    device, spare = draft.device, draft.replacement
    holding = draft.swap_holding
    if holding is not None:
        holding.end = at
        spare.holdings.append(Holding(None, holding.student_id, at, None, holding.channel, handed_over_by=actor_id))
    lost = draft.category == FaultCategory.THEFT_LOSS
    if device.status != Device.Status.AT_MANUFACTURER:  # tracked there until it comes back
        device.status = Device.Status.LOST if lost else Device.Status.IN_STOCK
    device.place_id = None
    spare.status = Device.Status.ASSIGNED if holding is not None else Device.Status.IN_STOCK
    spare.place_id, spare.taken_at = draft.establishment_id, at
