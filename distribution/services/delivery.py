"""A parcel's delivery, confirmed by staff or by the student."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import services as fleet_services
from devices.models import Assignment, Device
from devices.selectors import current_holdings
from distribution.exceptions import Conflict, NotVisible
from distribution.models import HandoverEvent
from distribution.services.common import (
    _name,
    _tell,
    may_act_for_student,
    student_profile,
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
