"""Celery tasks of the fleet intelligence: thin, idempotent, each calls one service.

- `failing_batches` (beat, weekly on Monday at 07:00): compare each delivery batch's failure rate
  by category with the fleet's and raise a notice to managers, once per (batch, category).
"""

from __future__ import annotations

from celery import shared_task

from insights.services import batch_notices_raise


@shared_task(acks_late=True)
def failing_batches() -> int:
    return len(batch_notices_raise())
