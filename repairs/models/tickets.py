"""Tickets. The FSM methods change the instance only: no save, no query, no I/O.

The services (repairs/services/) orchestrate: permission, transition, save, timeline, effects on
the fleet, notifications, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from devices.models import Device, Establishment, FaultCategory, WarrantyCoverage
from repairs import permissions
from repairs.models.facts import ReportFactsMixin
from repairs.models.versioning import OptimisticLockMixin
from repairs.states import (
    FINAL_STATES,
    TRANSITIONS_BY_NAME,
    Coverage,
    Priority,
    QuoteState,
    ReturnChannel,
    State,
)

REPORT_COLUMNS = [
    "establishment", "declared_at", "resolved_at", "state", "first_responded_at", "first_response_due_at",
    "first_response_breached", "resolution_due_at", "resolution_breached", "replacement", "rma_number",
    "repeat_30_days", "repeat_90_days", "first_response_seconds", "resolution_seconds", "manufacturer_seconds",
    "assignee", "category", "coverage", "returned_unrepaired", "parts_cost", "labour_cost",
]  # fmt: skip

# Where the queue's order puts a ticket without a due date: first, as SQLite always did.
NO_DUE_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def fsm_transition(name: str):
    """The django-fsm decorator for a transition of the table in repairs/states.py."""
    spec = TRANSITIONS_BY_NAME[name]

    def permission(instance: Ticket, user) -> bool:
        return permissions.may_fire(user=user, ticket=instance, name=name)

    return transition(field="state", source=list(spec.sources), target=spec.target, permission=permission)


def new_status_token() -> str:
    """The secret of a ticket's status link: 43 URL-safe characters (256 random bits)."""
    return secrets.token_urlsafe(32)


