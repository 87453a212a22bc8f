"""The repairs app's models: tickets and their history (`tickets`), their files (`attachments`),
costs and quotes (`costs`), loaner reminders (`loaners`), SLA policies, closures and notices
(`sla`), rendered report files (`exports`)."""

from repairs.models.attachments import Attachment, attachment_path
from repairs.models.costs import LabourRate, Part, Quote, TicketPart
from repairs.models.counts import StateCount
from repairs.models.exports import ReportExport
from repairs.models.loaners import LoanerNotice
from repairs.models.sla import (
    PAUSABLE_STATES,
    Closure,
    SlaNotice,
    SlaPolicy,
    SlaTarget,
    SlaThreshold,
    default_pause_states,
    default_workday_end,
    default_workday_start,
    default_working_days,
    working_days_validator,
)
from repairs.models.tickets import NO_DUE_DATE, QUOTE_REFUSALS, Ticket, fsm_transition, new_status_token
from repairs.models.timeline import TimelineEntry
from repairs.models.versioning import OptimisticLockMixin, ReferenceCounter

__all__ = [
    "NO_DUE_DATE",
    "PAUSABLE_STATES",
    "QUOTE_REFUSALS",
    "Attachment",
    "Closure",
    "LabourRate",
    "LoanerNotice",
    "OptimisticLockMixin",
    "Part",
    "Quote",
    "ReferenceCounter",
    "ReportExport",
    "SlaNotice",
    "SlaPolicy",
    "SlaTarget",
    "SlaThreshold",
    "StateCount",
    "Ticket",
    "TicketPart",
    "TimelineEntry",
    "attachment_path",
    "default_pause_states",
    "default_workday_end",
    "default_workday_start",
    "default_working_days",
    "fsm_transition",
    "new_status_token",
    "working_days_validator",
]
