"""Ticket use cases, one module each; the web views, the API and the admin call these and nothing
else to change a ticket. The errors they raise and how each interface answers them: see
`repairs.exceptions`.

- `declaration`: declaring a fault;
- `transitions`: the state machine's transitions, over the shared check/act core
  (`core`) and the coverage rules (`coverage`);
- `loaners`, `notes` (comments and attachments), `assignment` (assignee, priority, due date);
- `costs` (parts, labour, quotes), `status_link` (the link without an account), `manufacturer`
  (a swapped laptop back from the manufacturer).
"""

from repairs.exceptions import ActionForbidden, TicketChanged, TicketError, TransitionNotPossible, ValidationError
from repairs.services.assignment import ticket_assign, ticket_set_priority, ticket_set_resolution_due
from repairs.services.costs import (
    ticket_add_part,
    ticket_quote_decide,
    ticket_quote_issue,
    ticket_remove_part,
    ticket_set_labour,
)
from repairs.services.declaration import next_reference, open_ticket_for, propose_priority, ticket_declare
from repairs.services.loaners import ticket_collect_loaner, ticket_lend_loaner, ticket_set_loaner_due
from repairs.services.manufacturer import manufacturer_return_pending, ticket_manufacturer_return
from repairs.services.notes import COMMENT_MAX_LENGTH, ticket_attach, ticket_comment
from repairs.services.status_link import ticket_status_link_renew
from repairs.services.transitions import (
    TRANSITION_SERVICES,
    ticket_cancel,
    ticket_close_no_fault,
    ticket_deliver,
    ticket_finish_repair,
    ticket_hand_over,
    ticket_order_parts,
    ticket_receive_device,
    ticket_receive_from_manufacturer,
    ticket_request_device,
    ticket_return_unrepaired,
    ticket_send_to_manufacturer,
    ticket_ship,
    ticket_start_diagnosis,
    ticket_start_repair,
    ticket_swap,
    ticket_transition,
)

__all__ = [
    "COMMENT_MAX_LENGTH",
    "TRANSITION_SERVICES",
    "ActionForbidden",
    "TicketChanged",
    "TicketError",
    "TransitionNotPossible",
    "ValidationError",
    "manufacturer_return_pending",
    "next_reference",
    "open_ticket_for",
    "propose_priority",
    "ticket_add_part",
    "ticket_assign",
    "ticket_attach",
    "ticket_cancel",
    "ticket_close_no_fault",
    "ticket_collect_loaner",
    "ticket_comment",
    "ticket_declare",
    "ticket_deliver",
    "ticket_finish_repair",
    "ticket_hand_over",
    "ticket_lend_loaner",
    "ticket_manufacturer_return",
    "ticket_order_parts",
    "ticket_quote_decide",
    "ticket_quote_issue",
    "ticket_receive_device",
    "ticket_receive_from_manufacturer",
    "ticket_remove_part",
    "ticket_request_device",
    "ticket_return_unrepaired",
    "ticket_send_to_manufacturer",
    "ticket_set_labour",
    "ticket_set_loaner_due",
    "ticket_set_priority",
    "ticket_set_resolution_due",
    "ticket_ship",
    "ticket_start_diagnosis",
    "ticket_start_repair",
    "ticket_status_link_renew",
    "ticket_swap",
    "ticket_transition",
]
