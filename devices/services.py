"""Writes to the fleet. Each function is one use case, in one transaction.

Every write to a fleet table goes through this module, including the effects of repairs (a device
into the workshop, a spare lent or swapped in, a re-image, a warranty claim): `repairs` calls these
functions and never writes a device, an assignment or a coverage itself. Functions that take a
row lock say so; they expect the caller's transaction (they open one otherwise).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Assignment, Device, MasterImage, WarrantyCoverage
from devices.selectors import current_holdings, device_by_identifier

PHONE_PATTERN = re.compile(r"(?:\+33|0)[67]\d{8}")


@transaction.atomic
def master_image_make_current(*, image: MasterImage) -> MasterImage:
    """Make `image` its académie's current image; the previous one stops being current.

    The partial unique index allows one current image per académie, so the old one is unset
    first, under a row lock that serialises two managers doing this at once.
    """
    list(MasterImage.objects.select_for_update().filter(academie=image.academie))
    MasterImage.objects.filter(academie=image.academie, is_current=True).exclude(pk=image.pk).update(is_current=False)
    MasterImage.objects.filter(pk=image.pk).update(is_current=True)
    image.is_current = True
    return image


@transaction.atomic
def assignment_hand_over(
    *,
    device: Device,
    student,
    actor=None,
    at: dt.datetime | None = None,
    channel: str = Assignment.Channel.ON_SITE,
    tracking_number: str = "",
    carrier: str = "",
) -> Assignment:
    """Lend `device` to `student`. The device must be free and the student must hold no other."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status in (Device.Status.RETIRED, Device.Status.LOST):
        raise ValidationError(_("Device %(device)s is retired or lost and cannot be handed over.") % {"device": device})
    if current_holdings(devices=[device]).exists():
        raise ValidationError(_("Device %(device)s is already assigned to a student.") % {"device": device})
    if current_holdings(student=student).exists():
        raise ValidationError(_("%(student)s already holds a device.") % {"student": student})
    if channel == Assignment.Channel.CARRIER and not tracking_number.strip():
        raise ValidationError(_("A home delivery by carrier needs a tracking number."))
    at = at or timezone.now()
    assignment = Assignment.objects.create(
        device=device,
        student=student,
        handed_over_at=at,
        handed_over_by=actor,
        channel=channel,
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
        delivered_at=None if channel == Assignment.Channel.CARRIER else at,
    )
    device.status = Device.Status.ASSIGNED
    device.save(update_fields=["status"])
    return assignment


@transaction.atomic
def assignment_close(
    *, assignment: Assignment, at: dt.datetime | None = None, device_status: str = Device.Status.IN_STOCK
) -> Assignment:
    """End an assignment (the student gave the device back); the device takes `device_status`."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.returned_at is not None:
        raise ValidationError(_("This assignment is already closed."))
    assignment.returned_at = at or timezone.now()
    assignment.save(update_fields=["returned_at"])
    Device.objects.filter(pk=assignment.device_id).update(status=device_status)
    return assignment


@transaction.atomic
def profile_set_preferences(
    *,
    user,
    email: str,
    phone: str,
    notify_by_email: bool,
    notify_by_sms: bool,
    daily_digest: bool,
    language: str = "",
) -> None:
    """A person's own contact details and how they want to be told."""
    from devices.models import Profile, Role

    profile = Profile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise ValidationError(_("Your account has no role in the program yet."))
    email, phone = (email or "").strip(), "".join((phone or "").split())
    errors = {}
    if notify_by_email and not email:
        errors["email"] = _("Give an email address to be notified by email.")
    if notify_by_sms and not phone:
        errors["phone"] = _("Give a mobile phone number to be notified by SMS.")
    if phone and not PHONE_PATTERN.fullmatch(phone):
        errors["phone"] = _("A mobile phone number looks like 06 12 34 56 78 or +33 6 12 34 56 78.")
    if daily_digest and profile.role != Role.STAFF:
        errors["daily_digest"] = _("The daily digest is for school staff.")
    if errors:
        raise ValidationError(errors)
    get_user_model().objects.filter(pk=user.pk).update(email=email)
    profile.phone, profile.notify_by_email, profile.notify_by_sms = phone, notify_by_email, notify_by_sms
    profile.daily_digest, profile.language = daily_digest, language
    profile.save(update_fields=["phone", "notify_by_email", "notify_by_sms", "daily_digest", "language"])


# Personal data (the privacy app's nightly purge): contacts are forgotten, the rows that reports
# and the distribution history count stay.


def profiles_forget(*, user_ids: Iterable[int]) -> int:
    """Blank the contacts and school identifiers of these people (a former student): phone,
    student number, class, guardian's email; no more messages. Role and establishment stay."""
    from devices.models import Profile

    return Profile.objects.filter(user_id__in=list(user_ids)).update(
        phone="", student_number="", class_name="", guardian_email="", notify_by_email=False, notify_by_sms=False
    )


