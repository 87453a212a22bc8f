"""Warnings at 80 % of a target and at breach, once per ticket, target and threshold.

Who: the assigned technician (or, for an unassigned ticket, the technicians of its zone) and the
managers. The SlaNotice row and the outbox rows (repairs.messages.announce_sla) are written in one
transaction per ticket, so a crash in between leaves neither, and a second run finds the notice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from devices.models import Role
from repairs.models import SlaNotice, SlaTarget, SlaThreshold, Ticket
from repairs.states import OPEN_STATES, State

# While its clock runs: first response until the ticket leaves `declared`, resolution while open
# and not paused. A target that stopped or paused before the task ran is not announced late.
RUNNING = {
    SlaTarget.FIRST_RESPONSE: Q(state=State.DECLARED),
    SlaTarget.RESOLUTION: Q(state__in=OPEN_STATES, sla_paused_since__isnull=True),
}


def _due(*, target: str, threshold: str, now: dt.datetime) -> Q:
    breached = f"{target}_breached"
    if threshold == SlaThreshold.BREACH:
        return Q(**{breached: True})
    return Q(**{breached: False, f"{target}_warn_at__lte": now})


def sla_notices_due(*, now: dt.datetime) -> list[tuple[Ticket, str, str]]:
    """(ticket, target, threshold) reached and not announced yet: four queries."""
    found = []
    for target in SlaTarget.values:
        for threshold in SlaThreshold.values:
            announced = SlaNotice.objects.filter(ticket=OuterRef("pk"), target=target, threshold=threshold)
            tickets = (
                Ticket.objects.filter(RUNNING[target], _due(target=target, threshold=threshold, now=now))
                .exclude(Exists(announced))
                .select_related("establishment", "assignee", "device")
                .order_by("pk")
            )
            found.extend((ticket, target, threshold) for ticket in tickets)
    return found


def _recipients(tickets: list[Ticket]) -> tuple[list, dict[int, list]]:
    """The managers, and the technicians per zone for unassigned tickets: two queries."""
    users = get_user_model().objects.filter(is_active=True).select_related("profile")
    managers = list(users.filter(profile__role=Role.MANAGER))
    zones = {t.establishment.zone_id for t in tickets if not t.assignee_id and t.establishment_id}
    by_zone: dict[int, list] = defaultdict(list)
    if zones:
        for user in users.filter(profile__role=Role.TECHNICIAN, profile__zone_id__in=zones):
            by_zone[user.profile.zone_id].append(user)
    return managers, by_zone


def sla_notices_send(*, now: dt.datetime | None = None) -> int:
    """Announce every threshold reached since the last run; returns how many were announced."""
    from repairs.messages import announce_sla  # the outbox side, written by the notifications work

    now = now or timezone.now()
    due = sla_notices_due(now=now)
    if not due:
        return 0
    managers, by_zone = _recipients([ticket for ticket, _target, _threshold in due])
    sent = 0
    for ticket, target, threshold in due:
        if ticket.assignee_id:
            technicians = [ticket.assignee]
        else:
            technicians = by_zone.get(ticket.establishment.zone_id, []) if ticket.establishment_id else []
        try:
            with transaction.atomic():
                SlaNotice.objects.create(ticket=ticket, target=target, threshold=threshold, at=now)
                announce_sla(ticket=ticket, target=target, threshold=threshold, recipients=[*technicians, *managers])
        except IntegrityError:
            continue  # another run announced it a moment ago
        sent += 1
    return sent
