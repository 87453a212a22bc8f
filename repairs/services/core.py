"""The shared core of the ticket use cases: check first, then act.

Every use case runs as Zulip's check/do pair inside one transaction:
1. `transition_check` (or `action_check` for the non-transition actions): permission (403), then
   version and state (409). Nothing is read beyond what the permission needs, nothing written.
2. The use case's own conditions (400): fields, warranty, spare, image, claims cap. They may set
   fields on the in-memory ticket; they write nothing.
3. The model's transition method (its own conditions, still in memory), then the effects: fleet
   writes through `devices.services`, then `transition_record` (save with the version check,
   timeline entry, outbox rows).
Any exception rolls the whole transaction back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from repairs import permissions
from repairs.exceptions import ActionForbidden, TicketChanged, TransitionNotPossible
from repairs.limits import texts_check
from repairs.messages import announce
from repairs.models import Ticket, TimelineEntry
from repairs.pricing import labour_cost_refresh
from repairs.sla import engine as sla
from repairs.states import FINAL_STATES, TRANSITIONS_BY_NAME, State, TransitionSpec

FIRST_RESPONSE_TRANSITIONS = frozenset({"start_diagnosis", "request_device"})


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged(_("This ticket was just changed by someone else. Reload it and try again."))


def require_open(ticket: Ticket) -> None:
    if ticket.is_final:
        raise TransitionNotPossible(
            _("Ticket %(reference)s is closed (“%(state)s”).")
            % {"reference": ticket.reference, "state": State(ticket.state).label}
        )


def action_check(
    *,
    ticket: Ticket,
    allowed: bool,
    refusal: str,
    expected_version: int | None,
    open_only: bool = True,
    **texts: str | None,
) -> None:
    """The check of an action that is not a transition: permission, then version, then state, then
    the free texts' lengths."""
    if not allowed:
        raise ActionForbidden(refusal)
    check_version(ticket, expected_version)
    if open_only:
        require_open(ticket)
    texts_check(**texts)


@dataclass
class Firing:
    """A transition that passed its checks: what `transition_record` needs to write it."""

    ticket: Ticket
    actor: object
    spec: TransitionSpec
    source: str
    payload: dict = field(default_factory=dict)


def transition_check(
    *, ticket: Ticket, actor, name: str, expected_version: int | None = None, **texts: str | None
) -> Firing:
    """`texts`: the free texts given with it, held to their limits once the person may act."""
    spec = TRANSITIONS_BY_NAME.get(name)
    if spec is None:
        raise TransitionNotPossible(_("Unknown action “%(name)s”.") % {"name": name})
    if not permissions.may_fire(user=actor, ticket=ticket, name=name):
        raise ActionForbidden(_("You may not do “%(action)s” on this ticket.") % {"action": spec.label})
    check_version(ticket, expected_version)  # a stale page: its state is stale too, say so first
    if ticket.state not in spec.sources:
        raise TransitionNotPossible(
            _("“%(action)s” is not possible: ticket %(reference)s is “%(state)s”.")
            % {"action": spec.label, "reference": ticket.reference, "state": State(ticket.state).label}
        )
    if not has_transition_perm(getattr(ticket, name), actor):  # django-fsm's view of the same rules
        raise ActionForbidden(_("You may not do “%(action)s” on this ticket.") % {"action": spec.label})
    texts_check(**texts)
    return Firing(ticket=ticket, actor=actor, spec=spec, source=ticket.state)


def transition_apply(firing: Firing, **arguments) -> None:
    """The model's transition method: its own conditions (ValidationError), then the new state, in
    memory only."""
    getattr(firing.ticket, firing.spec.name)(**arguments)


def transition_record(firing: Firing, *, note: str = "") -> TimelineEntry:
    """Save the ticket (TicketChanged if someone saved it since it was read), write its timeline
    entry and the outbox rows. Precondition: the caller's transaction is open."""
    ticket, name = firing.ticket, firing.spec.name
    now = timezone.now()
    if ticket.first_responded_at is None and name in FIRST_RESPONSE_TRANSITIONS:
        ticket.first_responded_at = now
    if ticket.state in FINAL_STATES:
        ticket.resolved_at = now
    else:
        labour_cost_refresh(ticket)  # the coverage may have changed with this transition
    sla.ticket_sla_update(ticket=ticket, now=now, pending=sla.Step(at=now, name=name, target=ticket.state))
    ticket.save()
    entry = TimelineEntry.objects.create(
        ticket=ticket,
        at=now,
        actor=firing.actor,
        kind=TimelineEntry.Kind.TRANSITION,
        name=name,
        source=firing.source,
        target=ticket.state,
        note=(note or "").strip(),
        payload={key: value for key, value in firing.payload.items() if value not in (None, "", [], {})},
    )
    announce(entry=entry)
    return entry


def record(*, ticket: Ticket, actor, kind: str, name: str = "", note: str = "", payload: dict | None = None):
    """Save the ticket (version check) and write the timeline entry of an action."""
    ticket.save()
    return TimelineEntry.objects.create(
        ticket=ticket, actor=actor, kind=kind, name=name, note=note, payload=payload or {}
    )
