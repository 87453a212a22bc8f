"""The repairs app's models: tickets and their history (`tickets`), SLA policies, closures and
notices (`sla`), rendered report files (`exports`)."""

from repairs.models.attachments import Attachment, attachment_path
from repairs.models.counts import StateCount
from repairs.models.exports import ReportExport
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
from repairs.models.tickets import (
    NO_DUE_DATE,
    OptimisticLockMixin,
    ReferenceCounter,
    Ticket,
    TimelineEntry,
    fsm_transition,
)

__all__ = [
    "NO_DUE_DATE",
    "PAUSABLE_STATES",
    "Attachment",
    "Closure",
    "OptimisticLockMixin",
    "ReferenceCounter",
    "ReportExport",
    "SlaNotice",
    "SlaPolicy",
    "SlaTarget",
    "SlaThreshold",
    "StateCount",
    "Ticket",
    "TimelineEntry",
    "attachment_path",
    "default_pause_states",
    "default_workday_end",
    "default_workday_start",
    "default_working_days",
    "fsm_transition",
    "working_days_validator",
]
