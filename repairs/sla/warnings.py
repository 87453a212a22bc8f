"""The periodic SLA pass (beat every 5 minutes, `manage.py sla_warnings`, or the embedded
scheduler of `make run`): recompute tickets whose priority changed, flip the 80 % and breach
flags, announce each threshold once. Safe to run twice: the notices are written once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from repairs.models import Ticket
from repairs.sla.engine import sla_flags_refresh, sla_key_expression, tickets_sla_recompute
from repairs.sla.notices import sla_notices_send
from repairs.states import OPEN_STATES


def sla_warnings_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    # A priority changed without a transition (ticket_set_priority): its policy may differ now.
    stale = Ticket.objects.filter(state__in=OPEN_STATES).exclude(sla_key=sla_key_expression())
    recomputed = tickets_sla_recompute(queryset=stale, now=now)
    flagged = sla_flags_refresh(now=now)
    return {"recomputed": recomputed, "flagged": flagged, "announced": sla_notices_send(now=now)}
