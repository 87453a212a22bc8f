"""What a repair costs: the price list of parts, the hourly labour rate of each coverage,
the parts used on a ticket, and the quotes a family accepts or refuses before a chargeable repair.

Prices are in euros, taxes included. A ticket line and a quote keep the prices of the day they were
written: a later change of the price list or of a rate never rewrites what a family was quoted.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from repairs.models.tickets import Ticket
from repairs.states import Coverage

ZERO = Decimal("0.00")


class Part(models.Model):
    """A line of the price list, kept by managers in the admin."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=200)
    unit_price = models.DecimalField(
        _("unit price (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    active = models.BooleanField(_("offered"), default=True, help_text=_("Withdrawn parts stay on past tickets."))

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("price list of parts")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.label}"


class LabourRate(models.Model):
    """The hourly labour rate charged under each coverage decision."""

    coverage = models.CharField(_("coverage"), max_length=16, choices=Coverage.choices, unique=True)
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        verbose_name = _("labour rate")
        verbose_name_plural = _("labour rates")
        ordering = ["coverage"]

    def __str__(self) -> str:
        return f"{self.get_coverage_display()}: {self.hourly_rate} €/h"


class TicketPart(models.Model):
    """A part used (or to be used) on a ticket, at the unit price of the day it was added."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="part_lines")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price (€)"), max_digits=8, decimal_places=2)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.SET_NULL, related_name="+", null=True
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["added_at", "pk"]
        constraints = [models.CheckConstraint(name="ticketpart_quantity_positive", condition=Q(quantity__gte=1))]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.part_id} × {self.quantity}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class Quote(models.Model):
    """A quote for a repair charged to the family: what the ticket's parts and labour came to when
    it was issued, frozen. The family accepts or refuses it through the status link, or staff record
    the family's answer; a new quote replaces a pending one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the family's decision")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Replaced by a new quote")

    class Via(models.TextChoices):
        STATUS_LINK = "status_link", _("by the family, through the status link")
        STAFF = "staff", _("recorded by staff")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="quotes")
    number = models.PositiveSmallIntegerField(_("number"))
    lines = models.JSONField(_("lines"), default=list)  # [{"reference", "label", "quantity", "unit_price", "total"}]
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), default=0)
    hourly_rate = models.DecimalField(_("hourly rate (€)"), max_digits=7, decimal_places=2)
    parts_total = models.DecimalField(_("parts (€)"), max_digits=10, decimal_places=2)
    labour_total = models.DecimalField(_("labour (€)"), max_digits=10, decimal_places=2)
    total = models.DecimalField(_("total (€)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, related_name="+", null=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_via = models.CharField(_("decided"), max_length=12, choices=Via.choices, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["ticket", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "number"], name="quote_unique_number"),
            # One quote awaits the family at a time, even when two technicians issue at once.
            models.UniqueConstraint(fields=["ticket"], condition=Q(status="pending"), name="quote_one_pending"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.ticket.reference}-D{self.number}"