def assignments_forget_delivery(*, assignment_ids: Iterable[int]) -> int:
    """Blank the carrier and tracking number of these hand-overs: once the parcel is delivered and
    the retention period is over, nothing needs them."""
    return Assignment.objects.filter(pk__in=list(assignment_ids)).update(carrier="", tracking_number="")


# The fleet side of repairs. Each is called inside the ticket service's transaction.

WORKSHOP_UNTOUCHED = (Device.Status.LOST, Device.Status.RETIRED)


def _set_status(device: Device, status: str) -> None:
    Device.objects.filter(pk=device.pk).update(status=status)
    device.status = status


@transaction.atomic
def device_into_workshop(*, device: Device) -> None:
    """The device is in a technician's hands (a lost or retired one keeps its status)."""
    if device.status not in WORKSHOP_UNTOUCHED:
        _set_status(device, Device.Status.IN_REPAIR)


@transaction.atomic
def device_out_of_workshop(*, device: Device) -> None:
    """Back to the student who holds it, or to stock when nobody does."""
    if device.status != Device.Status.IN_REPAIR:
        return
    held = current_holdings(devices=[device]).exists()
    _set_status(device, Device.Status.ASSIGNED if held else Device.Status.IN_STOCK)


@transaction.atomic
def device_to_manufacturer(*, device: Device) -> None:
    """Sent to the manufacturer under warranty: tracked as such until it comes back."""
    if device.status not in WORKSHOP_UNTOUCHED:
        _set_status(device, Device.Status.AT_MANUFACTURER)


@transaction.atomic
def device_back_from_manufacturer(*, device: Device) -> None:
    """A laptop that was at the manufacturer while its student got a replacement (a swap) is back:
    it joins the depot's spare pool. Refused for a laptop that is not at the manufacturer."""
    updated = Device.objects.filter(pk=device.pk, status=Device.Status.AT_MANUFACTURER).update(
        status=Device.Status.SPARE, establishment=None
    )
    if not updated:
        raise ValidationError(
            {"device": _("Device %(device)s is not recorded at the manufacturer.") % {"device": device}}
        )
    device.status, device.establishment = Device.Status.SPARE, None


@transaction.atomic(savepoint=False)  # one statement: inside a caller's transaction, no savepoint of its own
def device_reimage(*, device: Device, image: MasterImage) -> dict:
    """Record that `device` now runs `image`; returns {"device", "from", "to"} for the history."""
    previous = device.image.version if device.image_id else None
    Device.objects.filter(pk=device.pk).update(image=image)
    device.image = image
    return {"device": device.serial_number, "from": previous, "to": image.version}


def spare_pool(*, establishment_id: int | None, exclude: Iterable[int] = ()):
    """The spares a ticket of this establishment may use: its own pool and the depot's."""
    pool = Device.objects.filter(status=Device.Status.SPARE).exclude(pk__in=list(exclude))
    if establishment_id:
        return pool.filter(Q(establishment_id=establishment_id) | Q(establishment__isnull=True))
    return pool.filter(establishment__isnull=True)


@transaction.atomic
def spare_pick(*, establishment_id: int | None, identifier: str | None = None, exclude: Iterable[int] = ()) -> Device:
    """A spare from the establishment's pool, else the depot's; or the one named, if it is a spare
    of one of those pools. Row-locked until the caller's transaction ends; a spare another
    transaction is taking right now is skipped, so two swaps at once never get the same laptop."""
    pool = spare_pool(establishment_id=establishment_id, exclude=exclude)
    if identifier:
        device = device_by_identifier(identifier=identifier)
        if device is None:
            raise ValidationError(
                {"device": _("No device has the serial number or asset tag “%(value)s”.") % {"value": identifier}}
            )
        if not pool.filter(pk=device.pk).exists():
            raise ValidationError(
                {
                    "device": _("Device %(device)s is not a spare of this establishment or of the depot.")
                    % {"device": device}
                }
            )
        return pool.select_for_update().get(pk=device.pk)
    # The establishment's own spares first: no shipping needed.
    ordered = pool.order_by(F("establishment_id").asc(nulls_last=True), "pk")
    spare = ordered.select_for_update(skip_locked=True).first()
    if spare is None:
        raise ValidationError(
            {"device": _("No spare device is available in this establishment's pool or at the depot.")}
        )
    return spare


@transaction.atomic
def spare_lend(*, device: Device) -> None:
    """A spare goes out as a loaner."""
    _set_status(device, Device.Status.ON_LOAN)


