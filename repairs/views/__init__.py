"""Web pages. Thin: selectors read, services write; a refused action becomes a French message
(`common.run_action`)."""

from repairs.views.declaring import declare, declared, home
from repairs.views.fleet import (
    device_by_tag,
    device_detail,
    establishment_detail,
    establishment_labels,
    preferences,
)
from repairs.views.queue import bulk_assign, ticket_list
from repairs.views.ticket import (
    attachment_download,
    ticket_attach,
    ticket_collect_loaner,
    ticket_comment,
    ticket_detail,
    ticket_due_date,
    ticket_lend_loaner,
    ticket_priority,
    ticket_take,
    ticket_transition,
)

__all__ = [
    "attachment_download",
    "bulk_assign",
    "declare",
    "declared",
    "device_by_tag",
    "device_detail",
    "establishment_detail",
    "establishment_labels",
    "home",
    "preferences",
    "ticket_attach",
    "ticket_collect_loaner",
    "ticket_comment",
    "ticket_detail",
    "ticket_due_date",
    "ticket_lend_loaner",
    "ticket_list",
    "ticket_priority",
    "ticket_take",
    "ticket_transition",
]
