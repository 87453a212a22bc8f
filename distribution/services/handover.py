"""A hand-over at the desk or by carrier, and its undo by its author within ten minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices import services as fleet_services
from devices.models import Assignment, Device, MasterImage
from devices.selectors import current_holdings, current_image, holdings_of
from distribution.carriers import carrier_check
from distribution.exceptions import Conflict, Forbidden, Invalid, NotVisible
from distribution.models import Condition, HandoverEvent
from distribution.services.common import (
    CHANNEL_CARRIER,
    CHANNEL_DESK,
    CHANNELS,
    CHARTER_VERSION,
    UNDO_WINDOW,
    _name,
    _student_check,
    _tell,
    may_act_for_student,
    student_profile,
)
from repairs.models import Ticket
from repairs.states import OPEN_STATES

# Hand-over


@dataclass(frozen=True)
class HandoverResult:
    assignment: Assignment
    reimaged: bool
    returned: Assignment | None


def handover_image_outdated(*, device: Device, academie: str) -> tuple[bool, str | None, MasterImage | None]:
    """(outdated?, the device's version, the académie's current image): a device runs an
    outdated master image when its académie has a current one and the device runs another."""
    current = current_image(academie=academie)
    if current is None:
        return False, None, None
    running = device.image.version if device.image_id else None
    return device.image_id != current.pk, running, current


def handover_record(
    *,
    actor,
    student,
    device: Device,
    charter_signed: bool,
    channel: str = CHANNEL_DESK,
    carrier: str = "",
    tracking_number: str = "",
    reimage: bool | None = None,
    return_previous: bool = False,
    at: dt.datetime | None = None,
) -> HandoverResult:
    """Lend `device` to `student` at the desk (or send it by carrier): one assignment, one history
    row, the device `assigned`. `reimage`: None until the person has decided about an outdated
    master image (refused then, saying so), True to record a re-image with the current one on the
    spot, False to hand it over as it is. `return_previous`: the student gives back the laptop
    they hold in the same step (otherwise an equipped student is refused)."""
    try:
        with transaction.atomic():
            return _record(
                actor=actor,
                student=student,
                device=device,
                charter_signed=charter_signed,
                channel=channel,
                carrier=carrier,
                tracking_number=tracking_number,
                reimage=reimage,
                return_previous=return_previous,
                at=at or timezone.now(),
            )
    except IntegrityError:
        # Two desks at once: the partial unique indexes let one win; the other is told who.
        if current_holdings(devices=[device]).exists():
            raise Conflict(_("This laptop was just handed over at another desk."), rule="device_assigned") from None
        raise Conflict(_("This student was just equipped at another desk."), rule="student_equipped") from None


def _record(*, actor, student, device, charter_signed, channel, carrier, tracking_number, reimage, return_previous, at):
    profile = _student_check(actor=actor, student=student)
    # The laptop, if the person may see it, locked: two desks scanning it queue here. Two desks
    # serving one student are told apart by the unique index on open assignments (see above).
    device = (
        fleet.visible_devices(user=actor)
        .select_for_update(of=("self",))
        .select_related("image", "model")
        .filter(pk=device.pk)
        .first()
    )
    if device is None:
        raise NotVisible(_("No such laptop."), rule="device_not_found", field="device")

    # State (409)
    if device.status in (Device.Status.RETIRED, Device.Status.LOST):
        raise Conflict(
            _("Laptop %(device)s is recorded as retired or lost: it cannot be handed over.") % {"device": device},
            rule="device_retired_or_lost",
            field="device",
        )
    if device.status in (Device.Status.IN_REPAIR, Device.Status.AT_MANUFACTURER) or (
        Ticket.objects.filter(device=device, state__in=OPEN_STATES).exists()
    ):
        raise Conflict(
            _("Laptop %(device)s is in repair: hand over another one.") % {"device": device},
            rule="device_in_repair",
            field="device",
        )
    holder, previous = holdings_of(device=device, student=student)
    if holder is not None or device.status in (Device.Status.ASSIGNED, Device.Status.ON_LOAN):
        who = _name(holder.student) if holder else _("a student, as a loaner")
        raise Conflict(
            _("Laptop %(device)s is already assigned to %(student)s.") % {"device": device, "student": who},
            rule="device_assigned",
            field="device",
        )
    if previous is not None and not return_previous:
        raise Conflict(
            _(
                "%(student)s is already equipped with laptop %(device)s. Tick “returns the previous laptop” if "
                "the student gives it back now."
            )
            % {"student": _name(student), "device": previous.device},
            rule="student_equipped",
            field="student",
            previous_device=previous.device.serial_number,
        )

    # Conditions (400)
    if not charter_signed:
        raise Invalid(
            _("Tick “charter signed”: the laptop is lent once the student has signed the charter."),
            rule="charter_not_signed",
            field="charter_signed",
        )
    if device.establishment_id != profile.establishment_id:
        raise Invalid(
            _("Laptop %(device)s belongs to another establishment than %(student)s’s.")
            % {"device": device, "student": _name(student)},
            rule="device_other_establishment",
            field="device",
        )
    if channel not in CHANNELS:
        raise Invalid(_("Choose how the laptop is handed over: at the desk or by carrier."), rule="channel")
    if channel == CHANNEL_CARRIER:
        carrier, tracking_number = carrier_check(carrier=carrier, tracking_number=tracking_number)
    else:
        carrier, tracking_number = "", ""
    outdated, running, current = handover_image_outdated(device=device, academie=profile.establishment.academie)
    if outdated and reimage is None:
        raise Invalid(
            _(
                "Laptop %(device)s runs master image %(running)s; the académie’s current image is %(current)s. "
                "Re-image it now, or hand it over as it is."
            )
            % {"device": device, "running": running or _("(none)"), "current": current.version},
            rule="image_outdated",
            field="reimage",
            running=running,
            current=current.version,
        )

    # Side effects
    events = []
    if previous is not None:
        fleet_services.assignment_close(assignment=previous, at=at, device_status=Device.Status.IN_STOCK)
        events.append(
            HandoverEvent(
                kind=HandoverEvent.Kind.RETURNED,
                at=at,
                actor=actor,
                assignment=previous,
                device_id=previous.device_id,
                student=student,
                condition=Condition.GOOD,
                payload={"with_handover": True},
            )
        )
    reimaged = bool(outdated and reimage)
    if reimaged:
        change = fleet_services.device_reimage(device=device, image=current)
    status_before = device.status
    assignment = fleet_services.assignment_open(
        device=device,
        student=student,
        actor=actor,
        at=at,
        channel=CHANNELS[channel],
        carrier=carrier,
        tracking_number=tracking_number,
    )
    payload = {
        "charter": CHARTER_VERSION,
        "channel": channel,
        "status_before": status_before,
        "returned_assignment": previous.pk if previous else None,
    }
    if channel == CHANNEL_CARRIER:
        payload.update(carrier=carrier, tracking_number=tracking_number)
    if outdated and not reimage:
        payload["image_outdated"] = {"running": running, "current": current.version}
    events.append(
        HandoverEvent(
            kind=HandoverEvent.Kind.HANDED_OVER,
            at=at,
            actor=actor,
            assignment=assignment,
            device=device,
            student=student,
            payload=payload,
        )
    )
    if reimaged:
        events.append(
            HandoverEvent(
                kind=HandoverEvent.Kind.REIMAGED,
                at=at,
                actor=actor,
                assignment=assignment,
                device=device,
                student=student,
                payload=change,
            )
        )
    HandoverEvent.objects.bulk_create(events)
    if channel == CHANNEL_CARRIER:
        _tell(
            user=student,
            event="distribution.shipped",
            template="shipped",
            key=f"handover.{assignment.pk}.shipped",
            context={"carrier": carrier, "tracking_number": tracking_number, "device": device.serial_number},
        )
    return HandoverResult(assignment=assignment, reimaged=reimaged, returned=previous)


def handover_for(*, user, assignment_id: int) -> Assignment:
    """The hand-over (an assignment) `user` may act on, or NotVisible."""
    assignment = (
        Assignment.objects.select_related("device__model", "student__profile__establishment", "handed_over_by")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not may_act_for_student(user=user, profile=student_profile(assignment.student)):
        raise NotVisible(_("No such hand-over."), rule="handover_not_found")
    return assignment


@transaction.atomic
def handover_undo(*, actor, assignment: Assignment, now: dt.datetime | None = None) -> None:
    """Erase a hand-over recorded by mistake: by its author, within ten minutes. The device takes
    back its status; a laptop returned in the same step goes back to the student."""
    now = now or timezone.now()
    if not may_act_for_student(user=actor, profile=student_profile(assignment.student)):
        raise NotVisible(_("No such hand-over."), rule="handover_not_found")
    if assignment.handed_over_by_id != actor.pk:
        raise Forbidden(_("Only the person who recorded a hand-over may undo it."), rule="not_author")
    locked = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        raise NotVisible(_("No such hand-over."), rule="handover_not_found")
    if now - locked.handed_over_at > UNDO_WINDOW:
        raise Conflict(
            _("A hand-over can be undone within 10 minutes only: record a return instead."), rule="undo_too_late"
        )
    if locked.returned_at is not None or (locked.channel == Assignment.Channel.CARRIER and locked.delivered_at):
        raise Conflict(_("This hand-over has been followed up since: it cannot be undone."), rule="undo_too_late")
    recorded = HandoverEvent.objects.filter(assignment=locked, kind=HandoverEvent.Kind.HANDED_OVER).first()
    payload = recorded.payload if recorded else {}
    previous = None
    if payload.get("returned_assignment"):
        previous = Assignment.objects.select_for_update().filter(pk=payload["returned_assignment"]).first()
        if previous is not None and current_holdings(devices=[previous.device_id]).exists():
            raise Conflict(
                _("The laptop returned with this hand-over has been handed to someone else since."),
                rule="undo_too_late",
            )
    HandoverEvent.objects.create(
        kind=HandoverEvent.Kind.UNDONE,
        at=now,
        actor=actor,
        assignment=None,
        device_id=locked.device_id,
        student_id=locked.student_id,
        payload={"assignment": locked.pk, "handed_over_at": locked.handed_over_at.isoformat()},
    )
    fleet_services.assignment_undo(
        assignment=locked, device_status=payload.get("status_before") or Device.Status.IN_STOCK
    )
    if previous is not None:
        # The student never gave it back after all: the history of that laptop goes on.
        fleet_services.assignment_reopen(assignment=previous)
        HandoverEvent.objects.filter(assignment=previous, kind=HandoverEvent.Kind.RETURNED).delete()


def handover_undoable(*, user, assignment: Assignment, now: dt.datetime | None = None) -> bool:
    """Whether the desk offers "Undo" for this hand-over to this person (the service decides)."""
    now = now or timezone.now()
    return (
        assignment.handed_over_by_id == user.pk
        and assignment.returned_at is None
        and now - assignment.handed_over_at <= UNDO_WINDOW
    )
