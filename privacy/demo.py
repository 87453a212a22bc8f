"""A few reads of the demo student's file, so that "Who read my file" shows something on
`make run` (called by demo/seed.py; the product never calls it)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from devices.selectors import current_holdings
from privacy import selectors, services
from privacy.models import AccessLog


def demo_access_log_seed(*, now: dt.datetime | None = None) -> int:
    """demo-staff and demo-tech read demo-student's laptop and tickets, yesterday and the day
    before. Idempotent: nothing is added once the student's log has rows. Returns their number."""
    users = get_user_model().objects
    student = users.filter(username="demo-student").first()
    if student is None or AccessLog.objects.filter(student=student).exists():
        return 0
    now = now or timezone.now()
    held = current_holdings(student=student).select_related("device").first()
    tickets = list(selectors.tickets_of(user=student)[:2])
    for days, username in ((2, "demo-staff"), (1, "demo-tech")):
        reader = users.filter(username=username).first()
        if reader is None:
            continue
        when = now - dt.timedelta(days=days, hours=3)
        if held is not None:
            services.access_record_device(reader=reader, device=held.device, now=when)
        for ticket in tickets:
            services.access_record_ticket(reader=reader, ticket=ticket, now=when)
    return AccessLog.objects.filter(student=student).count()
