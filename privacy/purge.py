"""The nightly purge of personal data that the service no longer needs (`manage.py privacy_purge`,
Celery task `privacy.tasks.privacy_purge`).

What goes, each after its own period (settings PRIVACY_*_DAYS):
- closed tickets: the description, the notes and comments, the police report, the return
  shipment, the reasons typed by the desk, and the attachments (rows and files);
- former students (every laptop given back, none in hand, nothing open they declared): their
  name, login, e-mail, phone, class, student number, guardian's e-mail, delivery details, their
  notifications and their closed tickets' free text, as above;
- delivery details (carrier, tracking number) of delivered home shipments;
- notifications (addresses and texts) once delivered, failed or bundled;
- the access log, and django-axes' records of failed logins.

What stays: every row that a report counts, with its dates, states, categories, costs and
establishment, so that a report gives the same figures before and after. Each kind is selected
by what is still to blank, so a second run finds nothing (idempotent); each batch is one
transaction, so an interrupted run leaves whole tickets and whole people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from devices.models import Assignment, Role
from devices.services import assignments_forget_delivery, profiles_forget
from distribution.models import HandoverEvent
from notifications.models import Notification
from privacy.models import AccessLog
from repairs.models import Attachment, Ticket, TimelineEntry
from repairs.states import FINAL_STATES

BATCH = 500
ANONYMOUS_PREFIX = "anonymised-"
# Timeline details that people typed or that point at a person; the rest (states, parts, images,
# costs, RMA numbers) stays for the history and the reports.
PERSONAL_PAYLOAD_KEYS = frozenset({"police_report", "carrier", "tracking_number", "reason", "text"})


def _days(name: str) -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, name))


# Selections: what is still to purge at `now`.


def closed_tickets_due(*, now: dt.datetime) -> QuerySet[Ticket]:
    cutoff = now - _days("PRIVACY_CLOSED_TICKET_DAYS")
    return Ticket.objects.filter(state__in=sorted(FINAL_STATES), resolved_at__lt=cutoff).filter(_not_anonymised())


def _not_anonymised() -> Q:
    # An anonymised ticket has an empty description (a declaration never has one).
    return ~Q(description="")


def former_students_due(*, now: dt.datetime) -> QuerySet:
    cutoff = now - _days("PRIVACY_FORMER_STUDENT_DAYS")
    open_assignment = Assignment.objects.filter(student=OuterRef("pk"), returned_at__isnull=True)
    open_ticket = Ticket.objects.filter(reporter=OuterRef("pk")).exclude(state__in=sorted(FINAL_STATES))
    return (
        get_user_model()
        .objects.filter(profile__role=Role.STUDENT)
        .exclude(username__startswith=ANONYMOUS_PREFIX)
        .annotate(last_returned=Max("assignments__returned_at"))
        .filter(last_returned__lt=cutoff)
        .filter(~Exists(open_assignment), ~Exists(open_ticket))
    )


def shipments_due(*, now: dt.datetime) -> QuerySet[Assignment]:
    cutoff = now - _days("PRIVACY_SHIPMENT_DAYS")
    return Assignment.objects.filter(delivered_at__lt=cutoff).exclude(carrier="", tracking_number="")


def return_shipments_due(*, now: dt.datetime) -> QuerySet[Ticket]:
    cutoff = now - _days("PRIVACY_SHIPMENT_DAYS")
    return Ticket.objects.filter(state__in=sorted(FINAL_STATES), resolved_at__lt=cutoff).exclude(
        carrier="", tracking_number=""
    )


def notifications_due(*, now: dt.datetime) -> QuerySet[Notification]:
    cutoff = now - _days("PRIVACY_NOTIFICATION_DAYS")
    done = [Notification.Status.SENT, Notification.Status.FAILED, Notification.Status.BUNDLED]
    return Notification.objects.filter(created_at__lt=cutoff, status__in=done)


def access_log_due(*, now: dt.datetime) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(hour__lt=now - _days("PRIVACY_ACCESS_LOG_DAYS"))


def login_failures_due(*, now: dt.datetime, model=AccessAttempt) -> QuerySet:
    """django-axes' records of failed logins (username, address, browser): a lockout reads the last
    minutes only; they are kept as long as the access log, for an investigation."""
    return model.objects.filter(attempt_time__lt=now - _days("PRIVACY_ACCESS_LOG_DAYS"))


# Actions on one batch of ids, each inside the batch's transaction.


def tickets_anonymise(*, ids: list[int]) -> None:
    """Blank the free text and personal details of these (closed) tickets and delete their files
    (after commit: a rolled-back batch keeps its files)."""
    for attachment in Attachment.objects.filter(ticket_id__in=ids).only("pk", "file"):
        if attachment.file:
            transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    Attachment.objects.filter(ticket_id__in=ids).delete()
    entries = list(TimelineEntry.objects.filter(ticket_id__in=ids).exclude(note="", payload={}).only("pk", "payload"))
    for entry in entries:
        entry.note = ""
        entry.payload = _scrub(entry.payload)
    TimelineEntry.objects.bulk_update(entries, ["note", "payload"], batch_size=BATCH)
    # Two updates: the description changes twice, so the database rewrites each ticket's search
    # words (a trigger on that column) from the names as they are now, even for a ticket whose
    # description was blanked before its student was forgotten.
    Ticket.objects.filter(pk__in=ids).update(description=" ")
    Ticket.objects.filter(pk__in=ids).update(
        description="",
        coverage_reason="",
        police_report="",
        resolution_due_reason="",
        carrier="",
        tracking_number="",
        version=F("version") + 1,
    )


def _scrub(payload):
    if isinstance(payload, dict):
        return {key: _scrub(value) for key, value in payload.items() if key not in PERSONAL_PAYLOAD_KEYS}
    if isinstance(payload, list):
        return [_scrub(value) for value in payload]
    return payload


def students_forget(*, ids: list[int]) -> None:
    """Forget these former students: account, contacts, deliveries, messages, closed tickets' text."""
    users = get_user_model().objects.filter(pk__in=ids)
    for pk in ids:
        users.filter(pk=pk).update(
            username=f"{ANONYMOUS_PREFIX}{pk}",
            first_name="",
            last_name="",
            email="",
            is_active=False,
            password=make_password(None),
        )
    profiles_forget(user_ids=ids)
    assignments_forget_delivery(
        assignment_ids=Assignment.objects.filter(student_id__in=ids).values_list("pk", flat=True)
    )
    Notification.objects.filter(recipient_id__in=ids).delete()
    Token.objects.filter(user_id__in=ids).delete()
    # What the desk typed about their returns (the condition itself stays: it is a figure).
    HandoverEvent.objects.filter(student_id__in=ids).exclude(note="").update(note="")
    held_then = Assignment.objects.filter(
        student_id__in=ids, device_id=OuterRef("device_id"), handed_over_at__lte=OuterRef("declared_at")
    ).filter(Q(returned_at__isnull=True) | Q(returned_at__gt=OuterRef("declared_at")))
    theirs = Ticket.objects.filter(state__in=sorted(FINAL_STATES)).filter(Q(reporter_id__in=ids) | Exists(held_then))
    tickets_anonymise(ids=list(theirs.values_list("pk", flat=True)))


