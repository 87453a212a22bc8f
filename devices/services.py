"""Writes to the fleet. Each function is one use case, in one transaction."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Assignment, Device, MasterImage

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
) -> Assignment:
    """Lend `device` to `student`. The device must be free and the student must hold no other."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status in (Device.Status.RETIRED, Device.Status.LOST):
        raise ValidationError(_("Device %(device)s is retired or lost and cannot be handed over.") % {"device": device})
    if Assignment.objects.filter(device=device, returned_at__isnull=True).exists():
        raise ValidationError(_("Device %(device)s is already assigned to a student.") % {"device": device})
    if Assignment.objects.filter(student=student, returned_at__isnull=True).exists():
        raise ValidationError(_("%(student)s already holds a device.") % {"student": student})
    if channel == Assignment.Channel.CARRIER and not tracking_number.strip():
        raise ValidationError(_("A home delivery by carrier needs a tracking number."))
    assignment = Assignment.objects.create(
        device=device,
        student=student,
        handed_over_at=at or timezone.now(),
        handed_over_by=actor,
        channel=channel,
        tracking_number=tracking_number.strip(),
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
    """A person's own contact details and how they want to be told (SPEC §4)."""
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
