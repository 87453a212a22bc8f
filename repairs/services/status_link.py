"""The status link without an account: a secret per ticket, replaced (and so revoked) by
staff or a technician when it went where it should not."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from repairs import permissions
from repairs.models import Ticket, TimelineEntry, new_status_token
from repairs.services.core import action_check, record


@transaction.atomic
def ticket_status_link_renew(*, ticket: Ticket, actor, expected_version: int | None = None) -> Ticket:
    """A new secret: the old link answers 404 from now on. Works on closed tickets too."""
    action_check(
        ticket=ticket,
        allowed=permissions.may_renew_status_link(user=actor, ticket=ticket),
        refusal=_("You may not renew the status link of this ticket."),
        expected_version=expected_version,
        open_only=False,
    )
    ticket.status_token = new_status_token()
    # The timeline says it happened, never the secret itself.
    record(ticket=ticket, actor=actor, kind=TimelineEntry.Kind.EDIT, name="status_link")
    return ticket
