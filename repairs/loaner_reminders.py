"""Reminders about loaners: a few days before the due date, and once it has passed.

Each is sent once per loan and threshold: the LoanerNotice row and the outbox rows are written in one
transaction per ticket, so a crash in between leaves neither, and the next run finds the notice. A
due date moved later does not send a reminder already sent for that loan again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from repairs.messages import announce_loaner
from repairs.models import LoanerNotice, Ticket

DUE_SOON, OVERDUE = LoanerNotice.Threshold.DUE_SOON, LoanerNotice.Threshold.OVERDUE


def loaners_out() -> QuerySet[Ticket]:
    return Ticket.objects.filter(loaner__isnull=False, loaner_returned_at__isnull=True, loaner_due_on__isnull=False)


def overdue_filter(today: dt.date) -> Q:
    return Q(loaner__isnull=False, loaner_returned_at__isnull=True, loaner_due_on__lt=today)


def loaner_reminders_due(*, today: dt.date) -> list[tuple[Ticket, str]]:
    """(ticket, threshold) reached and not sent yet for the loan out now: two queries."""
    soon = today + dt.timedelta(days=settings.LOANER_REMINDER_DAYS_BEFORE)
    windows = {
        # An overdue loan only gets the overdue reminder: "due soon" would arrive after the date.
        DUE_SOON: Q(loaner_due_on__gte=today, loaner_due_on__lte=soon),
        OVERDUE: Q(loaner_due_on__lt=today),
    }
    found = []
    for threshold, window in windows.items():
        sent = LoanerNotice.objects.filter(
            ticket=OuterRef("pk"), lent_at=OuterRef("loaner_lent_at"), threshold=threshold
        )
        tickets = (
            loaners_out()
            .filter(window)
            .exclude(Exists(sent))
            .select_related("establishment", "loaner", "device")
            .order_by("loaner_due_on", "pk")
        )
        found.extend((ticket, threshold) for ticket in tickets)
    return found


def loaner_reminders_send(*, today: dt.date | None = None) -> int:
    """Send every reminder reached since the last run; returns how many loans were reminded."""
    today = today or timezone.localdate()
    sent = 0
    for ticket, threshold in loaner_reminders_due(today=today):
        try:
            with transaction.atomic():
                LoanerNotice.objects.create(ticket=ticket, lent_at=ticket.loaner_lent_at, threshold=threshold)
                announce_loaner(ticket=ticket, threshold=threshold)
        except IntegrityError:
            continue  # another run sent it a moment ago
        sent += 1
    return sent
