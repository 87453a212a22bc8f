"""The campaign's writes: a hand-over at the desk or by carrier, its undo, a delivery, a return.

Each use case checks in the house's order — who may (404 for what the person may not see, 403
for what they see but may not do), then the state of the laptop and of the student (409), then
the conditions (400) — and only then writes, in one transaction, through `devices.services` for
the fleet's tables. A refusal raises a `Refusal` carrying the rule's name and a French message,
and nothing is written. The database's own constraints (one open assignment per device and per
student) are the last word under concurrency: their IntegrityError becomes the same 409.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices import services as fleet_services
from devices.models import Assignment, Device, FaultCategory, MasterImage, Profile, Role
from devices.selectors import current_holdings, current_image
from distribution.carriers import carrier_check
from distribution.exceptions import Conflict, Forbidden, Invalid, NotVisible
from distribution.models import Condition, HandoverEvent
from notifications.models import Notification
from notifications.rendering import message_render
from notifications.services import outbox_add
from repairs.models import Ticket
from repairs.services import ticket_declare
from repairs.states import OPEN_STATES

UNDO_WINDOW = dt.timedelta(minutes=10)
# The charter's version, recorded with every hand-over: what the student signed.
CHARTER_VERSION = "2026"
CHANNEL_DESK, CHANNEL_CARRIER = "desk", "carrier"
CHANNELS = {CHANNEL_DESK: Assignment.Channel.ON_SITE, CHANNEL_CARRIER: Assignment.Channel.CARRIER}
RETURN_CATEGORIES = [c for c in FaultCategory.values if c != FaultCategory.THEFT_LOSS]


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# Who may act on whom


def student_profile(student) -> Profile | None:
    profile = fleet.profile_of(student)
    return profile if profile and profile.role == Role.STUDENT else None


def may_use_desk(user) -> bool:
    return fleet.role_of(user) in (Role.STAFF, Role.TECHNICIAN, Role.MANAGER)


def may_act_for_student(*, user, profile: Profile | None) -> bool:
    """Staff of the student's establishment, a technician of its zone, a manager."""
    if profile is None or not may_use_desk(user):
        return False
    return fleet.can_act_for_establishment(user=user, establishment=profile.establishment)


def _student_check(*, actor, student) -> Profile:
    profile = student_profile(student)
    if not may_act_for_student(user=actor, profile=profile):
        raise NotVisible(_("No such student."), rule="student_not_found", field="student")
    return profile


def _device_check(*, actor, device: Device) -> None:
    if not fleet.visible_devices(user=actor).filter(pk=device.pk).exists():
        raise NotVisible(_("No such laptop."), rule="device_not_found", field="device")


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
    holder = current_holdings(devices=[device]).select_related("student").first()
    if holder is not None or device.status in (Device.Status.ASSIGNED, Device.Status.ON_LOAN):
        who = _name(holder.student) if holder else _("a student, as a loaner")
        raise Conflict(
            _("Laptop %(device)s is already assigned to %(student)s.") % {"device": device, "student": who},
            rule="device_assigned",
            field="device",
        )
    previous = current_holdings(student=student).select_related("device").first()
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


# Home delivery


@transaction.atomic
def delivery_confirm(*, actor, assignment: Assignment, at: dt.datetime | None = None) -> Assignment:
    """The student has the parcel: confirmed by the student himself, or by staff of the
    establishment (or a technician of its zone) who heard it from the family or the carrier."""
    at = at or timezone.now()
    by_student = actor.pk == assignment.student_id
    if not by_student and not may_act_for_student(user=actor, profile=student_profile(assignment.student)):
        raise NotVisible(_("No such hand-over."), rule="handover_not_found")
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.channel != Assignment.Channel.CARRIER:
        raise Conflict(_("This laptop was handed over at school: there is no delivery to confirm."), rule="not_shipped")
    if locked.returned_at is not None:
        raise Conflict(_("This laptop has been returned since."), rule="returned")
    if locked.delivered_at is not None:
        raise Conflict(_("The delivery of this laptop is already recorded."), rule="already_delivered")
    fleet_services.assignment_delivered(assignment=locked, at=at)
    HandoverEvent.objects.create(
        kind=HandoverEvent.Kind.DELIVERED,
        at=at,
        actor=actor,
        assignment=locked,
        device_id=locked.device_id,
        student_id=locked.student_id,
        payload={"by_student": by_student},
    )
    # Nobody is told what they did themselves: the student hears of staff's confirmation, the
    # person who shipped it hears of the student's.
    told = locked.handed_over_by if by_student else assignment.student
    if told is not None and told.pk != actor.pk:
        device = Device.objects.get(pk=locked.device_id)
        _tell(
            user=told,
            event="distribution.delivered",
            template="delivered",
            key=f"handover.{locked.pk}.delivered",
            context={
                "device": device.serial_number,
                "student": _name(assignment.student),
                "tracking_number": locked.tracking_number,
            },
        )
    return locked


