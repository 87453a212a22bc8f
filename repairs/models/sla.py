"""SLA policies and closures, and the record of warnings sent. The engine that reads
them lives in repairs/sla."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices.models import Establishment, FaultCategory
from repairs.models.tickets import Ticket
from repairs.states import FINAL_STATES, Priority, State


def default_pause_states() -> list[str]:
    return [State.AWAITING_DEVICE]


def default_workday_start() -> dt.time:
    return dt.time.fromisoformat(settings.SLA_WORKDAY_START)


def default_workday_end() -> dt.time:
    return dt.time.fromisoformat(settings.SLA_WORKDAY_END)


def default_working_days() -> str:
    return settings.SLA_WORKING_DAYS


working_days_validator = RegexValidator(
    r"^(?!.*(.).*\1)[1-7]{1,7}$", _("ISO weekday digits, each once: 1 is Monday, 7 is Sunday (e.g. 12345).")
)


class SlaPolicy(models.Model):
    """Targets in business hours for the tickets of a priority and/or category.

    The most specific policy applies: priority and category, then category, then priority, then the
    catch-all (both empty). Saving or deleting one recomputes the open tickets (repairs/sla/signals)."""

    name = models.CharField(_("name"), max_length=120)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, blank=True, help_text=_("Empty: any priority.")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=FaultCategory.choices, blank=True, help_text=_("Empty: any category.")
    )
    first_response_hours = models.DecimalField(
        _("first response target (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text=_("Until diagnosis starts or the device is requested."),
    )
    resolution_hours = models.DecimalField(
        _("resolution target (business hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text=_("Until the ticket is closed; paused time does not count."),
    )
    workday_start = models.TimeField(_("working day starts"), default=default_workday_start)
    workday_end = models.TimeField(_("working day ends"), default=default_workday_end)
    working_days = models.CharField(
        _("working days"), max_length=7, default=default_working_days, validators=[working_days_validator]
    )
    skip_school_holidays = models.BooleanField(
        _("school holidays do not count"),
        default=False,
        help_text=_("The académie's school holidays (zone C) are not business days."),
    )
    pause_states = models.JSONField(_("states that pause the clock"), default=default_pause_states, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "category"], name="slapolicy_one_per_priority_category"),
            models.CheckConstraint(
                name="slapolicy_day_ends_after_start", condition=Q(workday_end__gt=F("workday_start"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = set(PAUSABLE_STATES)
        if not isinstance(self.pause_states, list) or not set(self.pause_states) <= allowed:
            raise ValidationError({"pause_states": _("Choose states among the open states after declaration.")})


# A declared ticket is waiting for its first response and a final one is over: neither may pause.
PAUSABLE_STATES = tuple(s for s in State.values if s not in FINAL_STATES and s != State.DECLARED)


class Closure(models.Model):
    """Days an establishment is closed (exams, strike, works): not business days for its tickets.
    Without an establishment, a closure applies to every ticket (e.g. the depot's annual closure)."""

    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.CASCADE,
        related_name="closures",
        null=True,
        blank=True,
        help_text=_("Empty: every establishment and the depot."),
    )
    starts_on = models.DateField(_("first day closed"))
    ends_on = models.DateField(_("last day closed"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(name="closure_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
        ]
        indexes = [models.Index(fields=["establishment", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y} {self.reason}"


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class SlaThreshold(models.TextChoices):
    WARNING = "warning", _("80 % of the target")
    BREACH = "breach", _("Breach")


class SlaNotice(models.Model):
    """One row per ticket, target and threshold announced: the unique constraint is what makes a
    warning go out once, whatever a concurrent save of the ticket writes."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_notices")
    target = models.CharField(_("target"), max_length=16, choices=SlaTarget.choices)
    threshold = models.CharField(_("threshold"), max_length=8, choices=SlaThreshold.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "threshold"], name="slanotice_once_per_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.threshold}"
