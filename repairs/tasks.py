"""Celery tasks of the repairs app: thin, idempotent, each calls services.

- `sla_warnings` (beat, every 5 minutes): recompute tickets whose priority changed, flip the
  80 % and breach flags, announce each threshold once;
- `sla_recompute_open`: after a policy or closure change;
- `report_pdf_render`: a large PDF report, for the "your report is ready" page;
- `report_monthly_email` (beat, 1st of the month): last month's PDF to managers and supervisors;
- `report_exports_purge` (beat, nightly): exported files older than a week;
- `loaner_reminders` (beat, hourly in the working day): loaners due back soon or overdue, once
  per loan and threshold.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from repairs.loaner_reminders import loaner_reminders_send
from repairs.models import Ticket
from repairs.reports import exports
from repairs.sla.engine import tickets_sla_recompute
from repairs.sla.warnings import sla_warnings_run
from repairs.states import OPEN_STATES


@shared_task(acks_late=True)
def sla_warnings() -> dict[str, int]:
    return sla_warnings_run()


@shared_task(acks_late=True)
def sla_recompute_open(establishment_id: int | None = None) -> int:
    tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    if establishment_id is not None:
        tickets = tickets.filter(Q(establishment_id=establishment_id))
    return tickets_sla_recompute(queryset=tickets)


@shared_task(acks_late=True)
def report_pdf_render(export_id: int) -> None:
    exports.report_export_render(export_id=export_id)


@shared_task(acks_late=True)
def report_monthly_email(today: str | None = None) -> int:
    return exports.report_monthly_send(today=dt.date.fromisoformat(today) if today else timezone.localdate())


@shared_task(acks_late=True)
def report_exports_purge() -> int:
    return exports.report_exports_purge(before=timezone.now() - dt.timedelta(days=7))


@shared_task(acks_late=True)
def loaner_reminders(today: str | None = None) -> int:
    return loaner_reminders_send(today=dt.date.fromisoformat(today) if today else None)
