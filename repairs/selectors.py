"""Reads of tickets. `visible_tickets` is the one place where "who may see which ticket" is applied."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from repairs import permissions
from repairs.models import Ticket
from repairs.states import FINAL_STATES, TRANSITIONS, TransitionSpec


def visible_tickets(*, user) -> QuerySet[Ticket]:
    scope = permissions.ticket_filter(user)
    qs = Ticket.objects.all()
    return qs if scope is None else qs.filter(scope)


def ticket_list(*, user) -> QuerySet[Ticket]:
    """The queue: what the lists need in one query, open tickets with the nearest due date first."""
    return (
        visible_tickets(user=user)
        .select_related("device__model", "establishment", "assignee", "reporter")
        .order_by("resolution_due_at", "-declared_at", "pk")
    )


def ticket_detail(*, user, reference: str) -> Ticket | None:
    return (
        visible_tickets(user=user)
        .select_related(
            "device__model",
            "device__image",
            "establishment__zone",
            "assignee",
            "reporter",
            "replacement",
            "loaner",
            "warranty",
        )
        .filter(reference=reference)
        .first()
    )


def available_transitions(*, ticket: Ticket, user) -> list[TransitionSpec]:
    """The transitions this person may fire on this ticket now (conditions on fields aside)."""
    return [
        spec
        for spec in TRANSITIONS
        if ticket.state in spec.sources and permissions.may_fire(user=user, ticket=ticket, name=spec.name)
    ]


def sla_filter(status: str) -> Q:
    breached = Q(first_response_breached=True) | Q(resolution_breached=True)
    if status == "breached":
        return breached
    if status == "at_risk":
        return Q(sla_at_risk=True) & ~breached & ~Q(state__in=FINAL_STATES)
    return ~breached & Q(sla_at_risk=False)
