"""The campaign's writes: a hand-over at the desk or by carrier, its undo, a delivery, a return.

Each use case checks in the house's order — who may (404 for what the person may not see, 403
for what they see but may not do), then the state of the laptop and of the student (409), then
the conditions (400) — and only then writes, in one transaction, through `devices.services` for
the fleet's tables. A refusal raises a `Refusal` carrying the rule's name and a French message,
and nothing is written. The database's own constraints (one open assignment per device and per
student) are the last word under concurrency: their IntegrityError becomes the same 409.
"""

from distribution.services.common import (
    CHANNEL_CARRIER,
    CHANNEL_DESK,
    CHANNELS,
    CHARTER_VERSION,
    RETURN_CATEGORIES,
    UNDO_WINDOW,
    may_act_for_student,
    may_use_desk,
    student_profile,
)
from distribution.services.delivery import (
    delivery_confirm,
    delivery_pending_for,
)
from distribution.services.handover import (
    HandoverResult,
    handover_for,
    handover_image_outdated,
    handover_record,
    handover_undo,
    handover_undoable,
)
from distribution.services.returns import (
    ReturnResult,
    return_record,
)

__all__ = [
    "CHANNELS",
    "CHANNEL_CARRIER",
    "CHANNEL_DESK",
    "CHARTER_VERSION",
    "RETURN_CATEGORIES",
    "UNDO_WINDOW",
    "HandoverResult",
    "ReturnResult",
    "delivery_confirm",
    "delivery_pending_for",
    "handover_for",
    "handover_image_outdated",
    "handover_record",
    "handover_undo",
    "handover_undoable",
    "may_act_for_student",
    "may_use_desk",
    "return_record",
    "student_profile",
]
