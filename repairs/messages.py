"""Who is told what about a ticket, on which channel, rendered and handed to the outbox.

The outbox (notifications/) knows nothing of tickets: this module picks the recipients from the
ticket and the people's preferences (devices.Profile), renders the texts in each recipient's
language (templates/notifications/tickets/) and calls `outbox_add`, in the caller's transaction.

- Direct messages follow `MESSAGES`: the reporter and/or the student holding the device, by email
  and/or SMS as each chose; people without an address for a channel are skipped for it; nobody is
  told about what they did themselves, except the declaration (it carries the reference).
- School staff who chose the daily digest get every event of their establishment's tickets as a
  "digest" row instead of direct messages; the daily task bundles those rows into one email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from devices.models import FaultCategory, Profile, Role
from devices.permissions import profile_of
from devices.selectors import current_holdings
from notifications.models import Notification
from notifications.rendering import RenderedMessage, message_render
from notifications.services import outbox_add
from repairs.models import Ticket, TimelineEntry
from repairs.pricing import euros
from repairs.states import TRANSITIONS_BY_NAME, Priority, State

REPORTER, HOLDER, ASSIGNEE = "reporter", "holder", "assignee"
# An amount written in each recipient's language ("112,40 €" in French), when their message renders.
lazy_euros = lazy(euros, str)


@dataclass(frozen=True)
class Message:
    event: str  # Notification.event, e.g. "ticket.shipped"
    template: str  # templates/notifications/tickets/<template>.txt
    audience: tuple[str, ...]
    # Link to the status page without an account rather than to the ticket's page: the family acts there.
    public_link: bool = False


DECLARED = Message("ticket.declared", "declared", (REPORTER, HOLDER))
RETURNED = Message("ticket.returned", "returned", (HOLDER, REPORTER))
READY = Message("ticket.ready_for_return", "ready_for_return", (HOLDER,))
# Transitions that matter to a person; the others (diagnosis, parts, manufacturer…) only reach digests.
TRANSITION_MESSAGES = {
    "request_device": Message("ticket.device_requested", "device_requested", (HOLDER,)),
    "finish_repair": READY,
    "swap": READY,
    "return_unrepaired": READY,
    "ship": Message("ticket.shipped", "shipped", (HOLDER,)),
    "deliver": RETURNED,
    "hand_over": RETURNED,
    "cancel": Message("ticket.cancelled", "cancelled", (REPORTER,)),
    "close_no_fault": Message("ticket.closed_no_fault", "closed_no_fault", (REPORTER,)),
}
LOANER_MESSAGES = {"lend_loaner": Message("ticket.loaner_lent", "loaner_lent", (HOLDER,))}
# Changes that are not transitions but matter to someone: a quote for the family to answer, and the
# family's answer for the technician.
EDIT_MESSAGES = {
    "quote_issued": Message("ticket.quote_issued", "quote_issued", (REPORTER, HOLDER), public_link=True),
    "quote_accepted": Message("ticket.quote_accepted", "quote_decided", (ASSIGNEE,)),
    "quote_refused": Message("ticket.quote_refused", "quote_decided", (ASSIGNEE,)),
}
LOANER_REMINDERS = {
    "due_soon": Message("ticket.loaner_due_soon", "loaner_reminder", (HOLDER, REPORTER), public_link=True),
    "overdue": Message("ticket.loaner_overdue", "loaner_reminder", (HOLDER, REPORTER), public_link=True),
}
COMMENT = Message("ticket.comment", "comment", (REPORTER, HOLDER))
LOANER_LABELS = {"lend_loaner": _("Loaner lent"), "collect_loaner": _("Loaner collected")}
DIGEST_KINDS = frozenset(
    {TimelineEntry.Kind.DECLARED, TimelineEntry.Kind.TRANSITION, TimelineEntry.Kind.LOANER, TimelineEntry.Kind.COMMENT}
)
SLA_TARGETS = ("first_response", "resolution")
SLA_THRESHOLDS = ("warning", "breach")


def ticket_link(ticket: Ticket) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/tickets/{ticket.reference}/"


def status_link(ticket: Ticket) -> str:
    """The status page without an account: whoever holds this link follows the ticket."""
    return f"{settings.SITE_URL.rstrip('/')}/s/{ticket.status_token}/"


def _message_for(entry: TimelineEntry) -> Message | None:
    if entry.kind == TimelineEntry.Kind.DECLARED:
        return DECLARED
    if entry.kind == TimelineEntry.Kind.TRANSITION:
        return TRANSITION_MESSAGES.get(entry.name)
    if entry.kind == TimelineEntry.Kind.LOANER:
        return LOANER_MESSAGES.get(entry.name)
    if entry.kind == TimelineEntry.Kind.COMMENT:
        return COMMENT
    if entry.kind == TimelineEntry.Kind.EDIT:
        return EDIT_MESSAGES.get(entry.name)
    return None


def _language(user) -> str:
    profile = profile_of(user)
    return (profile and profile.language) or settings.LANGUAGE_CODE


def _name(user) -> str:
    return (user.first_name or user.get_username()) if user else ""


def _channels(user) -> list[tuple[str, str]]:
    """(channel, address) pairs this person chose and has an address for."""
    if not user.is_active:
        return []
    profile = profile_of(user)
    wanted_email = profile.notify_by_email if profile else True
    wanted_sms = bool(profile and profile.notify_by_sms)
    channels = []
    if wanted_email and user.email:
        channels.append((Notification.Channel.EMAIL, user.email))
    if wanted_sms and profile.phone:
        channels.append((Notification.Channel.SMS, profile.phone))
    return channels


def _takes_digest(user, ticket: Ticket) -> bool:
    profile = profile_of(user)
    return bool(
        user.is_active
        and user.email
        and profile
        and profile.daily_digest
        and profile.role == Role.STAFF
        and ticket.establishment_id
        and profile.establishment_id == ticket.establishment_id
    )


def _place(ticket: Ticket):
    return ticket.establishment.name if ticket.establishment_id else _("the after-sales desk (depot)")


def _context(entry: TimelineEntry, ticket: Ticket) -> dict:
    # Labels stay lazy: they are translated when rendered, in each recipient's language.
    payload = entry.payload or {}
    action = TRANSITIONS_BY_NAME[entry.name].label if entry.name in TRANSITIONS_BY_NAME else ""
    return {
        "kind": entry.kind,
        "reference": ticket.reference,
        "category": FaultCategory(ticket.category).label,
        "device": ticket.device.serial_number,
        "place": _place(ticket),
        "state": State(ticket.state).label,
        "action": action or LOANER_LABELS.get(entry.name, entry.name),
        # No names and no typed text (notes, comments, descriptions): a message says which ticket
        # and what to do next; the rest is on the ticket's page, behind a login.
        "carrier": ticket.carrier,
        "tracking_number": ticket.tracking_number,
        "replacement": payload.get("replacement", ""),
        "loaner": ticket.loaner.serial_number if ticket.loaner_out else "",
        "loaner_due": _date_text(ticket.loaner_due_on) if ticket.loaner_out else "",
        "unrepaired": ticket.returned_unrepaired,
        "status_link": status_link(ticket),
        "quote": payload.get("quote", ""),
        "total": lazy_euros(payload["total"]) if payload.get("total") else "",
        "accepted": entry.name == "quote_accepted",
    }


def _date_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _people(*, ticket: Ticket, audience: tuple[str, ...], holders: set[int] | None = None) -> tuple[set[int], list]:
    """The ids of the direct audience, and those people plus the establishment's digest staff,
    with their profiles: two queries, whatever the number of people (one when `holders`, the
    students holding the ticket's laptops, were read by the caller already)."""
    direct: set[int] = set()
    if REPORTER in audience:
        direct.add(ticket.reporter_id)
    if HOLDER in audience and holders is not None:
        direct.update(holders)
    elif HOLDER in audience:
        devices = [pk for pk in (ticket.device_id, ticket.replacement_id) if pk]
        direct.update(current_holdings(devices=devices).values_list("student_id", flat=True))
    if ASSIGNEE in audience and ticket.assignee_id:
        direct.add(ticket.assignee_id)
    wanted = Q(pk__in=direct)
    if ticket.establishment_id:
        # The digest staff by a subquery on the profiles' index: an OR across the join made the
        # database read every user (58,000 in a region, 20 to 40 ms of each declaration).
        digest = Profile.objects.filter(
            role=Role.STAFF, establishment_id=ticket.establishment_id, daily_digest=True
        ).values("user_id")
        wanted |= Q(pk__in=digest)
    people = list(get_user_model().objects.filter(wanted).select_related("profile").order_by("pk"))
    return direct, people


def _send(*, user, rendered: RenderedMessage, event: str, key: str, link: str, language: str) -> None:
    for channel, address in _channels(user):
        outbox_add(
            recipient=user,
            channel=channel,
            event=event,
            subject=rendered.subject,
            body=rendered.body if channel == Notification.Channel.EMAIL else rendered.sms,
            html_body=rendered.html_body if channel == Notification.Channel.EMAIL else "",
            idempotency_key=f"{key}:{user.pk}:{channel}",
            link=link,
            address=address,
            language=language,
        )


def announce(*, entry: TimelineEntry, holders: set[int] | None = None) -> None:
    """Write the notifications of one timeline entry. Precondition: inside the transaction that
    wrote the entry, so that the messages exist if and only if the change was committed.
    `holders`: the ids of the students holding the ticket's laptops now, if the caller has them."""
    message = _message_for(entry)
    if entry.kind not in DIGEST_KINDS and message is None:
        return
    ticket = entry.ticket
    direct, people = _people(ticket=ticket, audience=message.audience if message else (), holders=holders)
    if not people:
        return
    context, link = _context(entry, ticket), ticket_link(ticket)
    direct_link = status_link(ticket) if message and message.public_link else link
    for user in people:
        language = _language(user)
        if _takes_digest(user, ticket):
            rendered = message_render(
                template_name="notifications/tickets/digest_item.txt", context=context, language=language
            )
            outbox_add(
                recipient=user,
                channel=Notification.Channel.DIGEST,
                event=message.event if message else f"ticket.{entry.name or entry.kind}",
                subject=rendered.subject,
                body="",
                idempotency_key=f"{entry.pk}:{user.pk}:digest",
                link=link,
                language=language,
            )
            continue
        # Nobody is told what they just did, except the declaration: it carries the reference.
        if user.pk not in direct or (user.pk == entry.actor_id and message is not DECLARED):
            continue
        rendered = message_render(
            template_name=f"notifications/tickets/{message.template}.txt",
            context=context,
            language=language,
            link=direct_link,
        )
        _send(user=user, rendered=rendered, event=message.event, key=str(entry.pk), link=direct_link, language=language)


def _due_text(due_at: dt.datetime | None) -> str:
    return timezone.localtime(due_at).strftime("%d/%m/%Y %H:%M") if due_at else "—"


@transaction.atomic
def announce_sla(*, ticket: Ticket, target: str, threshold: str, recipients: Iterable) -> None:
    """Warn `recipients` (the assigned technician and the managers) that `ticket` reached 80 % of
    its `target` ("first_response" or "resolution") or breached it (`threshold` "warning" or
    "breach"). Each person is told once per (ticket, target, threshold), however often it is called."""
    if target not in SLA_TARGETS or threshold not in SLA_THRESHOLDS:
        raise ValueError(f"Unknown SLA target or threshold: {target!r}, {threshold!r}.")
    ids = {user.pk for user in recipients if user is not None}
    if not ids:
        return
    people = get_user_model().objects.filter(pk__in=ids).select_related("profile").order_by("pk")
    link = ticket_link(ticket)
    context = {
        "target": target,
        "threshold": threshold,
        "reference": ticket.reference,
        "category": FaultCategory(ticket.category).label,
        "place": _place(ticket),
        "priority": Priority(ticket.priority).label,
        "due": _due_text(ticket.first_response_due_at if target == "first_response" else ticket.resolution_due_at),
        "assignee": _name(ticket.assignee) if ticket.assignee_id else "",
    }
    event = f"sla.{target}.{threshold}"
    for user in people:
        language = _language(user)
        rendered = message_render(
            template_name="notifications/tickets/sla.txt",
            context=context,
            language=language,
            link=link,
        )
        key = f"sla:{ticket.pk}:{target}:{threshold}"
        _send(user=user, rendered=rendered, event=event, key=key, link=link, language=language)


@transaction.atomic
def announce_loaner(*, ticket: Ticket, threshold: str) -> int:
    """Remind the student (and the reporter) that the loaner is due back soon ("due_soon") or is
    overdue ("overdue"). Idempotent per loan and threshold through the outbox's keys; the caller
    (repairs.loaner_reminders) records the reminder itself once. Returns how many people were told."""
    message = LOANER_REMINDERS[threshold]
    direct, people = _people(ticket=ticket, audience=message.audience)
    link = status_link(ticket)
    context = {
        "threshold": threshold,
        "reference": ticket.reference,
        "loaner": ticket.loaner.serial_number if ticket.loaner_id else "",
        "loaner_due": _date_text(ticket.loaner_due_on),
        "place": _place(ticket),
    }
    told = 0
    for user in people:
        if user.pk not in direct:
            continue  # the digest staff read the overdue list on their establishment's page
        language = _language(user)
        rendered = message_render(
            template_name=f"notifications/tickets/{message.template}.txt",
            context=context,
            language=language,
            link=link,
        )
        key = f"loaner:{ticket.pk}:{ticket.loaner_lent_at:%Y%m%d%H%M%S%f}:{threshold}"
        _send(user=user, rendered=rendered, event=message.event, key=key, link=link, language=language)
        told += 1
    return told