def delivery_pending_for(*, student) -> Assignment | None:
    """The parcel on its way to this student, if any: what their page offers to confirm."""
    return (
        current_holdings(student=student)
        .filter(channel=Assignment.Channel.CARRIER, delivered_at__isnull=True)
        .select_related("device__model")
        .first()
    )


# Returns


@dataclass(frozen=True)
class ReturnResult:
    assignment: Assignment
    ticket: Ticket | None


def return_record(
    *,
    actor,
    device: Device,
    condition: str,
    category: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> ReturnResult:
    """A student leaving gives the laptop back; it returns to the pool. A damaged one also gets a
    repair ticket of `category` through the repairs' own declaration, with `note` as its
    description, in the same transaction."""
    at = at or timezone.now()
    with transaction.atomic():
        _device_check(actor=actor, device=device)
        holding = current_holdings(devices=[device]).select_related("student").first()
        if holding is None or not may_act_for_student(user=actor, profile=student_profile(holding.student)):
            raise Conflict(
                _("Laptop %(device)s is not lent to any student.") % {"device": device},
                rule="not_assigned",
                field="device",
            )
        if condition not in Condition.values:
            raise Invalid(_("Say in which condition the laptop comes back."), rule="condition", field="condition")
        note = (note or "").strip()
        if condition == Condition.DAMAGED:
            if category not in RETURN_CATEGORIES:
                raise Invalid(
                    _("Say what is damaged: the repair ticket is opened in that category."),
                    rule="damage_category",
                    field="category",
                )
            if not note:
                raise Invalid(
                    _("Describe the damage in a few words: it becomes the repair ticket’s description."),
                    rule="damage_note",
                    field="note",
                )
        fleet_services.assignment_close(assignment=holding, at=at, device_status=Device.Status.IN_STOCK)
        ticket = None
        if condition == Condition.DAMAGED:
            device = Device.objects.select_related("establishment").get(pk=device.pk)
            ticket = ticket_declare(device=device, reporter=actor, category=category, description=note, at=at)
        HandoverEvent.objects.create(
            kind=HandoverEvent.Kind.RETURNED,
            at=at,
            actor=actor,
            assignment=holding,
            device=device,
            student_id=holding.student_id,
            condition=condition,
            note=note,
            payload={"ticket": ticket.reference} if ticket else {},
        )
    return ReturnResult(assignment=holding, ticket=ticket)


# Messages to the student (through the outbox, in the caller's transaction)


def _tell(*, user, event: str, template: str, key: str, context: dict) -> None:
    if not user.is_active:
        return
    profile = fleet.profile_of(user)
    language = (profile and profile.language) or settings.LANGUAGE_CODE
    link = f"{settings.SITE_URL.rstrip('/')}/distribution/my-laptop/"
    rendered = message_render(
        template_name=f"distribution/messages/{template}.txt",
        context={**context, "name": user.first_name or user.get_username()},
        language=language,
        recipient_name=user.first_name,
        link=link,
    )
    channels = []
    if user.email and (profile is None or profile.notify_by_email):
        channels.append((Notification.Channel.EMAIL, user.email, rendered.body))
    if profile and profile.notify_by_sms and profile.phone:
        channels.append((Notification.Channel.SMS, profile.phone, rendered.sms))
    for channel, address, body in channels:
        outbox_add(
            recipient=user,
            channel=channel,
            event=event,
            subject=rendered.subject,
            body=body,
            html_body=rendered.html_body if channel == Notification.Channel.EMAIL else "",
            idempotency_key=f"{key}:{user.pk}:{channel}",
            link=link,
            address=address,
            language=language,
        )
