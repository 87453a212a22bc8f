"""Reads of the privacy app: everything the service holds about a person (the export), who read
a student's file, and the privacy notice's text."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices.models import Assignment, Role
from distribution.models import HandoverEvent
from notifications.models import Notification
from privacy.models import AccessLog, PrivacyNotice
from privacy.notice import DEFAULT_NOTICE
from repairs import permissions
from repairs.models import Ticket
from repairs.states import Coverage
from repairs.timeline import timeline_lines

EXPORT_FORMAT = 1


def notice_text() -> str:
    row = PrivacyNotice.objects.first()
    return row.body if row else str(DEFAULT_NOTICE)


def access_log_for(*, student) -> QuerySet[AccessLog]:
    """Who read this student's file, newest first."""
    return AccessLog.objects.filter(student=student).select_related("reader").order_by("-hour", "-pk")


def access_log_rows(*, student, limit: int | None = None) -> list[dict]:
    """The student's view of their access log: the reader's role and name, when, what."""
    rows = access_log_for(student=student)
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "at": row.at,
            "reader_role": row.reader_role,
            "reader_role_label": str(Role(row.reader_role).label)
            if row.reader_role in Role.values
            else row.reader_role,
            "reader": (row.reader.get_full_name() or row.reader.get_username()) if row.reader else "",
            "kind": row.kind,
            "kind_label": str(AccessLog.Kind(row.kind).label),
            "object": row.object_ref,
        }
        for row in rows
    ]


def students_of_everyone() -> QuerySet:
    return get_user_model().objects.filter(profile__role=Role.STUDENT)


def tickets_of(*, user) -> QuerySet[Ticket]:
    """The tickets about `user`: declared by them, or on a laptop they held when it was declared."""
    held_then = Assignment.objects.filter(
        student=user, device_id=OuterRef("device_id"), handed_over_at__lte=OuterRef("declared_at")
    ).filter(Q(returned_at__isnull=True) | Q(returned_at__gt=OuterRef("declared_at")))
    return (
        Ticket.objects.filter(Q(reporter=user) | Exists(held_then))
        .select_related("device__model", "establishment", "loaner", "replacement")
        .order_by("declared_at", "pk")
    )


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _ticket(ticket: Ticket, *, user, internal: bool) -> dict:
    if internal:
        costs_shown = permissions.may_see_costs(user=user, ticket=ticket)
    else:
        costs_shown = ticket.coverage == Coverage.FAMILY  # the family's own bill
    history = [
        {
            "at": _when(line.entry.at),
            "what": str(line.title),
            "details": [str(detail) for detail in line.details],
            "by": str(line.who),
            "text": line.entry.note if line.entry.kind != "declared" else "",
        }
        for line in timeline_lines(ticket, internal=internal, costs_shown=costs_shown)
    ]
    data = {
        "reference": ticket.reference,
        "declared_by_you": ticket.reporter_id == user.pk,
        "laptop": {"serial_number": ticket.device.serial_number, "asset_tag": ticket.device.asset_tag},
        "establishment": ticket.establishment.name if ticket.establishment_id else None,
        "category": ticket.category,
        "description": ticket.description,
        "priority": ticket.priority,
        "state": ticket.state,
        "declared_at": _when(ticket.declared_at),
        "resolved_at": _when(ticket.resolved_at),
        "return_channel": ticket.return_channel,
        "carrier": ticket.carrier,
        "tracking_number": ticket.tracking_number,
        "police_report": ticket.police_report,
        "loaner": ticket.loaner.serial_number if ticket.loaner_id else None,
        "loaner_due_on": _when(ticket.loaner_due_on),
        "replacement": ticket.replacement.serial_number if ticket.replacement_id else None,
        "history": history,
        "files": [
            {
                "name": attachment.original_name,
                "type": attachment.content_type,
                "size": attachment.size,
                "added_at": _when(attachment.uploaded_at),
                "added_by_you": attachment.uploaded_by_id == user.pk,
            }
            for attachment in ticket.attachments.all()
        ],
    }
    if costs_shown:
        data["cost"] = {"parts": str(ticket.parts_cost), "labour": str(ticket.labour_cost)}
    return data


def personal_data_export(*, user) -> dict:
    """Everything the service holds about `user`, and nothing about anyone else beyond what they
    already see on their pages (the names of the people who worked on their tickets)."""
    profile = fleet.profile_of(user)
    role = fleet.role_of(user)
    internal = role not in (Role.STUDENT, None)
    assignments = Assignment.objects.filter(student=user).select_related("device__model").order_by("handed_over_at")
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    return {
        "format": EXPORT_FORMAT,
        "generated_at": _when(timezone.now()),
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "profile": None
        if profile is None
        else {
            "role": profile.role,
            "establishment": {"uai": profile.establishment.uai, "name": profile.establishment.name}
            if profile.establishment_id
            else None,
            "zone": profile.zone.name if profile.zone_id else None,
            "phone": profile.phone,
            "student_number": profile.student_number,
            "class": profile.class_name,
            "guardian_email": profile.guardian_email,
            "notify_by_email": profile.notify_by_email,
            "notify_by_sms": profile.notify_by_sms,
            "daily_digest": profile.daily_digest,
            "language": profile.language,
        },
        "laptops": [
            {
                "serial_number": a.device.serial_number,
                "asset_tag": a.device.asset_tag,
                "model": str(a.device.model),
                "handed_over_at": _when(a.handed_over_at),
                "channel": a.channel,
                "carrier": a.carrier,
                "tracking_number": a.tracking_number,
                "delivered_at": _when(a.delivered_at),
                "returned_at": _when(a.returned_at),
            }
            for a in assignments
        ],
        # The desk's history about them, without what the desk typed (the note) or who served them.
        "handovers": [
            {
                "event": event.kind,
                "at": _when(event.at),
                "laptop": event.device.serial_number,
                "condition": event.condition,
            }
            for event in HandoverEvent.objects.filter(student=user).select_related("device").order_by("at", "pk")
        ],
        "tickets": [_ticket(ticket, user=user, internal=internal) for ticket in tickets_of(user=user)],
        "notifications": [
            {
                "created_at": _when(n.created_at),
                "channel": n.channel,
                "address": n.address,
                "event": n.event,
                "subject": n.subject,
                "text": n.body,
                "status": n.status,
                "sent_at": _when(n.sent_at),
            }
            for n in notifications
        ],
        "access_log": [{**row, "at": _when(row["at"])} for row in access_log_rows(student=user)],
        "about": _("Everything the laptop repair service holds about you, as of the date above."),
    }