def _return_shipments_forget(*, ids: list[int]) -> None:
    Ticket.objects.filter(pk__in=ids).update(carrier="", tracking_number="", version=F("version") + 1)


def _delete(model) -> Callable[..., None]:
    def delete(*, ids: list[int]) -> None:
        model.objects.filter(pk__in=ids).delete()

    return delete


def _batches(queryset: QuerySet, action: Callable[..., None]) -> int:
    """Run `action` on the selection, BATCH ids at a time, each batch in its own transaction.
    The selection shrinks as it is purged, so it is read again from the start each time."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                return done
            action(ids=ids)
        done += len(ids)


def privacy_purge(*, dry_run: bool = False, now: dt.datetime | None = None) -> dict[str, int]:
    """Purge what is past its retention period; counts per kind. `dry_run`: count only."""
    now = now or timezone.now()
    plan = [
        ("former_students", former_students_due(now=now), students_forget),
        ("tickets", closed_tickets_due(now=now), tickets_anonymise),
        ("shipments", shipments_due(now=now), lambda *, ids: assignments_forget_delivery(assignment_ids=ids)),
        ("return_shipments", return_shipments_due(now=now), _return_shipments_forget),
        ("notifications", notifications_due(now=now), _delete(Notification)),
        ("access_log", access_log_due(now=now), _delete(AccessLog)),
        ("login_failures", login_failures_due(now=now), _delete(AccessAttempt)),
        ("login_failure_log", login_failures_due(now=now, model=AccessFailureLog), _delete(AccessFailureLog)),
    ]
    if dry_run:
        return {kind: queryset.count() for kind, queryset, _ in plan}
    return {kind: _batches(queryset, action) for kind, queryset, action in plan}