class Ticket(FSMModelMixin, OptimisticLockMixin, ReportFactsMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="tickets")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    # Snapshot at declaration: a device moving school later does not move its past tickets.
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
    )
    category = models.CharField(_("category"), max_length=20, choices=FaultCategory.choices)
    description = models.TextField(_("description"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned technician"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.DECLARED, protected=True)

    coverage = models.CharField(_("coverage"), max_length=16, choices=Coverage.choices, blank=True)
    coverage_reason = models.TextField(_("coverage reason"), blank=True)
    coverage_overridden = models.BooleanField(_("coverage overridden"), default=False)
    warranty = models.ForeignKey(
        WarrantyCoverage,
        verbose_name=_("warranty used"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    claim_counted = models.BooleanField(default=False, editable=False)

    parts = models.JSONField(_("parts ordered"), default=list, blank=True)
    rma_number = models.CharField(_("RMA number"), max_length=64, blank=True)
    police_report = models.CharField(_("police report reference"), max_length=64, blank=True)
    replacement = models.ForeignKey(
        Device,
        verbose_name=_("replacement device"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    loaner = models.ForeignKey(
        Device, verbose_name=_("loaner"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    loaner_lent_at = models.DateTimeField(_("loaner lent at"), null=True, blank=True)
    loaner_returned_at = models.DateTimeField(_("loaner returned at"), null=True, blank=True)
    loaner_due_on = models.DateField(_("loaner due back on"), null=True, blank=True)
    return_channel = models.CharField(
        _("return channel"), max_length=8, choices=ReturnChannel.choices, default=ReturnChannel.ON_SITE
    )
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    # The status link without an account: whoever holds /s/<token>/ reads the ticket's
    # state. Kept as is (not hashed) because the printed receipt can be printed again; a new token
    # revokes the old one.
    status_token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)

    # Costs, stored when parts, labour or the coverage change, so that reports add
    # columns; a closed ticket's cost never moves when the price list or a rate changes.
    labour_minutes = models.PositiveIntegerField(_("labour time (minutes)"), default=0)
    parts_cost = models.DecimalField(_("parts cost (€)"), max_digits=10, decimal_places=2, default=0)
    labour_cost = models.DecimalField(_("labour cost (€)"), max_digits=10, decimal_places=2, default=0)
    quote_state = models.CharField(
        _("quote"), max_length=8, choices=QuoteState.choices, default=QuoteState.NONE, blank=True
    )
    returned_unrepaired = models.BooleanField(_("returned unrepaired"), default=False)

    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_breached = models.BooleanField(_("first response late"), default=False)
    resolution_breached = models.BooleanField(_("resolution late"), default=False)
    # Set at 80 % of a target by the SLA engine; with the breach flags, it answers the queue's
    # "at risk / breached" filter from an index instead of a computation per row.
    sla_at_risk = models.BooleanField(_("at risk"), default=False)
    # The SLA engine's output (repairs/sla): a pure function of the timeline, the policy and the
    # calendar, rewritten whole at every recomputation, never patched.
    sla_policy = models.ForeignKey(
        "SlaPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        related_name="tickets",
        null=True,
        blank=True,
    )
    # "priority/category" the policy was chosen for: a ticket whose priority changed since is
    # found by one query and recomputed by the periodic task.
    sla_key = models.CharField(max_length=40, blank=True, editable=False)
    sla_paused_since = models.DateTimeField(_("SLA clock paused since"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(_("first response at 80 %"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(_("resolution at 80 %"), null=True, blank=True)
    resolution_due_manual = models.DateTimeField(_("resolution due (set by hand)"), null=True, blank=True)
    resolution_due_reason = models.TextField(_("reason for the resolution due date"), blank=True)
    resolution_due_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolution due date set by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    resolution_due_set_at = models.DateTimeField(_("resolution due date set at"), null=True, blank=True)
    # Durations stored when reached, so that reports aggregate columns instead of timelines.
    first_response_seconds = models.PositiveIntegerField(_("first response time (business seconds)"), null=True)
    resolution_seconds = models.PositiveIntegerField(_("resolution time (business seconds)"), null=True)
    manufacturer_seconds = models.PositiveIntegerField(_("time at the manufacturer (seconds)"), null=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Computed by the database from the columns above, so that each of the queue's lists is an
    # index walk in its order (is_open first for the open tickets, sla_state for the deadline
    # filter) rather than a sort of every matching ticket; nothing in the app writes them.
    is_open = models.GeneratedField(
        expression=Case(When(state__in=sorted(FINAL_STATES), then=Value(False)), default=Value(True)),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # The due date without NULLs: one order, identical on both databases (no due date first),
    # that a keyset can continue from.
    due_key = models.GeneratedField(
        expression=Coalesce("resolution_due_at", Value(NO_DUE_DATE)),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    sla_state = models.GeneratedField(
        expression=Case(
            When(Q(first_response_breached=True) | Q(resolution_breached=True), then=Value("breached")),
            When(Q(sla_at_risk=True) & ~Q(state__in=sorted(FINAL_STATES)), then=Value("at_risk")),
            When(sla_at_risk=False, then=Value("ok")),
            default=Value(""),  # at risk when it closed: neither "at risk" nor "on time" (the filter's rule)
        ),
        output_field=models.CharField(max_length=8),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-declared_at"]
        constraints = [
            # One open ticket per device and fault category, even under races.
            models.UniqueConstraint(
                fields=["device", "category"],
                condition=~Q(state__in=sorted(FINAL_STATES)),
                name="ticket_one_open_per_device_category",
            ),
        ]
        indexes = [
            # The queue's lists in their orders (due date, then newest or oldest first): the open
            # tickets, everything, and within a state, an assignee, an establishment or a
            # deadline status. Each is a walk of one index from a key, whatever the page.
            # Partial indexes rather than a leading is_open column: SQLite has no statistics and
            # takes any equality for a selective one, so "is_open = 1" would win over a student's
            # two tickets or a search's handful; a partial index is only walked for its order.
            models.Index(fields=["due_key", "id"], condition=Q(is_open=True), name="ticket_open_due"),
            models.Index(fields=["declared_at", "id"], condition=Q(is_open=True), name="ticket_open_declared"),
            # Counts per state of a filtered list of open tickets, read from this index alone.
            models.Index(
                fields=["state", "sla_state", "assignee", "establishment", "category", "priority"],
                condition=Q(is_open=True),
                name="ticket_open_counts",
            ),
            models.Index(fields=["due_key", "id"], name="ticket_due"),
            models.Index(fields=["declared_at", "id"], name="ticket_declared"),
            models.Index(fields=["state", "due_key", "id"], name="ticket_state_due"),
            models.Index(fields=["state", "declared_at", "id"], name="ticket_state_declared"),
            # (is_open, state) at the end: the counts per state of the list read this index alone.
            models.Index(fields=["assignee", "due_key", "id", "is_open", "state"], name="ticket_assignee_due"),
            models.Index(fields=["establishment", "due_key", "id"], name="ticket_establishment_due"),
            models.Index(fields=["sla_state", "due_key", "id", "is_open", "state"], name="ticket_sla_due"),
            # The SLA engine's periodic refresh.
            models.Index(fields=["resolution_due_at"]),
            # Reports: repeat failures of a device, and tickets closed in a period.
            models.Index(fields=["device", "declared_at"]),
            # Every column a report's grouped query reads, by place: the report is one pass of
            # this index (a tenth of the table's width), not one visit of each ticket's row.
            models.Index(fields=REPORT_COLUMNS, name="ticket_report"),
            # Loaners out at a date, by place: the report reads this index alone (at a million
            # tickets, reading each loan's row for its return date took 0.2 to 0.7 s).
            models.Index(
                fields=["loaner_lent_at", "loaner_returned_at", "establishment"],
                condition=Q(loaner_lent_at__isnull=False),
                name="ticket_loaners_by_place",
            ),
            models.Index(fields=["resolved_at"]),
            models.Index(fields=["first_responded_at"]),
            # Loaners out, by due date: the overdue lists and the reminders read this, not the table.
            models.Index(
                fields=["loaner_due_on"],
                condition=Q(loaner__isnull=False, loaner_returned_at__isnull=True),
                name="ticket_loaner_out_due",
            ),
            # Fleet intelligence (insights/): failures declared in the last weeks by place, laptop
            # and category, and the turnaround of the tickets resolved in them, from the index alone.
            models.Index(
                fields=["declared_at", "state", "category", "establishment", "device"], name="ticket_fleet_declared"
            ),
            models.Index(fields=["resolved_at", "state", "declared_at", "device"], name="ticket_fleet_resolved"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def loaner_out(self) -> bool:
        return self.loaner_id is not None and self.loaner_returned_at is None

    @property
    def cost(self):
        return self.parts_cost + self.labour_cost

    def loaner_must_be_back(self, *, before: str) -> None:
        """No path to a final state leaves a loaner out."""
        if self.loaner_out:
            raise ValidationError(
                {
                    "loaner": _("Collect the loaner %(device)s first: “%(action)s” is not possible while it is out.")
                    % {"device": self.loaner.asset_tag if self.loaner else "", "action": before}
                }
            )

    # The transitions of the state machine. Checks that need the database live in the services.

    @fsm_transition("request_device")
    def request_device(self) -> None:
        pass

    @fsm_transition("receive_device")
    def receive_device(self) -> None:
        pass

    @fsm_transition("start_diagnosis")
    def start_diagnosis(self) -> None:
        pass

    @fsm_transition("cancel")
    def cancel(self) -> None:
        self.loaner_must_be_back(before=TRANSITIONS_BY_NAME["cancel"].label)

    @fsm_transition("close_no_fault")
    def close_no_fault(self, *, note: str) -> None:
        self.loaner_must_be_back(before=TRANSITIONS_BY_NAME["close_no_fault"].label)
        if not note.strip():
            raise ValidationError({"note": _("Say what was checked: a note is required to close without a fault.")})

    @fsm_transition("start_repair")
    def start_repair(self) -> None:
        if not self.coverage:
            raise ValidationError({"coverage": _("Decide the coverage before starting the repair.")})
        if self.coverage == Coverage.FAMILY and self.quote_state != QuoteState.ACCEPTED:
            raise ValidationError({"quote": QUOTE_REFUSALS[self.quote_state]})

    @fsm_transition("order_parts")
    def order_parts(self, *, parts: list[str]) -> None:
        parts = [p.strip() for p in parts if p and p.strip()]
        if not parts:
            raise ValidationError({"parts": _("List the parts to order.")})
        self.parts = [*self.parts, *parts]

    @fsm_transition("send_to_manufacturer")
    def send_to_manufacturer(self, *, rma_number: str) -> None:
        if not rma_number.strip():
            raise ValidationError({"rma_number": _("The manufacturer's RMA number is required.")})
        self.rma_number = rma_number.strip()

    @fsm_transition("receive_from_manufacturer")
    def receive_from_manufacturer(self) -> None:
        pass

    @fsm_transition("finish_repair")
    def finish_repair(self) -> None:
        pass

    @fsm_transition("swap")
    def swap(self, *, replacement: Device, police_report: str = "") -> None:
        if police_report.strip():
            self.police_report = police_report.strip()
        if self.category == FaultCategory.THEFT_LOSS and not self.police_report:
            raise ValidationError(
                {"police_report": _("A theft or loss needs the police report reference before a replacement.")}
            )
        self.replacement = replacement

    @fsm_transition("return_unrepaired")
    def return_unrepaired(self) -> None:
        if self.quote_state != QuoteState.REFUSED:
            raise ValidationError(
                {"quote": _("A laptop is returned unrepaired only when the family refused the quote.")}
            )
        self.returned_unrepaired = True

    @fsm_transition("ship")
    def ship(self, *, carrier: str, tracking_number: str) -> None:
        errors = {}
        if not carrier.strip():
            errors["carrier"] = _("Name the carrier.")
        if not tracking_number.strip():
            errors["tracking_number"] = _("The tracking number is required.")
        if errors:
            raise ValidationError(errors)
        self.return_channel = ReturnChannel.CARRIER
        self.carrier, self.tracking_number = carrier.strip(), tracking_number.strip()

    @fsm_transition("deliver")
    def deliver(self) -> None:
        self.loaner_must_be_back(before=TRANSITIONS_BY_NAME["deliver"].label)

    @fsm_transition("hand_over")
    def hand_over(self) -> None:
        self.loaner_must_be_back(before=TRANSITIONS_BY_NAME["hand_over"].label)


# Why a repair charged to the family may not start yet, by where its quote stands.
QUOTE_REFUSALS = {
    QuoteState.NONE: _("A repair charged to the family needs a quote the family accepted: issue the quote first."),
    QuoteState.PENDING: _("The family has not accepted the quote yet: the repair starts once they accept it."),
    QuoteState.REFUSED: _("The family refused the quote: return the laptop unrepaired."),
}
