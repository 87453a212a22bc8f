"""Reminders about loaners: one row per loaner and threshold announced, so that each
reminder goes out once however often the periodic task runs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from repairs.models.tickets import Ticket


class LoanerNotice(models.Model):
    class Threshold(models.TextChoices):
        DUE_SOON = "due_soon", _("Due back soon")
        OVERDUE = "overdue", _("Overdue")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="loaner_notices"
    )
    # Which loan: a ticket may lend a second loaner after the first came back.
    lent_at = models.DateTimeField(_("loaner lent at"))
    threshold = models.CharField(_("threshold"), max_length=8, choices=Threshold.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("loaner reminder")
        verbose_name_plural = _("loaner reminders")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "lent_at", "threshold"], name="loanernotice_once_per_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.threshold}"
