"""The report's columns, in their stable order (CSV header, JSON keys, HTML and PDF tables)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text, int, decimal (one digit), percent (one digit), money (euros, two digits)
    short: str = ""  # a narrower heading for the tables

    @property
    def heading(self) -> str:
        return self.short or self.label


COLUMNS: tuple[Column, ...] = (
    Column("key", _("Key"), "text"),
    Column("label", _("Scope"), "text"),
    Column("opened", _("Tickets opened"), "int", _("Opened")),
    Column("closed", _("Tickets closed"), "int", _("Closed")),
    Column("backlog", _("Open at the end of the period"), "int", _("Backlog")),
    Column("backlog_avg_age_days", _("Average age of the backlog (days)"), "decimal", _("Avg age (d)")),
    Column("backlog_max_age_days", _("Oldest open ticket (days)"), "decimal", _("Oldest (d)")),
    Column(
        "first_response_median_hours",
        _("First response, median (business hours)"),
        "decimal",
        _("1st resp. median (h)"),
    ),
    Column(
        "first_response_p90_hours",
        _("First response, 90th percentile (business hours)"),
        "decimal",
        _("1st resp. p90 (h)"),
    ),
    Column("first_response_within_sla_pct", _("First response within SLA (%)"), "percent", _("1st resp. in SLA")),
    Column("first_response_breaches", _("First-response breaches"), "int", _("1st resp. breaches")),
    Column("resolution_median_hours", _("Resolution, median (business hours)"), "decimal", _("Resolution median (h)")),
    Column(
        "resolution_p90_hours", _("Resolution, 90th percentile (business hours)"), "decimal", _("Resolution p90 (h)")
    ),
    Column("resolution_within_sla_pct", _("Resolution within SLA (%)"), "percent", _("Resolved in SLA")),
    Column("resolution_breaches", _("Resolution breaches"), "int", _("Resol. breaches")),
    Column("repaired", _("Returned repaired"), "int", _("Repaired")),
    Column("swapped", _("Returned swapped"), "int", _("Swapped")),
    Column("manufacturer", _("Returned repaired by the manufacturer"), "int", _("Manufacturer")),
    Column("repaired_pct", _("Repaired (% of returned)"), "percent", _("Repaired %")),
    Column("swapped_pct", _("Swapped (% of returned)"), "percent", _("Swapped %")),
    Column("manufacturer_pct", _("Manufacturer (% of returned)"), "percent", _("Manufacturer %")),
    Column("manufacturer_median_days", _("Manufacturer turnaround, median (days)"), "decimal", _("Manuf. median (d)")),
    Column(
        "manufacturer_p90_days", _("Manufacturer turnaround, 90th percentile (days)"), "decimal", _("Manuf. p90 (d)")
    ),
    Column("repeat_30_days", _("Repeat failures within 30 days"), "int", _("Repeat ≤ 30 d")),
    Column("repeat_90_days", _("Repeat failures within 90 days"), "int", _("Repeat ≤ 90 d")),
    Column("loaners_out", _("Loaners out at the end of the period"), "int", _("Loaners out")),
    Column("devices", _("Devices in service"), "int", _("Devices")),
    Column("devices_outdated_image", _("Devices on an outdated master image"), "int", _("Outdated image")),
    Column("costed", _("Closed tickets with a cost"), "int", _("With a cost")),
    Column("parts_cost", _("Parts cost of the closed tickets (€)"), "money", _("Parts")),
    Column("labour_cost", _("Labour cost of the closed tickets (€)"), "money", _("Labour")),
    Column("cost", _("Cost of the closed tickets (€)"), "money", _("Cost")),
    Column("cost_avg", _("Average cost of a ticket with a cost (€)"), "money", _("Average cost")),
    Column("unrepaired", _("Returned unrepaired (quote refused)"), "int", _("Unrepaired")),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# The group table of the HTML page and the PDF: what fits on a landscape page.
TABLE_KEYS = (
    "opened",
    "closed",
    "backlog",
    "backlog_avg_age_days",
    "first_response_median_hours",
    "first_response_within_sla_pct",
    "resolution_median_hours",
    "resolution_p90_hours",
    "resolution_within_sla_pct",
    "first_response_breaches",
    "resolution_breaches",
    "swapped_pct",
    "manufacturer_median_days",
    "repeat_30_days",
    "loaners_out",
    "devices_outdated_image",
)
# The headline figures of the summary.
SUMMARY_KEYS = (
    "opened",
    "closed",
    "backlog",
    "first_response_median_hours",
    "resolution_median_hours",
    "resolution_p90_hours",
    "first_response_within_sla_pct",
    "resolution_within_sla_pct",
    "first_response_breaches",
    "resolution_breaches",
    "loaners_out",
    "devices_outdated_image",
)

# The costs table of the HTML page and the PDF (by coverage, model, establishment…).
COST_KEYS = ("costed", "parts_cost", "labour_cost", "cost", "cost_avg")
