"""What the desk's use cases share: the constants, who may act on whom, messages to the student."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices.models import Assignment, Device, FaultCategory, Profile, Role
from distribution.exceptions import NotVisible
from notifications.models import Notification
from notifications.rendering import message_render
from notifications.services import outbox_add

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
