"""Who may see and act on a ticket. Built on devices.permissions (roles and scopes), so that the
fleet and the tickets answer "who is this person, what is their scope" the same way.

Instance checks take a ticket whose `establishment` is loaded (select_related) and cost no query,
except a student's "do I hold this device?" which is one.
"""

from __future__ import annotations

from django.db.models import Q

from devices import permissions as fleet
from devices.models import Role
from devices.selectors import current_holdings
from repairs.states import REPORTER, TRANSITIONS_BY_NAME


def holds(*, user, device_id: int, holder_id=None) -> bool:
    """Does this student hold this device now? `holder_id`: the device's current holder as the
    caller read it moments ago in the same request (selectors.declarable_devices), to ask once."""
    if holder_id is not None:
        return holder_id == user.pk
    return current_holdings(student=user, devices=[device_id]).exists()


def ticket_filter(user) -> Q | None:
    """Q selecting the tickets `user` may see; None for everything."""
    role = fleet.role_of(user)
    if role == Role.STUDENT:
        return Q(pk__in=student_tickets(user))
    return place_filter(user)


def student_tickets(user):
    """The ids of a student's tickets: those they declared, UNION those of the laptops they hold.
    Two indexed lookups; written as an OR, the database reads neither index (a scan of every
    ticket for each page a student opens)."""
    from django.apps import apps  # the Ticket model imports this module

    tickets = apps.get_model("repairs", "Ticket").objects
    declared = tickets.filter(reporter=user).values("pk").order_by()
    held = tickets.filter(device_id__in=current_holdings(student=user).values("device_id")).values("pk").order_by()
    return declared.union(held)


def place_filter(user, *, by_id: bool = False) -> Q | None:
    """The scope of everyone but students, on the `establishment` path alone: the same Q selects
    their tickets and their rows of tickets per state (repairs.models.StateCount). None for
    everything; students have no such scope (ValueError). `by_id`: the establishments as a
    subquery of their ids, which a small table read through its index on `establishment` (the rows
    per state: a zone's hundred of the region's 4,000, where the join on the zone read them all)."""
    role = fleet.role_of(user)
    if role is None:
        return Q(pk__in=[])
    if role == Role.STUDENT:
        raise ValueError("a student's tickets are theirs, not a place's")
    scope = fleet.establishment_filter(user, prefix="establishment__")
    if scope is None:
        return None
    if by_id:
        scope = Q(establishment__in=fleet.visible_establishments(user=user).values("pk"))
    if role == Role.TECHNICIAN:
        # Tickets on depot devices (no establishment) belong to every technician's queue.
        return scope | Q(establishment__isnull=True)
    return scope


def in_scope(*, user, ticket) -> bool:
    """Staff of the ticket's establishment, a technician of its zone, or anyone reading everything."""
    role = fleet.role_of(user)
    if role in (Role.MANAGER, Role.SUPERVISOR):
        return True
    profile = fleet.profile_of(user)
    if role == Role.STAFF:
        return ticket.establishment_id is not None and ticket.establishment_id == profile.establishment_id
    if role == Role.TECHNICIAN:
        if profile.zone.is_depot or ticket.establishment_id is None:
            return True
        return ticket.establishment.zone_id == profile.zone_id
    return False


def can_view(*, user, ticket) -> bool:
    if fleet.role_of(user) == Role.STUDENT:
        # `device_holder_id`: the laptop's holder, read with the ticket (ticket_selectors.ticket_for_page).
        holder_id = getattr(ticket, "device_holder_id", None)
        return ticket.reporter_id == user.pk or holds(user=user, device_id=ticket.device_id, holder_id=holder_id)
    return in_scope(user=user, ticket=ticket)


def may_fire(*, user, ticket, name: str) -> bool:
    """May `user` fire transition `name` on `ticket` (whatever its current state)?"""
    spec = TRANSITIONS_BY_NAME[name]
    if not user.is_authenticated:
        return False
    if REPORTER in spec.actors and ticket.reporter_id == user.pk:
        return True
    role = fleet.role_of(user)
    return role in spec.actors and in_scope(user=user, ticket=ticket)


def is_operator(*, user, ticket) -> bool:
    """A technician in scope, or a manager: edits priority, coverage, loaners."""
    role = fleet.role_of(user)
    return role == Role.MANAGER or (role == Role.TECHNICIAN and in_scope(user=user, ticket=ticket))


def may_handle_loaners(*, user, ticket) -> bool:
    return is_operator(user=user, ticket=ticket) or (
        fleet.role_of(user) == Role.STAFF and in_scope(user=user, ticket=ticket)
    )


def may_record_costs(*, user, ticket) -> bool:
    """Parts, labour time and quotes: the technicians who repair (and managers)."""
    return is_operator(user=user, ticket=ticket)


def may_see_costs(*, user, ticket) -> bool:
    """Costs are internal, except to the student when the family is charged."""
    if fleet.role_of(user) == Role.STUDENT:
        return ticket.coverage == "family" and can_view(user=user, ticket=ticket)
    return in_scope(user=user, ticket=ticket)


def may_record_quote_decision(*, user, ticket) -> bool:
    """The family's answer to a quote, given at school or on the phone: staff and technicians of
    the ticket's scope, managers. (The family answers itself through the status link.)"""
    return may_handle_loaners(user=user, ticket=ticket)


def may_renew_status_link(*, user, ticket) -> bool:
    return may_handle_loaners(user=user, ticket=ticket)


def may_comment(*, user, ticket) -> bool:
    """Everyone who sees the ticket, except read-only supervisors."""
    return fleet.role_of(user) != Role.SUPERVISOR and can_view(user=user, ticket=ticket)


def may_assign(*, user, ticket, assignee) -> bool:
    """Managers assign anyone; a technician takes a ticket of their scope for themselves."""
    role = fleet.role_of(user)
    if role == Role.MANAGER:
        return True
    return role == Role.TECHNICIAN and assignee == user and in_scope(user=user, ticket=ticket)


def may_declare(*, user, device) -> bool:
    """The student who holds the device, staff of its establishment, a technician of its zone, a manager."""
    role = fleet.role_of(user)
    if role == Role.STUDENT:
        return holds(user=user, device_id=device.pk, holder_id=getattr(device, "current_holder_id", None))
    if role == Role.SUPERVISOR:
        return False
    return fleet.can_act_for_establishment(user=user, establishment=device.establishment)


def is_technician(user) -> bool:
    return fleet.role_of(user) == Role.TECHNICIAN and not user.is_superuser