@transaction.atomic
def spare_take_back(*, device: Device) -> None:
    """A loaner comes back to the spare pool."""
    _set_status(device, Device.Status.SPARE)


@transaction.atomic
def device_swap(*, faulty: Device, replacement: Device, establishment_id: int | None, actor, lost: bool) -> int | None:
    """The student holding `faulty` gets `replacement` instead (one assignment closed, one opened,
    same channel); the faulty device leaves for the depot's stock, or is recorded lost; one that is
    at the manufacturer stays recorded there until it comes back (`device_back_from_manufacturer`).
    Returns the student's id, None when nobody held the faulty device."""
    holding = current_holdings(devices=[faulty]).select_for_update().first()
    now = timezone.now()
    if holding:
        Assignment.objects.filter(pk=holding.pk).update(returned_at=now)
        Assignment.objects.create(
            device=replacement,
            student_id=holding.student_id,
            handed_over_at=now,
            handed_over_by=actor,
            channel=holding.channel,
            # Equipped without a break: the campaign counts a student from the delivery, and
            # without one the swapped student dropped out of its figures.
            delivered_at=now,
        )
    # Read from the row, not from the caller's copy: where the laptop is, the database says.
    leaves_as = Value(Device.Status.LOST) if lost else Value(Device.Status.IN_STOCK)
    at_manufacturer = Device.Status.AT_MANUFACTURER
    Device.objects.filter(pk=faulty.pk).update(
        status=Case(When(status=at_manufacturer, then=Value(at_manufacturer)), default=leaves_as),
        establishment=None,
    )
    Device.objects.filter(pk=replacement.pk).update(
        status=Device.Status.ASSIGNED if holding else Device.Status.IN_STOCK, establishment=establishment_id
    )
    return holding.student_id if holding else None


def warranty_claim_available(*, coverage_id: int | None) -> bool:
    return (
        coverage_id is not None
        and WarrantyCoverage.objects.filter(pk=coverage_id, claims_used__lt=F("claims_cap")).exists()
    )


@transaction.atomic
def warranty_claim_use(*, coverage_id: int) -> None:
    """Use one claim of an accidental-damage protection; refused at its cap, even under a race."""
    used = WarrantyCoverage.objects.filter(pk=coverage_id, claims_used__lt=F("claims_cap")).update(
        claims_used=F("claims_used") + 1
    )
    if not used:
        raise ValidationError({"coverage": _("The accidental-damage protection has reached its claims cap.")})


# The distribution campaign's side of the fleet (the hand-over desk, returns, home delivery).


@transaction.atomic
def assignment_undo(*, assignment: Assignment, device_status: str) -> None:
    """Erase a hand-over recorded by mistake: the assignment goes, the device takes back
    `device_status` (what it was before). The caller decides who may and until when."""
    Assignment.objects.filter(pk=assignment.pk).delete()
    Device.objects.filter(pk=assignment.device_id).update(status=device_status)


@transaction.atomic
def assignment_reopen(*, assignment: Assignment) -> None:
    """The student keeps a laptop whose return was recorded with a hand-over that is undone."""
    Assignment.objects.filter(pk=assignment.pk).update(returned_at=None)
    Device.objects.filter(pk=assignment.device_id).update(status=Device.Status.ASSIGNED)
    assignment.returned_at = None


@transaction.atomic
def assignment_delivered(*, assignment: Assignment, at: dt.datetime | None = None) -> bool:
    """The carrier delivered the laptop: the student has it in hand. False when it was already
    recorded (a second confirmation changes nothing)."""
    at = at or timezone.now()
    updated = Assignment.objects.filter(pk=assignment.pk, delivered_at__isnull=True).update(delivered_at=at)
    if updated:
        assignment.delivered_at = at
    return bool(updated)


@transaction.atomic(savepoint=False)  # inside its caller's transaction, which locked the device
def assignment_open(
    *,
    device: Device,
    student,
    actor,
    at: dt.datetime,
    channel: str = Assignment.Channel.ON_SITE,
    carrier: str = "",
    tracking_number: str = "",
) -> Assignment:
    """`assignment_hand_over` for a caller that has locked the device's row and checked that the
    device is free and the student holds nothing (the hand-over desk checks it all to word each
    refusal): two writes and no check. The partial unique indexes still refuse a double
    assignment with an IntegrityError."""
    assignment = Assignment.objects.create(
        device=device,
        student=student,
        handed_over_at=at,
        handed_over_by=actor,
        channel=channel,
        carrier=carrier,
        tracking_number=tracking_number,
        delivered_at=None if channel == Assignment.Channel.CARRIER else at,
    )
    Device.objects.filter(pk=device.pk).update(status=Device.Status.ASSIGNED)
    device.status = Device.Status.ASSIGNED
    return assignment
