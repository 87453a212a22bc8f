"""What a ticket use case may refuse, and how each interface answers it (mapped in one place each:
`repairs.views.common.run_action` for the pages, `repairs.api.common.error_response` for the API):

- `ActionForbidden` → 403: this person may not do this to this ticket;
- `TransitionNotPossible`, `TicketChanged` → 409: not from this state, or changed meanwhile;
- `django.core.exceptions.ValidationError` → 400: a condition or a field fails, with the reason.

They are checked in that order (permission, then version and state, then conditions), so nobody
learns about a ticket's conditions by trying what they may not do. Any of them rolls the
service's transaction back: nothing is half-written.
"""

from django.core.exceptions import ValidationError
from django_fsm import ConcurrentTransition


class TicketError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActionForbidden(TicketError):
    """This person may not do this to this ticket."""


class TransitionNotPossible(TicketError):
    """Not possible from the ticket's current state."""


class TicketChanged(ConcurrentTransition):
    """The ticket was changed by someone else since it was read: nothing was written."""


__all__ = ["ActionForbidden", "TicketChanged", "TicketError", "TransitionNotPossible", "ValidationError"]
